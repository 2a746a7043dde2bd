using Ringway.ConsistentHashing.Algorithms;
using Ringway.ConsistentHashing.Hashing;
using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests.Algorithms;

public sealed class JumpHashTests
{
    [HashProperty]
    public void Bucket_OneMoreBucket_KeyStaysOrMovesToTheNewBucket(ulong key, ushort buckets)
    {
        int n = 1 + (buckets % 2000);
        int before = JumpHash<string>.Bucket(key, n);
        int after = JumpHash<string>.Bucket(key, n + 1);
        Assert.InRange(before, 0, n - 1);
        Assert.True(after == before || after == n);
    }

    [Fact]
    public void Bucket_KnownKeys_MatchReferenceImplementation()
    {
        // The paper's figure 1 (Lamping and Veach 2014), transcribed: pins the LCG constant and the floating-point step.
        static int Reference(ulong key, int n)
        {
            long b = -1, j = 0;
            while (j < n)
            {
                b = j;
                key = unchecked((key * 2862933555777941757UL) + 1);
                j = (long)((b + 1) * ((double)(1L << 31) / (double)((key >> 33) + 1)));
            }

            return (int)b;
        }

        var random = new Random(9);
        for (int i = 0; i < 10_000; i++)
        {
            ulong key = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
            int n = random.Next(1, 100_000);
            Assert.Equal(Reference(key, n), JumpHash<string>.Bucket(key, n));
        }

        Assert.Equal(0, JumpHash<string>.Bucket(12345, 1));
    }

    [Fact]
    public void GetNodes_Jump_SuccessivelySmallerBucketSetsWithSplitMixKeys()
    {
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Jump, Build.Nodes(8));
        ulong h = KeyHash.Chars("failover");
        var expected = new List<int> { JumpHash<string>.Bucket(h, 8) };
        for (int k = 1; k < 8; k++)
        {
            var free = Enumerable.Range(0, 8).Except(expected).ToList();
            expected.Add(free[JumpHash<string>.Bucket(KeyHash.Mix(h + ((ulong)k * 0x9E3779B97F4A7C15UL)), 8 - k)]);
        }

        var top = new int[8];
        hash.GetNodeIndexes("failover", top);
        Assert.Equal(expected, top);
    }

    [Fact]
    public void Remove_LastNode_NodeOrderKept()
    {
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Jump, Build.Nodes(4)).Remove("node-4");
        Assert.Equal(["node-1", "node-2", "node-3"], hash.Nodes.Select(n => n.Id));
    }
}
