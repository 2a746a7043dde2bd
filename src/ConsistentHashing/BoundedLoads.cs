using System.Buffers;
using System.Runtime.CompilerServices;

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
    public static int GetNodeIndex<TNode>(IConsistentHash<TNode> hash, ReadOnlySpan<char> key, ReadOnlySpan<int> loads, double factor = DefaultFactor)
    {
        ArgumentNullException.ThrowIfNull(hash);
        CheckFactor(factor, nameof(factor));
        var lookup = new KeyLookup<TNode>(hash, key);
        var bound = LoadBound<TNode>.Of(lookup, hash, loads);
        var order = CandidateOrder<TNode>.Plain(lookup, hash.Count);
        int node = FirstWithRoom(order, bound, factor);

        // None has room only if the loads do not add up (capacities sum to more than the total); keep a sane answer.
        return node >= 0 ? node : order.First;
    }

    /// <summary>Throws unless <paramref name="factor"/> is a finite number &gt;= 1.</summary>
    internal static void CheckFactor(double factor, string paramName)
    {
        if (!(factor >= 1) || double.IsPositiveInfinity(factor))
        {
            throw new ArgumentOutOfRangeException(paramName, factor, "The bounded-loads factor must be a finite number >= 1 (default 1.25).");
        }
    }

    /// <summary>
    /// The first candidate that has room, or -1 when none has; the order is computed only as far as needed.
    /// </summary>
    [SkipLocalsInit]
    internal static int FirstWithRoom<TNode>(CandidateOrder<TNode> order, LoadBound<TNode> bound, double factor)
    {
        if (bound.HasRoom(order.First, factor))
        {
            return order.First;
        }

        // Widen the candidate list (8, 64, 512... n) rather than ordering every node up front.
        int n = order.Count;
        int[]? rented = null;
        Span<int> buffer = n <= 512 ? stackalloc int[512] : (rented = ArrayPool<int>.Shared.Rent(n));
        try
        {
            int checkedCount = 1;
            for (int want = Math.Min(8, n); checkedCount < n; want = (int)Math.Min(want * 8L, n))
            {
                Span<int> candidates = buffer[..want];
                order.Fill(candidates);
                for (int i = checkedCount; i < want; i++)
                {
                    if (bound.HasRoom(candidates[i], factor))
                    {
                        return candidates[i];
                    }
                }

                checkedCount = want;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }

        return -1;
    }
}
