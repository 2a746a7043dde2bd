namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// Feeds the <see cref="AutoscalingPolicy"/>: ticks every interval, keeps the last samples of requests in flight and the
/// time of the last scaling action. The supervisor's loop calls <see cref="Decide"/> and carries out the answer.
/// </summary>
internal sealed class Autoscaler(AutoscalingOptions settings, int maxReplicas, TimeProvider time)
{
    private readonly Queue<double> _samples = new();
    private long _lastScaling;

    public bool Enabled => settings.Enabled;

    /// <summary>Calls <paramref name="tick"/> every interval until cancelled.</summary>
    public async Task RunAsync(Action tick, CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(settings.Interval, time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                tick();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Records a sample and returns the count to move to (<paramref name="count"/> for no change) with the average load.</summary>
    public (int Desired, double AverageInFlight) Decide(int inFlight, int count)
    {
        _samples.Enqueue(inFlight);
        if (_samples.Count > AutoscalingPolicy.SampleWindow)
        {
            _samples.Dequeue();
        }

        var desired = AutoscalingPolicy.DesiredCount(settings, maxReplicas, _samples, count, time.GetElapsedTime(_lastScaling));
        if (desired != count)
        {
            _lastScaling = time.GetTimestamp();
        }

        return (desired, _samples.Average());
    }
}
