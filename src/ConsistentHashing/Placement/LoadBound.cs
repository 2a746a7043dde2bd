namespace Ringway.ConsistentHashing;

/// <summary>
/// The loads of one lookup and the bound they imply: total load, node weights, and each node's allowance of
/// <c>factor x (total + 1) x w_i / W</c> (the key being placed counts, as in bounded loads).
/// </summary>
internal readonly ref struct LoadBound<TNode>
{
    private readonly IConsistentHash<TNode> _hash;
    private readonly HashNode<TNode>[]? _nodes;
    private readonly long _totalWeight;
    private readonly bool _uniform;

    private LoadBound(IConsistentHash<TNode> hash, HashNode<TNode>[]? nodes, ReadOnlySpan<int> loads, long total, long totalWeight, bool uniform)
    {
        _hash = hash;
        _nodes = nodes;
        Loads = loads;
        Total = total;
        _totalWeight = totalWeight;
        _uniform = uniform;
    }

    public ReadOnlySpan<int> Loads { get; }

    public long Total { get; }

    /// <summary>Checks <paramref name="loads"/> (one non-negative entry per node of the looked-up snapshot) and sums it.</summary>
    /// <exception cref="ArgumentException">Wrong length or a negative load.</exception>
    public static LoadBound<TNode> Of(KeyLookup<TNode> lookup, IConsistentHash<TNode> hash, ReadOnlySpan<int> loads)
    {
        int n = hash.Count;
        if (loads.Length != n)
        {
            throw new ArgumentException($"loads must have one entry per node: {n} nodes, {loads.Length} loads.", nameof(loads));
        }

        long total = 0;
        foreach (int load in loads)
        {
            if (load < 0)
            {
                throw new ArgumentException("Loads cannot be negative.", nameof(loads));
            }

            total += load;
        }

        if (lookup.Snapshot is { } snapshot)
        {
            return new LoadBound<TNode>(hash, snapshot.NodeArray, loads, total, snapshot.TotalWeight, snapshot.UniformWeights);
        }

        var nodes = hash.Nodes;
        bool uniform = true;
        long totalWeight = 0;
        for (int i = 0; i < nodes.Count; i++)
        {
            totalWeight += nodes[i].Weight;
            uniform &= nodes[i].Weight == nodes[0].Weight;
        }

        return new LoadBound<TNode>(hash, null, loads, total, totalWeight, uniform);
    }

    /// <summary><c>factor x (total + 1) x w_i / W</c>: node i's allowance, before rounding.</summary>
    public double Allowance(int node, double factor)
        => _uniform ? factor * (Total + 1) / _hash.Count : factor * (Total + 1) * Weight(node) / _totalWeight;

    /// <summary>Bounded loads' capacity, the allowance rounded up; node i has room while its load is below it.</summary>
    public bool HasRoom(int node, double factor) => Loads[node] < (long)Math.Ceiling(Allowance(node, factor));

    /// <summary>The load per unit of weight, for comparing nodes of different weights.</summary>
    public double Relative(int node) => _uniform ? Loads[node] : (double)Loads[node] / Weight(node);

    private int Weight(int node) => _nodes is not null ? _nodes[node].Weight : _hash.Nodes[node].Weight;
}
