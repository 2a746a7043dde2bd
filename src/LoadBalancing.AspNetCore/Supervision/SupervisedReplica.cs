using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// A replica the supervisor keeps: its routing state plus what supervision tracks about it. The supervisor's loop
/// writes it; probes on other threads read <see cref="Removed"/> and <see cref="Ready"/>.
/// </summary>
internal sealed class SupervisedReplica(ReplicaState state, MembershipChangeReason origin)
{
    private volatile bool _removed;
    private long _heartbeatLatencyTicks = -1;

    public ReplicaState State { get; } = state;

    public string Hostname => State.Hostname;

    /// <summary>Why it became a member (started for /add, a respawn, autoscaling...): the reason its first join reports.</summary>
    public MembershipChangeReason Origin { get; } = origin;

    /// <summary>Failed heartbeats in a row.</summary>
    public int Failures { get; set; }

    /// <summary>How long its last successful heartbeat took, or null before the first; written by the prober, read by any thread.</summary>
    public TimeSpan? HeartbeatLatency
    {
        get => Interlocked.Read(ref _heartbeatLatencyTicks) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;
        set => Interlocked.Exchange(ref _heartbeatLatencyTicks, value?.Ticks ?? -1);
    }

    /// <summary>Whether it has been in the ring before: a later join is a recovery.</summary>
    public bool HasJoined { get; set; }

    /// <summary>Set once it is no longer a member (removed, failed, shut down): probes leave it alone.</summary>
    public bool Removed => _removed;

    /// <summary>Why it stopped being a member; what its <see cref="MembershipChangeKind.Stopped"/> change reports.</summary>
    public MembershipChangeReason RemovedBecause { get; private set; }

    public void MarkRemoved(MembershipChangeReason reason)
    {
        RemovedBecause = reason;
        _removed = true;
    }

    /// <summary>Completes at its first answer (or when it joins as an adopted replica).</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
