namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>One change of membership, as the supervisor made it: what happened to which replica, why, and when.</summary>
internal sealed record MembershipChange(MembershipChangeKind Kind, string Hostname, MembershipChangeReason Reason, DateTimeOffset At);

/// <summary>What happened to a replica.</summary>
internal enum MembershipChangeKind
{
    /// <summary>The provider was asked to start it under this name; it becomes a member once running.</summary>
    Starting,

    /// <summary>It became a member (listed in /rep): started by the provider or adopted from it.</summary>
    Added,

    /// <summary>It entered the ring: new requests can reach it.</summary>
    Joined,

    /// <summary>It left the ring: no new requests reach it (requests in flight finish).</summary>
    Left,

    /// <summary>The provider stopped it.</summary>
    Stopped,
}

/// <summary>Why the supervisor changed membership.</summary>
internal enum MembershipChangeReason
{
    /// <summary>One of the replicas the balancer starts with.</summary>
    Initial,

    /// <summary>Found running at start (a replica that outlived a restart, or a fixed address).</summary>
    Adopted,

    /// <summary>Asked for through /add or /rm.</summary>
    Admin,

    /// <summary>Started in place of a replica that failed.</summary>
    Respawn,

    /// <summary>The autoscaler moved the replica count.</summary>
    Autoscale,

    /// <summary>It answered heartbeats again after failing them (fixed addresses).</summary>
    Recovered,

    /// <summary>It failed heartbeats in a row.</summary>
    HeartbeatsFailed,

    /// <summary>It never answered after it was started.</summary>
    NeverAnswered,

    /// <summary>The provider reported that it exited.</summary>
    Exited,

    /// <summary>The balancer is stopping.</summary>
    Shutdown,

    /// <summary>Another balancer acts on membership, and the provider listed the replica as started or gone.</summary>
    Followed,
}
