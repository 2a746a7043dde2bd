using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests.Algorithms;

/// <summary>
/// Statistical properties on fixed node sets and seeded keys, so they are deterministic. Bounds come from the
/// math with a wide margin (see docs/hashing.md): with 100,000 keys over 10 nodes the sampling noise of one
/// node's share is about 1% (sigma), and a ring node with 160 points owns its share with a spread of about
/// 1/sqrt(160) = 8%.
/// </summary>
public sealed class DistributionTests
{
    private static readonly string[] Keys = Build.RandomKeys(100_000, 2026);

    [Theory]
    [InlineData(ConsistentHashAlgorithm.Ring, 1.35)]
    [InlineData(ConsistentHashAlgorithm.Maglev, 1.06)]
    [InlineData(ConsistentHashAlgorithm.Rendezvous, 1.06)]
    [InlineData(ConsistentHashAlgorithm.Jump, 1.06)]
    public void GetNode_100kKeysOver10Nodes_PeakToMeanWithinBound(ConsistentHashAlgorithm algorithm, double bound)
    {
        var hash = ConsistentHash.Create(algorithm, Build.Nodes(10));
        double peakToMean = Build.PeakToMean(Build.Loads(hash, Keys));
        Assert.InRange(peakToMean, 1.0, bound);
    }

    [Fact]
    public void GetNode_ClassicWith3Servers_IsSkewedAsDocumented()
    {
        // Not a bug: H reaches only 128 of 512 slots and the servers' virtual nodes cluster (docs/hashing.md, section 7).
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Classic, Build.Nodes(3));
        var random = new Random(7);
        var loads = new int[3];
        for (int i = 0; i < 30_000; i++)
        {
            string node = hash.GetNode((ulong)random.Next(100_000, 1_000_000));
            loads[int.Parse(node.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture) - 1]++;
        }

        Assert.True(Build.PeakToMean(loads) > 1.5, $"classic loads {string.Join('/', loads)}");
    }

    [Theory]
    [InlineData(ConsistentHashAlgorithm.Ring, 0.65, 1.35)]
    [InlineData(ConsistentHashAlgorithm.Maglev, 0.9, 1.5)]
    [InlineData(ConsistentHashAlgorithm.Rendezvous, 0.94, 1.06)]
    [InlineData(ConsistentHashAlgorithm.Jump, 0.94, 1.06)]
    public void Add_10To11Nodes_FractionMovedWithinFactorOfOptimum(ConsistentHashAlgorithm algorithm, double low, double high)
    {
        var before = ConsistentHash.Create(algorithm, Build.Nodes(10));
        var after = before.Add(new HashNode<string>("node-11", "node-11"));
        int moved = Keys.Count(k => before.GetNode(k) != after.GetNode(k));
        double ratio = moved / (double)Keys.Length / (1.0 / 11);
        Assert.InRange(ratio, low, high);
    }

    [Theory]
    [InlineData(ConsistentHashAlgorithm.Ring, 0.65, 1.35)]
    [InlineData(ConsistentHashAlgorithm.Maglev, 0.9, 1.5)]
    [InlineData(ConsistentHashAlgorithm.Rendezvous, 0.94, 1.06)]
    public void Remove_11To10Nodes_FractionMovedWithinFactorOfOptimum(ConsistentHashAlgorithm algorithm, double low, double high)
    {
        var before = ConsistentHash.Create(algorithm, Build.Nodes(11));
        var after = before.Remove("node-4");
        int moved = Keys.Count(k => before.GetNode(k) != after.GetNode(k));
        double ratio = moved / (double)Keys.Length / (1.0 / 11);
        Assert.InRange(ratio, low, high);
    }

    [Theory]
    [InlineData(ConsistentHashAlgorithm.Ring, 0.2)]
    [InlineData(ConsistentHashAlgorithm.Maglev, 0.05)]
    [InlineData(ConsistentHashAlgorithm.Rendezvous, 0.05)]
    public void GetNode_Weights1To2To3_SharesProportionalWithinTolerance(ConsistentHashAlgorithm algorithm, double tolerance)
    {
        var nodes = new[] { new HashNode<string>("light", "light", 1), new HashNode<string>("middle", "middle", 2), new HashNode<string>("heavy", "heavy", 3) };
        var hash = ConsistentHash.Create(algorithm, nodes);
        var loads = Build.Loads(hash, Keys);
        for (int i = 0; i < nodes.Length; i++)
        {
            double expected = Keys.Length * nodes[i].Weight / 6.0;
            Assert.InRange(loads[i] / expected, 1 - tolerance, 1 + tolerance);
        }
    }

    [Theory]
    [InlineData(ConsistentHashAlgorithm.Ring, 0.2, 2.3)]
    [InlineData(ConsistentHashAlgorithm.Maglev, 0.8, 1.2)]
    [InlineData(ConsistentHashAlgorithm.Rendezvous, 0.8, 1.2)]
    [InlineData(ConsistentHashAlgorithm.Jump, 0.8, 1.2)]
    public void GetNodes_SecondChoices_SpreadOverAllOtherNodes(ConsistentHashAlgorithm algorithm, double low, double high)
    {
        // Failover of one node must not dump its keys on a single neighbour. A ring node's second choices follow its
        // 160 arcs, so their shares vary by about 1/sqrt(160/9) = 24% plus the arc lengths' own spread; the others are
        // close to even.
        var hash = ConsistentHash.Create(algorithm, Build.Nodes(10));
        var top = new int[2];
        var seconds = new int[10];
        int owned = 0;
        foreach (var key in Keys)
        {
            hash.GetNodeIndexes(key, top);
            if (top[0] == 0)
            {
                seconds[top[1]]++;
                owned++;
            }
        }

        Assert.Equal(0, seconds[0]);
        Assert.All(seconds.Skip(1), count => Assert.InRange(count, owned / 9.0 * low, owned / 9.0 * high));
    }
}
