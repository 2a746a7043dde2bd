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

    /// <summary>
    /// A snapshot of <paramref name="algorithm"/> over exactly <paramref name="nodes"/> that leaves as many keys where
    /// <paramref name="previous"/> put them as the algorithm allows: what a balancer calls when its node set changes.
    /// </summary>
    /// <remarks>
    /// Without a previous snapshot of the same algorithm (and options), the nodes are placed in ordinal id order, so two
    /// processes that know the same nodes build the same snapshot whatever order they learned them in. Ring, Maglev and
    /// Rendezvous place nodes by id and weight alone, so for them this is always such a fresh build. Jump and Classic place
    /// nodes by position and numeric id, so a fresh build would move keys of nodes that did not change; instead the nodes
    /// <paramref name="previous"/> has with the same id, weight and an equal value (<see cref="EqualityComparer{T}.Default"/>,
    /// reference equality for most classes) keep their places, the others are removed one by one (<see cref="IConsistentHash{TNode}.Remove"/>)
    /// and the new ones appended in ordinal id order (<see cref="IConsistentHash{TNode}.Add"/>).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="nodes"/> is null.</exception>
    /// <exception cref="ArgumentException">As <see cref="Create{TNode}"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is not defined.</exception>
    public static IConsistentHash<TNode> Update<TNode>(
        IConsistentHash<TNode>? previous,
        ConsistentHashAlgorithm algorithm,
        IEnumerable<HashNode<TNode>> nodes,
        ConsistentHashOptions? options = null)
    {
        options ??= ConsistentHashOptions.Default;
        var sorted = NodeSet.Validate(nodes);
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        if (previous is not ConsistentHashBase<TNode> prior
            || prior.Algorithm != algorithm
            || algorithm is not (ConsistentHashAlgorithm.Jump or ConsistentHashAlgorithm.Classic)
            || (algorithm == ConsistentHashAlgorithm.Classic && prior.Options.ClassicProbing != options.ClassicProbing))
        {
            return Create(algorithm, sorted, options);
        }

        var wanted = sorted.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var kept = prior.NodeArray
            .Where(n => wanted.TryGetValue(n.Id, out var w) && w.Weight == n.Weight && EqualityComparer<TNode>.Default.Equals(w.Value, n.Value))
            .Select(n => n.Id)
            .ToHashSet(StringComparer.Ordinal);
        if (kept.Count == 0)
        {
            return Create(algorithm, sorted, options);
        }

        IConsistentHash<TNode> hash = prior;
        foreach (var node in prior.NodeArray.Where(n => !kept.Contains(n.Id)))
        {
            hash = hash.Remove(node.Id);
        }

        foreach (var node in sorted.Where(n => !kept.Contains(n.Id)))
        {
            hash = hash.Add(node);
        }

        return hash;
    }
}
