using Microsoft.Extensions.Primitives;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// The replicas the balancer keeps, as <c>/rep</c> lists them, and the ones that receive new requests. Resolve it from the
/// services to show or monitor them, or to route to them from another proxy (Ringway.Yarp feeds a YARP cluster from it).
/// </summary>
public interface IReplicaSet
{
    /// <summary>The replicas in the order they were added, including ones not yet (or no longer) answering heartbeats.</summary>
    IReadOnlyList<Replica> Replicas { get; }

    /// <summary>How many replicas receive new requests now.</summary>
    int RoutableCount { get; }

    /// <summary>
    /// The replicas that receive new requests now: started, answering heartbeats, not removed. Empty before the first
    /// replica answers.
    /// </summary>
    IReadOnlyList<Replica> RoutableReplicas { get; }

    /// <summary>
    /// A token that fires once, after the next change of <see cref="RoutableReplicas"/> (a replica joins or leaves).
    /// Callbacks run on the thread pool, never on the supervisor's loop. Take a new token after it fires.
    /// </summary>
    IChangeToken GetRoutableChangeToken();
}
