using System.Runtime.CompilerServices;
using Ringway.ConsistentHashing.Hashing;

namespace Ringway.ConsistentHashing.Algorithms;

/// <summary>
/// Weighted rendezvous (highest random weight) hashing: every node scores the key and the highest score wins.
/// z = Mix(keyHash XOR nodeHash); with equal weights nodes are ranked by z, otherwise by the weighted score
/// -w / ln(u), u = ((z &gt;&gt; 11) + 0.5) / 2^53, which gives node i a share w_i / W of the keys.
/// Equal scores go to the larger z, then to the smaller id (ordinal). O(n) per lookup.
/// </summary>
internal sealed class RendezvousHash<TNode> : ConsistentHashBase<TNode>
{
    private readonly ulong[] _nodeHashes;
    private readonly double[] _weights;

    public RendezvousHash(HashNode<TNode>[] nodes, ConsistentHashOptions options)
        : base(nodes, options)
    {
        _nodeHashes = new ulong[nodes.Length];
        _weights = new double[nodes.Length];
        for (int i = 0; i < nodes.Length; i++)
        {
            _nodeHashes[i] = KeyHash.NodeId(nodes[i].Id, 0);
            _weights[i] = nodes[i].Weight;
        }
    }

    public override ConsistentHashAlgorithm Algorithm => ConsistentHashAlgorithm.Rendezvous;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double WeightedScore(ulong z, double weight)
    {
        double u = ((z >> 11) + 0.5) * (1.0 / (1UL << 53));
        return -weight / Math.Log(u);
    }

    /// <summary>True when node a (score sa, mix za) ranks before node b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Before(int a, double sa, ulong za, int b, double sb, ulong zb)
    {
        if (sa != sb)
        {
            return sa > sb;
        }

        if (za != zb)
        {
            return za > zb;
        }

        return IdRanks[a] < IdRanks[b];
    }

    internal override int IndexOf(ulong code)
    {
        ulong[] hashes = _nodeHashes;
        int best = 0;
        ulong bestZ = KeyHash.Mix(code ^ hashes[0]);
        if (UniformWeights)
        {
            for (int i = 1; i < hashes.Length; i++)
            {
                ulong z = KeyHash.Mix(code ^ hashes[i]);
                if (z > bestZ || (z == bestZ && IdRanks[i] < IdRanks[best]))
                {
                    best = i;
                    bestZ = z;
                }
            }

            return best;
        }

        double bestScore = WeightedScore(bestZ, _weights[0]);
        for (int i = 1; i < hashes.Length; i++)
        {
            ulong z = KeyHash.Mix(code ^ hashes[i]);
            double score = WeightedScore(z, _weights[i]);
            if (Before(i, score, z, best, bestScore, bestZ))
            {
                best = i;
                bestZ = z;
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>Preference order: nodes by descending score (top-k by insertion, no allocation for k &lt;= 128).</summary>
    [SkipLocalsInit]
    internal override void IndexesOf(ulong code, Span<int> destination)
    {
        int k = destination.Length;
        double[]? rentedScores = null;
        ulong[]? rentedZ = null;
        Span<double> scores = k <= 128 ? stackalloc double[128] : (rentedScores = System.Buffers.ArrayPool<double>.Shared.Rent(k));
        Span<ulong> zs = k <= 128 ? stackalloc ulong[128] : (rentedZ = System.Buffers.ArrayPool<ulong>.Shared.Rent(k));
        try
        {
            int found = 0;
            for (int i = 0; i < _nodeHashes.Length; i++)
            {
                ulong z = KeyHash.Mix(code ^ _nodeHashes[i]);
                double score = UniformWeights ? 0 : WeightedScore(z, _weights[i]);
                if (found == k && !Before(i, score, z, destination[k - 1], scores[k - 1], zs[k - 1]))
                {
                    continue;
                }

                int at = found == k ? k - 1 : found++;
                while (at > 0 && Before(i, score, z, destination[at - 1], scores[at - 1], zs[at - 1]))
                {
                    destination[at] = destination[at - 1];
                    scores[at] = scores[at - 1];
                    zs[at] = zs[at - 1];
                    at--;
                }

                destination[at] = i;
                scores[at] = score;
                zs[at] = z;
            }
        }
        finally
        {
            if (rentedScores is not null)
            {
                System.Buffers.ArrayPool<double>.Shared.Return(rentedScores);
            }

            if (rentedZ is not null)
            {
                System.Buffers.ArrayPool<ulong>.Shared.Return(rentedZ);
            }
        }
    }

    private protected override IConsistentHash<TNode> WithNodes(HashNode<TNode>[] nodes) => new RendezvousHash<TNode>(nodes, Options);
}
