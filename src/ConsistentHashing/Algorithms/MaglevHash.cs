using System.Runtime.CompilerServices;
using Ringway.ConsistentHashing.Hashing;

namespace Ringway.ConsistentHashing.Algorithms;

/// <summary>
/// Maglev (Eisenbud et al., NSDI 2016): a lookup table of prime size M filled by the nodes taking turns,
/// each claiming the next free slot of its own permutation <c>(offset + j x skip) mod M</c>.
/// Lookup is one multiply and one array read. Weighted nodes take turns in proportion to their weight.
/// </summary>
internal sealed class MaglevHash<TNode> : ConsistentHashBase<TNode>
{
    private readonly int[] _table;

    public MaglevHash(HashNode<TNode>[] nodes, ConsistentHashOptions options)
        : base(nodes, options)
    {
        int size = options.MaglevTableSize;
        if (!IsPrime(size))
        {
            throw new ArgumentException($"MaglevTableSize must be a prime number; {size} is not (for example 65537, 655373 or 1000003).", nameof(options));
        }

        if (size <= 100L * nodes.Length)
        {
            throw new ArgumentException($"MaglevTableSize must exceed 100 x the number of nodes ({nodes.Length} nodes need a prime above {100L * nodes.Length}); it is {size}.", nameof(options));
        }

        _table = Populate(nodes, IdRanks, size, UniformWeights);
    }

    public override ConsistentHashAlgorithm Algorithm => ConsistentHashAlgorithm.Maglev;

    /// <summary>The lookup table: node index per slot (tests).</summary>
    internal ReadOnlySpan<int> Table => _table;

    /// <summary>Slot offset of a node id: xxHash3-64(UTF-8 id, seed 0) mod M.</summary>
    internal static int Offset(string id, int size) => (int)(KeyHash.NodeId(id, 0) % (ulong)size);

    /// <summary>Slot skip of a node id: xxHash3-64(UTF-8 id, seed 1) mod (M - 1) + 1.</summary>
    internal static int Skip(string id, int size) => (int)(KeyHash.NodeId(id, 1) % (ulong)(size - 1)) + 1;

    private static int[] Populate(HashNode<TNode>[] nodes, int[] idRanks, int size, bool uniform)
    {
        int n = nodes.Length;

        // Turns are taken in ordinal id order, so the table does not depend on the order nodes were given.
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[idRanks[i]] = i;
        }

        var next = new int[n];
        var skip = new int[n];
        var weight = new long[n];
        var credit = new long[n];
        long maxWeight = 0;
        for (int r = 0; r < n; r++)
        {
            var node = nodes[order[r]];
            next[r] = Offset(node.Id, size);
            skip[r] = Skip(node.Id, size);
            weight[r] = node.Weight;
            maxWeight = Math.Max(maxWeight, node.Weight);
        }

        var table = new int[size];
        table.AsSpan().Fill(-1);
        int filled = 0;
        while (true)
        {
            for (int r = 0; r < n; r++)
            {
                if (!uniform)
                {
                    // Each round a node earns its weight; a turn costs the largest weight. So the heaviest
                    // node takes a turn every round and a node of half that weight every other round.
                    credit[r] += weight[r];
                    if (credit[r] < maxWeight)
                    {
                        continue;
                    }

                    credit[r] -= maxWeight;
                }

                int c = next[r];
                int s = skip[r];
                while (table[c] >= 0)
                {
                    c += s;
                    if (c >= size)
                    {
                        c -= size;
                    }
                }

                table[c] = order[r];
                c += s;
                next[r] = c >= size ? c - size : c;
                if (++filled == size)
                {
                    return table;
                }
            }
        }
    }

    internal static bool IsPrime(int value)
    {
        if (value < 2)
        {
            return false;
        }

        if (value % 2 == 0)
        {
            return value == 2;
        }

        for (int d = 3; (long)d * d <= value; d += 2)
        {
            if (value % d == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Slot of a key hash: floor(hash x M / 2^64) (uniform, and cheaper than a 64-bit modulo).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SlotOf(ulong code) => (int)Math.BigMul(code, (ulong)_table.Length, out _);

    internal override int IndexOf(ulong code) => _table[SlotOf(code)];

    /// <summary>
    /// Preference order: distinct nodes met walking the table forward from the key's slot (wrapping). Table
    /// entries are close to independent, so a failed node's keys spread over all others in proportion to
    /// their share. Nodes that own no slot at all (possible only with extreme weight ratios) come last, by id.
    /// </summary>
    [SkipLocalsInit]
    internal override void IndexesOf(ulong code, Span<int> destination)
    {
        int slot = SlotOf(code);
        if (destination.Length == 1)
        {
            destination[0] = _table[slot];
            return;
        }

        var seen = new DistinctSet(Count, stackalloc ulong[DistinctSet.StackWords]);
        try
        {
            int found = seen.CollectAlong(_table, slot, destination);
            for (int rank = 0; found < destination.Length; rank++)
            {
                int node = Array.IndexOf(IdRanks, rank);
                if (seen.Add(node))
                {
                    destination[found++] = node;
                }
            }
        }
        finally
        {
            seen.Dispose();
        }
    }

    private protected override IConsistentHash<TNode> WithNodes(HashNode<TNode>[] nodes) => new MaglevHash<TNode>(nodes, Options);
}
