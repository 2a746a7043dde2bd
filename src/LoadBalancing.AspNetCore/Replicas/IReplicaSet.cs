namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>The replicas the balancer keeps, as <c>/rep</c> lists them. Resolve it from the services to show or monitor them.</summary>
public interface IReplicaSet
{
    /// <summary>The replicas in the order they were added, including ones not yet (or no longer) answering heartbeats.</summary>
    IReadOnlyList<Replica> Replicas { get; }

    /// <summary>How many replicas receive new requests now.</summary>
    int RoutableCount { get; }
}
