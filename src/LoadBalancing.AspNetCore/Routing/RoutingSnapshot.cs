using Ringway.ConsistentHashing;

namespace Ringway.LoadBalancing.AspNetCore.Routing;

/// <summary>An immutable view of the replicas that receive new requests, and the hash over them.</summary>
internal sealed class RoutingSnapshot
{
    public static readonly RoutingSnapshot Empty = new(null, []);

    public RoutingSnapshot(IConsistentHash<ReplicaState>? hash, ReplicaState[] replicas)
    {
        Hash = hash;
        Replicas = replicas;
    }

    /// <summary>The hash, or null when no replica is routable (hash snapshots cannot be empty).</summary>
    public IConsistentHash<ReplicaState>? Hash { get; }

    /// <summary>The replicas, indexed like <see cref="IConsistentHash{TNode}.Nodes"/>.</summary>
    public ReplicaState[] Replicas { get; }

    public int Count => Replicas.Length;
}
