namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// The autoscaling rule as a pure function. It wants <c>ceil(average in flight / target per replica)</c> replicas within
/// the bounds; it scales up to that at once and down one replica at a time (each removal is drained), each direction
/// only after its cooldown since the last scaling.
/// </summary>
internal static class AutoscalingPolicy
{
    /// <summary>Decisions use the average of this many last samples, so one burst does not start replicas.</summary>
    public const int SampleWindow = 5;

    /// <summary>The replica count to move to now: <paramref name="count"/> when nothing should change.</summary>
    /// <param name="settings">The autoscaling options.</param>
    /// <param name="maxReplicas">The balancer's own replica limit, which the autoscaler never exceeds.</param>
    /// <param name="samples">The latest samples of requests in flight across all replicas (at least one).</param>
    /// <param name="count">The replicas now.</param>
    /// <param name="sinceLastScaling">Time since the last scaling action.</param>
    public static int DesiredCount(AutoscalingOptions settings, int maxReplicas, IReadOnlyCollection<double> samples, int count, TimeSpan sinceLastScaling)
    {
        var wanted = Wanted(settings, maxReplicas, samples.Average());
        if (wanted > count && sinceLastScaling >= settings.ScaleUpCooldown)
        {
            return wanted;
        }

        if (wanted < count && sinceLastScaling >= settings.ScaleDownCooldown)
        {
            return count - 1;
        }

        return count;
    }

    /// <summary>The replicas the load asks for, within the bounds.</summary>
    public static int Wanted(AutoscalingOptions settings, int maxReplicas, double averageInFlight)
        => Math.Clamp(
            (int)Math.Ceiling(averageInFlight / settings.TargetInFlightPerReplica),
            settings.MinReplicas,
            Math.Min(settings.MaxReplicas, maxReplicas));

    /// <summary>The replica to remove when scaling down: the least busy, the newest among equals so the initial names stay.</summary>
    public static SupervisedReplica ChooseToRemove(IReadOnlyList<SupervisedReplica> members)
        => members.Reverse().MinBy(m => m.State.InFlight)!;
}
