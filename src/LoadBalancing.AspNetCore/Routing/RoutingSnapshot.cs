using Ringway.ConsistentHashing;

namespace Ringway.LoadBalancing.AspNetCore.Routing;

/// <summary>An immutable view of the replicas that receive new requests, the hash over them, and its warm-up.</summary>
internal sealed class RoutingSnapshot
{
    public static readonly RoutingSnapshot Empty = new(null, [], null);

    public RoutingSnapshot(IConsistentHash<ReplicaState>? hash, ReplicaState[] replicas, WarmUpSchedule<ReplicaState>? warmUp)
    {
        Hash = hash;
        Replicas = replicas;
        WarmUp = warmUp;
        Epoch = hash?.Epoch ?? default;
        EpochText = hash is null ? "" : Epoch.ToString();
    }

    /// <summary>The hash, or null when no replica is routable (hash snapshots cannot be empty).</summary>
    public IConsistentHash<ReplicaState>? Hash { get; }

    /// <summary>The replicas, indexed like <see cref="IConsistentHash{TNode}.Nodes"/>.</summary>
    public ReplicaState[] Replicas { get; }

    /// <summary>The warm-up of the replicas still ramping when the snapshot was built; null when none was.</summary>
    public WarmUpSchedule<ReplicaState>? WarmUp { get; }

    /// <summary>The membership epoch: equal on balancers that place every key alike (default when empty).</summary>
    public MembershipEpoch Epoch { get; }

    /// <summary><see cref="Epoch"/> as 16 hexadecimal digits, made once (empty when no replica is routable).</summary>
    public string EpochText { get; }

    public int Count => Replicas.Length;
}
