using Ringway.ConsistentHashing.Algorithms;

namespace Ringway.ConsistentHashing;

/// <summary>Builds consistent-hash snapshots.</summary>
public static class ConsistentHash
{
    /// <summary>Builds a snapshot of <paramref name="algorithm"/> over <paramref name="nodes"/>.</summary>
    /// <remarks>
    /// The node list is copied. Placement depends only on node ids and weights (not on the order given), except
    /// for <see cref="ConsistentHashAlgorithm.Jump"/> (bucket = position in the list) and
    /// <see cref="ConsistentHashAlgorithm.Classic"/> (numeric server ids 1..N in the order given).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="nodes"/> is null.</exception>
    /// <exception cref="ArgumentException">No nodes, an empty or duplicate id, a non-positive weight, a weight other than 1 for Jump or Classic, or invalid options.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is not defined.</exception>
    public static IConsistentHash<TNode> Create<TNode>(
        ConsistentHashAlgorithm algorithm,
        IEnumerable<HashNode<TNode>> nodes,
        ConsistentHashOptions? options = null)
    {
        options ??= ConsistentHashOptions.Default;
        var array = NodeSet.Validate(nodes);
        return algorithm switch
        {
            ConsistentHashAlgorithm.Ring => new RingHash<TNode>(array, options),
            ConsistentHashAlgorithm.Maglev => new MaglevHash<TNode>(array, options),
            ConsistentHashAlgorithm.Rendezvous => new RendezvousHash<TNode>(array, options),
            ConsistentHashAlgorithm.Jump => new JumpHash<TNode>(array, options),
            ConsistentHashAlgorithm.Classic => new ClassicHash<TNode>(array, options),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown consistent-hash algorithm."),
        };
    }
}
