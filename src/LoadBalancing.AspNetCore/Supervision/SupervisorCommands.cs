namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>Work for the supervisor's loop: every change of membership arrives as one of these, and they run one at a time.</summary>
internal abstract record SupervisorCommand;

/// <summary>/add or /rm, answered once carried out or refused.</summary>
internal abstract record AdminCommand(int N, IReadOnlyList<string> Hostnames) : SupervisorCommand
{
    public TaskCompletionSource<AdminResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed record AddReplicas(int N, IReadOnlyList<string> Hostnames) : AdminCommand(N, Hostnames);

internal sealed record RemoveReplicas(int N, IReadOnlyList<string> Hostnames) : AdminCommand(N, Hostnames);

/// <summary>Adopt what the provider runs and start the rest of the initial replicas; completes with the ones started now.</summary>
internal sealed record StartInitialReplicas : SupervisorCommand
{
    public TaskCompletionSource<IReadOnlyList<SupervisedReplica>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Out of the ring, and stopped when the options say so; completes when done.</summary>
internal sealed record ShutDown : SupervisorCommand
{
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// A probe's answer, posted by the <see cref="HeartbeatProber"/> for failures, first answers and recoveries only.
/// <c>StartupFailed</c>: a new replica never answered within the startup timeout.
/// </summary>
internal sealed record HeartbeatResult(SupervisedReplica Member, bool Ok, bool StartupFailed) : SupervisorCommand;

/// <summary>The provider saw the replica exit.</summary>
internal sealed record ReplicaExited(Replica Replica) : SupervisorCommand;

/// <summary>A removed replica has no requests in flight left (or the drain timeout passed): it can be stopped.</summary>
internal sealed record DrainFinished(SupervisedReplica Member) : SupervisorCommand;

/// <summary>Starting replicas failed a while ago: try again to reach the desired count.</summary>
internal sealed record RetryStart(MembershipChangeReason Reason) : SupervisorCommand;

/// <summary>Time to sample the load and let the autoscaling policy decide.</summary>
internal sealed record AutoscaleTick : SupervisorCommand;

/// <summary>Time to check leadership: a balancer that does not act takes membership from the provider's list; one that just began to act adopts and tops up.</summary>
internal sealed record FollowTick : SupervisorCommand;
