using Ringway.ConsistentHashing.Hashing;

namespace Ringway.ConsistentHashing.Algorithms;

/// <summary>
/// Jump consistent hash (Lamping and Veach, 2014): bucket = position in the node list. No memory, near-perfect
/// balance, minimal movement when a bucket is appended or the last one removed. Its limit: only the last bucket
/// can be removed cleanly. Removing another node moves the last node into its bucket (so about twice the
/// optimal number of keys move, and the node order changes). Weights are not supported.
/// </summary>
internal sealed class JumpHash<TNode> : ConsistentHashBase<TNode>
{
    public JumpHash(HashNode<TNode>[] nodes, ConsistentHashOptions options)
        : base(nodes, options)
        => NodeSet.RequireUnitWeights(nodes, ConsistentHashAlgorithm.Jump);

    public override ConsistentHashAlgorithm Algorithm => ConsistentHashAlgorithm.Jump;

    /// <summary>The reference algorithm from the paper, verbatim.</summary>
    internal static int Bucket(ulong key, int buckets)
    {
        long b = -1;
        long j = 0;
        while (j < buckets)
        {
            b = j;
            key = (key * 2862933555777941757UL) + 1;
            j = (long)((b + 1) * ((double)(1L << 31) / ((key >> 33) + 1)));
        }

        return (int)b;
    }

    internal override int IndexOf(ulong code) => Bucket(code, Count);

    /// <summary>
    /// Preference order: candidate 0 is Bucket(h, n); candidate k &gt;= 1 is the b-th bucket (ascending) among
    /// those not chosen yet, b = Bucket(Mix(h + k x 0x9E3779B97F4A7C15), n - k): jump hash over successively
    /// smaller bucket sets, each with its own SplitMix64-derived key.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    internal override void IndexesOf(ulong code, Span<int> destination)
    {
        int n = Count;
        destination[0] = Bucket(code, n);
        if (destination.Length == 1)
        {
            return;
        }

        int[]? rented = null;
        Span<int> sorted = destination.Length <= 256 ? stackalloc int[256] : (rented = System.Buffers.ArrayPool<int>.Shared.Rent(destination.Length));
        try
        {
            sorted[0] = destination[0];
            for (int k = 1; k < destination.Length; k++)
            {
                int b = Bucket(KeyHash.Mix(code + ((ulong)k * 0x9E3779B97F4A7C15UL)), n - k);

                // Skip the k already chosen buckets (kept sorted) to find the b-th free one.
                int at = 0;
                while (at < k && sorted[at] <= b)
                {
                    b++;
                    at++;
                }

                destination[k] = b;
                sorted[..k][at..].CopyTo(sorted[(at + 1)..]);
                sorted[at] = b;
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Removing the last node is clean; removing another moves the last node into its bucket.</summary>
    public override IConsistentHash<TNode> Remove(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        int index = NodeSet.IndexOf(NodeArray, id);
        if (index < 0 || Count == 1 || index == Count - 1)
        {
            return base.Remove(id);
        }

        var nodes = new HashNode<TNode>[Count - 1];
        Array.Copy(NodeArray, nodes, Count - 1);
        nodes[index] = NodeArray[^1];
        return new JumpHash<TNode>(nodes, Options);
    }

    private protected override IConsistentHash<TNode> WithNodes(HashNode<TNode>[] nodes) => new JumpHash<TNode>(nodes, Options);
}
