using FsCheck.Xunit;
using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests.HotKeys;

public sealed class HotKeySketchTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Record_ZipfStream_EstimatesNeverBelowTheTruthAndCloseToIt_TopKeysInOrder()
    {
        var sketch = new HotKeySketch();
        var zipf = new Zipf(10_000, 1.1, seed: 3);
        var counts = new int[10_001];
        for (int i = 0; i < 200_000; i++)
        {
            int rank = zipf.Next();
            counts[rank]++;
            sketch.Record($"key-{rank}", Now);
        }

        Assert.Equal(200_000, sketch.TotalRequests);
        for (int rank = 1; rank <= 10_000; rank += rank < 100 ? 1 : 97)
        {
            double truth = counts[rank] / 200_000.0;
            double estimate = sketch.ShareOf($"key-{rank}");
            Assert.True(estimate >= truth, $"key-{rank}: estimate {estimate} below the truth {truth}");
            Assert.True(estimate - truth < 0.005, $"key-{rank}: estimate {estimate}, truth {truth}"); // e / 2048 = 0.13 % at 98 %
        }

        var top = sketch.TopKeys();
        Assert.Equal(16, top.Count);
        Assert.Equal(Enumerable.Range(1, 5).Select(r => $"key-{r}"), top.Take(5).Select(k => k.Key));
        Assert.Equal(counts[1] / 200_000.0, top[0].Share, 2);
    }

    [Fact]
    public void Record_KeyThatStops_LosesHalfItsWeightPerHalfLife()
    {
        var sketch = new HotKeySketch(new HotKeyOptions { HalfLife = TimeSpan.FromSeconds(10), MinimumRequests = 1 });
        for (int i = 0; i < 10_000; i++)
        {
            sketch.Record("old", Now);
        }

        Assert.Equal(1.0, sketch.ShareOf("old"));

        // Two half-lives later: "old" counts 2,500 and "new" 10,000.
        for (int i = 0; i < 10_000; i++)
        {
            sketch.Record("new", Now.AddSeconds(20.5));
        }

        Assert.Equal(12_500, sketch.TotalRequests);
        Assert.Equal(0.2, sketch.ShareOf("old"), 3);
        Assert.Equal(0.8, sketch.ShareOf("new"), 3);
        Assert.Equal(["new", "old"], sketch.TopKeys().Select(k => k.Key));
    }

    [Fact]
    public void Record_FewRequestsSoFar_SharesAreMeasuredAgainstTheMinimum()
    {
        var sketch = new HotKeySketch(new HotKeyOptions { MinimumRequests = 1_000 });

        Assert.Equal(0.001, sketch.Record("first", Now));
        Assert.Equal(0.002, sketch.Record("first", Now));
    }

    [Fact]
    public void Record_FromSeveralThreads_CountsEveryRequest()
    {
        var sketch = new HotKeySketch(new HotKeyOptions { MinimumRequests = 1 });
        const int PerThread = 50_000;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, thread =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                sketch.Record(i % 4 == 0 ? "hot" : $"cold-{thread}-{i % 1000}", Now);
            }
        });

        Assert.Equal(4 * PerThread, sketch.TotalRequests);
        Assert.InRange(sketch.ShareOf("hot"), 0.25, 0.26);
        Assert.Equal("hot", sketch.TopKeys()[0].Key);
    }

    [Fact]
    public void TopKeys_LongKey_IsCutAt64Characters()
    {
        var sketch = new HotKeySketch();
        string key = new('k', 100);
        for (int i = 0; i < 64; i++)
        {
            sketch.Record(key, Now);
        }

        Assert.Equal(new string('k', 64) + "…", Assert.Single(sketch.TopKeys()).Key);
    }

    [Fact]
    public void Record_AllocatesNothing()
    {
        var sketch = new HotKeySketch();
        string[] keys = Build.RandomKeys(64, 1);
        sketch.Record(keys[0], Now);
        long fewest = long.MaxValue;
        for (int attempt = 0; attempt < 3 && fewest > 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++)
            {
                sketch.Record(keys[i % 8], Now.AddSeconds(i / 1000)); // hot keys enter the top list, and counts are halved
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
    }

    [Property(MaxTest = 500)]
    public void ReplicasFor_GrowsWithTheShare_AndStaysWithinItsLimits(ushort shareThousandths, ushort otherThousandths, byte nodes, byte max, byte factorStep)
    {
        double a = (shareThousandths % 1001) / 1000.0;
        double b = (otherThousandths % 1001) / 1000.0;
        int n = 1 + (nodes % 100);
        int cap = 1 + (max % 64);
        double factor = 1.01 + (factorStep % 100 / 100.0);
        int ka = HotKeySpreading.ReplicasFor(Math.Min(a, b), n, factor, cap);
        int kb = HotKeySpreading.ReplicasFor(Math.Max(a, b), n, factor, cap);

        Assert.InRange(ka, 1, Math.Min(n, cap));
        Assert.InRange(kb, ka, Math.Min(n, cap));
    }

    [Theory]
    [InlineData(0.135, 10, 1.15, 16, 10)] // the hottest of 100,000 Zipf(1.1) keys over 10 replicas: ceil(9.47)
    [InlineData(0.135, 10, 1.15, 8, 8)]
    [InlineData(0.063, 10, 1.15, 8, 6)]
    [InlineData(0.0078, 10, 1.15, 8, 1)] // up to (c - 1) / (2n - 1) = 0.79 %: one node
    [InlineData(0.0080, 10, 1.15, 8, 2)]
    [InlineData(0.5, 10, 1.15, 4, 4)] // capped
    [InlineData(0.9, 3, 1.25, 8, 3)] // never more than the nodes
    [InlineData(0, 10, 1.25, 8, 1)]
    public void ReplicasFor_Examples(double share, int nodes, double factor, int max, int expected)
        => Assert.Equal(expected, HotKeySpreading.ReplicasFor(share, nodes, factor, max));

    [Fact]
    public void Options_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HotKeySketch(new HotKeyOptions { LoadFactor = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HotKeySketch(new HotKeyOptions { LoadFactor = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HotKeySketch(new HotKeyOptions { MaxReplicas = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HotKeySketch(new HotKeyOptions { MaxReplicas = 65 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HotKeySketch(new HotKeyOptions { HalfLife = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HotKeySketch(new HotKeyOptions { SketchWidth = 1000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HotKeySketch(new HotKeyOptions { SketchWidth = 128 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HotKeySketch(new HotKeyOptions { TopKeys = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HotKeySketch(new HotKeyOptions { MinimumRequests = 0 }));
    }
}
