using Microsoft.Extensions.Logging;
using Ringway.LoadBalancing.AspNetCore.Observability;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// The drain step: once a removed replica is out of the ring, waits (off the supervisor's loop) until its requests in
/// flight finish or the drain timeout passes, so stopping it cuts no request short that could still finish.
/// </summary>
internal sealed class ReplicaDrainer(TimeSpan drainTimeout, TimeProvider time, ILogger logger)
{
    // Requests that read the previous routing snapshot just before the swap may enter a moment later.
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Returns true once the replica may be stopped, false when cancelled first.</summary>
    public async Task<bool> WaitAsync(ReplicaState replica, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            await Task.Delay(Grace, time, cancellationToken).ConfigureAwait(false);
            while (replica.InFlight > 0 && time.GetElapsedTime(started) < drainTimeout)
            {
                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        Log.Drained(logger, replica.Hostname, replica.InFlight, time.GetElapsedTime(started));
        return true;
    }
}
