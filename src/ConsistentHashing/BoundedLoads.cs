using System.Buffers;
using System.Runtime.CompilerServices;
using Ringway.ConsistentHashing.Algorithms;

namespace Ringway.ConsistentHashing;

/// <summary>
/// Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, 2018): a key goes to the first
/// node in its preference order whose load stays within <c>ceil(factor x average)</c>.
/// </summary>
/// <remarks>
/// average = (total load + 1) / n, as in the paper: the key being placed counts. A node is full when its load
/// has reached its capacity <c>ceil(factor x (total + 1) / n)</c>; with weights, node i's capacity is
/// <c>ceil(factor x (total + 1) x w_i / W)</c> (the same when all weights are equal). Because the capacities
/// add up to at least total + 1, some node always has room. Works over every algorithm, since each defines a
/// preference order (<see cref="IConsistentHash{TNode}.GetNodeIndexes"/>); Ring, Maglev and Rendezvous are the
/// intended ones.
/// </remarks>
public static class BoundedLoads
{
    /// <summary>The default load factor c.</summary>
    public const double DefaultFactor = 1.25;

    /// <summary>
    /// The index into <see cref="IConsistentHash{TNode}.Nodes"/> of the node that takes <paramref name="key"/>,
    /// given each node's current load (<paramref name="loads"/>[i] is the load of node i) and the factor c (&gt;= 1).
    /// Allocation-free; the full preference order is computed only when the first candidates are full.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="hash"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="loads"/> does not have one entry per node, or a load is negative.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is below 1, infinite or NaN.</exception>
    [SkipLocalsInit]
    public static int GetNodeIndex<TNode>(IConsistentHash<TNode> hash, ReadOnlySpan<char> key, ReadOnlySpan<int> loads, double factor = DefaultFactor)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (!(factor >= 1) || double.IsPositiveInfinity(factor))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The bounded-loads factor must be a finite number >= 1 (default 1.25).");
        }

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

        var snapshot = hash as ConsistentHashBase<TNode>;
        double scale = factor * (total + 1);
        bool uniform;
        long totalWeight;
        if (snapshot is not null)
        {
            uniform = snapshot.UniformWeights;
            totalWeight = snapshot.TotalWeight;
        }
        else
        {
            var nodes = hash.Nodes;
            uniform = true;
            totalWeight = 0;
            for (int i = 0; i < nodes.Count; i++)
            {
                totalWeight += nodes[i].Weight;
                uniform &= nodes[i].Weight == nodes[0].Weight;
            }
        }

        ulong code = snapshot is null ? 0 : snapshot.KeyCode(key);
        int first = snapshot is null ? hash.GetNodeIndex(key) : snapshot.IndexOf(code);
        if (loads[first] < CapacityOf(hash, snapshot, first, scale, totalWeight, uniform))
        {
            return first;
        }

        // Widen the candidate list (8, 64, 512... n) rather than ordering every node up front.
        int[]? rented = null;
        Span<int> order = n <= 512 ? stackalloc int[512] : (rented = ArrayPool<int>.Shared.Rent(n));
        try
        {
            int checkedCount = 1;
            for (int want = Math.Min(8, n); ; want = (int)Math.Min(want * 8L, n))
            {
                Span<int> candidates = order[..want];
                if (snapshot is null)
                {
                    hash.GetNodeIndexes(key, candidates);
                }
                else
                {
                    snapshot.IndexesOf(code, candidates);
                }

                for (int i = checkedCount; i < want; i++)
                {
                    int node = candidates[i];
                    if (loads[node] < CapacityOf(hash, snapshot, node, scale, totalWeight, uniform))
                    {
                        return node;
                    }
                }

                checkedCount = want;
                if (want == n)
                {
                    break;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }

        // Unreachable when the loads add up (capacities sum to more than the total); keep a sane answer anyway.
        return first;
    }

    /// <summary>Per-node capacity: ceil(c x (total + 1) / n), or weighted ceil(c x (total + 1) x w_i / W).</summary>
    private static long CapacityOf<TNode>(IConsistentHash<TNode> hash, ConsistentHashBase<TNode>? snapshot, int node, double scale, long totalWeight, bool uniform)
    {
        if (uniform)
        {
            return (long)Math.Ceiling(scale / hash.Count);
        }

        int weight = snapshot is null ? hash.Nodes[node].Weight : snapshot.NodeArray[node].Weight;
        return (long)Math.Ceiling(scale * weight / totalWeight);
    }
}
