using System.Buffers.Text;
using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Ringway.ConsistentHashing.Algorithms;

/// <summary>
/// Hash ring with virtual nodes (ketama style). Node i owns <c>Weight x PointsPerWeight</c> points at
/// xxHash3-64("{id}-{k}"); a key goes to the first point at or after its hash, wrapping to the first point.
/// Points are parallel sorted arrays (positions, owners); a bucket index over the top bits of the position
/// narrows the search to a few entries, with the same result as a binary search over all points.
/// </summary>
internal sealed class RingHash<TNode> : ConsistentHashBase<TNode>
{
    /// <summary>Upper bound on the number of points, so a typo in a weight cannot exhaust memory.</summary>
    internal const long MaxPoints = 64L * 1024 * 1024;

    private readonly ulong[] _positions;
    private readonly int[] _owners;
    private readonly int[] _bucketStarts;
    private readonly int _shift;

    public RingHash(HashNode<TNode>[] nodes, ConsistentHashOptions options)
        : base(nodes, options)
    {
        int perWeight = options.PointsPerWeight;
        if (perWeight <= 0)
        {
            throw new ArgumentException($"PointsPerWeight must be positive; it is {perWeight}.", nameof(options));
        }

        long total = TotalWeight * perWeight;
        if (total > MaxPoints)
        {
            throw new ArgumentException($"The ring would have {total} points (total weight {TotalWeight} x {perWeight} per weight); the limit is {MaxPoints}.", nameof(options));
        }

        int count = (int)total;

        // About one to two points per bucket: lookups scan a handful of adjacent entries.
        int bits = Math.Clamp(BitOperations.Log2((uint)count), 1, 24);
        _shift = 64 - bits;
        var positions = new ulong[count];
        var owners = new int[count];
        FillPoints(nodes, perWeight, positions, owners);
        (_positions, _owners, _bucketStarts) = SortIntoBuckets(positions, owners, bits, _shift, IdRanks);
    }

    public override ConsistentHashAlgorithm Algorithm => ConsistentHashAlgorithm.Ring;

    /// <summary>The sorted point positions (tests).</summary>
    internal ReadOnlySpan<ulong> Positions => _positions;

    /// <summary>The owner node index of each point (tests).</summary>
    internal ReadOnlySpan<int> Owners => _owners;

    [SkipLocalsInit]
    private static void FillPoints(HashNode<TNode>[] nodes, int perWeight, ulong[] positions, int[] owners)
    {
        int p = 0;
        Span<byte> stack = stackalloc byte[512];
        for (int i = 0; i < nodes.Length; i++)
        {
            string id = nodes[i].Id;
            int idBytes = Encoding.UTF8.GetByteCount(id);
            Span<byte> name = idBytes + 12 <= stack.Length ? stack : new byte[idBytes + 12];
            Encoding.UTF8.GetBytes(id, name);
            name[idBytes] = (byte)'-';
            Span<byte> digits = name[(idBytes + 1)..];
            int points = nodes[i].Weight * perWeight;
            for (int k = 0; k < points; k++)
            {
                Utf8Formatter.TryFormat(k, digits, out int written);
                positions[p] = XxHash3.HashToUInt64(name[..(idBytes + 1 + written)]);
                owners[p] = i;
                p++;
            }
        }
    }

    /// <summary>
    /// Sorts the points by (position, owner's id rank) with a counting sort on the top <paramref name="bits"/> bits
    /// followed by an insertion sort of each bucket: O(points), since hash positions are uniform. Ordering equal
    /// positions (a 64-bit collision, practically never) by id keeps the result independent of input order.
    /// The bucket starts double as the lookup index.
    /// </summary>
    private static (ulong[] Positions, int[] Owners, int[] BucketStarts) SortIntoBuckets(ulong[] positions, int[] owners, int bits, int shift, int[] idRanks)
    {
        int buckets = 1 << bits;
        var starts = new int[buckets + 1];
        foreach (ulong position in positions)
        {
            starts[(int)(position >> shift) + 1]++;
        }

        for (int b = 0; b < buckets; b++)
        {
            starts[b + 1] += starts[b];
        }

        var next = new int[buckets];
        Array.Copy(starts, next, buckets);
        var sortedPositions = new ulong[positions.Length];
        var sortedOwners = new int[owners.Length];
        for (int p = 0; p < positions.Length; p++)
        {
            int at = next[(int)(positions[p] >> shift)]++;
            sortedPositions[at] = positions[p];
            sortedOwners[at] = owners[p];
        }

        for (int b = 0; b < buckets; b++)
        {
            int start = starts[b];
            int end = starts[b + 1];
            if (end - start > 1)
            {
                SortBucket(sortedPositions, sortedOwners, start, end, idRanks);
            }
        }

        return (sortedPositions, sortedOwners, starts);
    }

    private static void SortBucket(ulong[] positions, int[] owners, int start, int end, int[] idRanks)
    {
        if (end - start > 32)
        {
            // Unusually full bucket: sort the run, then order ties by id below.
            Array.Sort(positions, owners, start, end - start);
        }

        for (int a = start + 1; a < end; a++)
        {
            ulong position = positions[a];
            int owner = owners[a];
            int b = a - 1;
            while (b >= start && (positions[b] > position || (positions[b] == position && idRanks[owners[b]] > idRanks[owner])))
            {
                positions[b + 1] = positions[b];
                owners[b + 1] = owners[b];
                b--;
            }

            positions[b + 1] = position;
            owners[b + 1] = owner;
        }
    }

    /// <summary>The index of the first point at or after <paramref name="hash"/>, wrapping to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindPoint(ulong hash)
    {
        int bucket = (int)(hash >> _shift);
        int i = _bucketStarts[bucket];
        int end = _bucketStarts[bucket + 1];
        ulong[] positions = _positions;
        while (i < end && positions[i] < hash)
        {
            i++;
        }

        return i == positions.Length ? 0 : i;
    }

    internal override int IndexOf(ulong code) => _owners[FindPoint(code)];

    [SkipLocalsInit]
    internal override void IndexesOf(ulong code, Span<int> destination)
    {
        int point = FindPoint(code);
        if (destination.Length == 1)
        {
            destination[0] = _owners[point];
            return;
        }

        // Every node owns at least one point, so the walk meets them all.
        var seen = new DistinctSet(Count, stackalloc ulong[DistinctSet.StackWords]);
        try
        {
            seen.CollectAlong(_owners, point, destination);
        }
        finally
        {
            seen.Dispose();
        }
    }

    private protected override IConsistentHash<TNode> WithNodes(HashNode<TNode>[] nodes) => new RingHash<TNode>(nodes, Options);
}
