using Microsoft.Extensions.Logging;
using Ringway.LoadBalancing.AspNetCore.Observability;

namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// Carries out the supervisor's decisions against the provider: starts replicas (each probed until its first answer),
/// retries starts that failed, drains removed replicas and stops them. Called on the supervisor's loop only; the waits
/// it begins (first answer, drain, retry delay) run beside the loop and post their outcome back to it.
/// </summary>
internal sealed class ReplicaLifecycle(
    IReplicaProvider provider,
    Membership membership,
    HeartbeatProber prober,
    ReplicaDrainer drainer,
    TimeProvider time,
    ILogger logger,
    Action<SupervisorCommand> post,
    Func<bool> acts,
    CancellationToken stopping)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private bool _retryScheduled;

    /// <summary>Starts the named replicas; on failure logs it, starts nothing and tries again after a delay.</summary>
    public async Task<IReadOnlyList<SupervisedReplica>> TryStartAsync(List<string> names, MembershipChangeReason reason)
    {
        // Checked last thing before the provider: a balancer that no longer leads must not start a second copy.
        if (names.Count == 0 || !acts())
        {
            return [];
        }

        membership.Starting(names, reason);
        try
        {
            var replicas = await provider.StartAsync(names, stopping).ConfigureAwait(false);
            Log.Started(logger, string.Join(", ", names));
            return AddStarted(replicas, reason);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StartFailed(logger, string.Join(", ", names), ex);
            ScheduleRetry(reason);
            return [];
        }
    }

    /// <summary>Starts replicas with random names until the desired count runs.</summary>
    public Task StartMissingAsync(MembershipChangeReason reason)
    {
        if (!provider.CanStart || stopping.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        var names = ReplicaNames.Fill([], membership.Desired - membership.Count, membership.IsTaken, Random.Shared);
        return TryStartAsync(names, reason);
    }

    /// <summary>The retry that <see cref="ScheduleRetry"/> posted.</summary>
    public Task RetryAsync(RetryStart retry)
    {
        _retryScheduled = false;
        return StartMissingAsync(retry.Reason);
    }

    /// <summary>New members, which join the ring at their first answer.</summary>
    public List<SupervisedReplica> AddStarted(IReadOnlyList<Replica> replicas, MembershipChangeReason reason)
    {
        var added = new List<SupervisedReplica>();
        foreach (var replica in replicas)
        {
            var member = membership.Add(replica, reason);
            added.Add(member);
            _ = prober.WaitUntilAnswersAsync(member, post, stopping);
        }

        membership.Publish();
        return added;
    }

    /// <summary>Out of the ring and of /rep at once; each is stopped once drained.</summary>
    public void RemoveAndDrain(IReadOnlyList<SupervisedReplica> chosen, MembershipChangeReason reason)
    {
        foreach (var member in chosen)
        {
            membership.Remove(member, reason);
            membership.Leave(member, reason);
            membership.StartDraining(member);
            _ = DrainAsync(member);
        }

        membership.Desired = Math.Max(0, membership.Desired - chosen.Count);
        membership.Publish();
    }

    /// <summary>Stops a drained replica, unless shutdown stopped it first.</summary>
    public async Task StopDrainedAsync(DrainFinished drained)
    {
        if (membership.IsDraining(drained.Member))
        {
            await StopAsync(drained.Member).ConfigureAwait(false);
            membership.EndDraining(drained.Member);
        }
    }

    /// <summary>Stops a replica; a failure is logged and leaves the replica to the provider.</summary>
    public async Task StopAsync(SupervisedReplica member)
    {
        if (await TryStopAsync(member).ConfigureAwait(false))
        {
            membership.Stopped(member);
        }
    }

    /// <summary>Takes every replica out of the ring and stops them all at once.</summary>
    public async Task StopAllAsync()
    {
        var all = membership.All();
        foreach (var member in all)
        {
            member.MarkRemoved(MembershipChangeReason.Shutdown);
            membership.Leave(member, MembershipChangeReason.Shutdown);
        }

        var stopped = await Task.WhenAll(all.Select(TryStopAsync)).ConfigureAwait(false);
        membership.Clear();
        for (var i = 0; i < all.Count; i++)
        {
            if (stopped[i])
            {
                membership.Stopped(all[i]); // here, not in TryStopAsync: changes are reported one at a time
            }
        }
    }

    private async Task<bool> TryStopAsync(SupervisedReplica member)
    {
        try
        {
            using var timeout = new CancellationTokenSource(StopTimeout, time);
            await provider.StopAsync(member.State.Replica, timeout.Token).ConfigureAwait(false);
            Log.Stopped(logger, member.Hostname);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            Log.StopFailed(logger, member.Hostname, ex);
            return false;
        }
    }

    private async Task DrainAsync(SupervisedReplica member)
    {
        if (await drainer.WaitAsync(member.State, stopping).ConfigureAwait(false))
        {
            post(new DrainFinished(member));
        }
    }

    /// <summary>Tries to reach the desired count again after a delay (once, however many starts failed meanwhile).</summary>
    public void ScheduleRetry(MembershipChangeReason reason)
    {
        if (_retryScheduled)
        {
            return;
        }

        _retryScheduled = true;
        _ = Task.Delay(RetryDelay, time, stopping)
            .ContinueWith(_ => post(new RetryStart(reason)), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }
}
