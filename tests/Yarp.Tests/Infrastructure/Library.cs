using Ringway.ConsistentHashing;

namespace Ringway.Yarp.Tests.Infrastructure;

/// <summary>What the hashing library itself says, for comparison with what the gateway does.</summary>
internal static class Library
{
    /// <summary>A snapshot over the ids as a balancer builds it from scratch (ordinal id order).</summary>
    public static IConsistentHash<string> Hash(ConsistentHashAlgorithm algorithm, IEnumerable<string> ids)
        => ConsistentHash.Update(null, algorithm, ids.Select(id => new HashNode<string>(id, id)));

    /// <summary>The key's whole preference order.</summary>
    public static string[] Order(IConsistentHash<string> hash, string key)
    {
        var order = new string[hash.Count];
        hash.GetNodes(key, order);
        return order;
    }

    public static ConsistentHashAlgorithm AlgorithmOf(string policy) => policy switch
    {
        ConsistentHashPolicies.RingHash => ConsistentHashAlgorithm.Ring,
        ConsistentHashPolicies.Maglev => ConsistentHashAlgorithm.Maglev,
        ConsistentHashPolicies.RendezvousHash => ConsistentHashAlgorithm.Rendezvous,
        ConsistentHashPolicies.JumpHash => ConsistentHashAlgorithm.Jump,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, null),
    };

    public static TheoryData<string> Policies => new(ConsistentHashPolicies.RingHash, ConsistentHashPolicies.Maglev, ConsistentHashPolicies.RendezvousHash, ConsistentHashPolicies.JumpHash);
}
