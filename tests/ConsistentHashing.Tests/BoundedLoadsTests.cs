using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests;

public sealed class BoundedLoadsTests
{
    private static long Capacity(double factor, long total, int nodes) => (long)Math.Ceiling(factor * (total + 1) / nodes);

    [HashProperty]
    public void GetNodeIndex_PlacingKeysOneByOne_NoLoadExceedsCeilingOfFactorTimesAverage(NodeIds ids, Keys keys, byte factorStep)
    {
        double factor = 1 + (factorStep % 11 / 10.0); // 1.0, 1.1 ... 2.0
        foreach (var algorithm in Build.All)
        {
            var hash = Build.Hash(algorithm, ids.Nodes);
            var loads = new int[hash.Count];
            long total = 0;
            foreach (var key in keys.Values.Concat(Build.RandomKeys(300, keys.Values.Length)))
            {
                int node = BoundedLoads.GetNodeIndex(hash, key, loads, factor);
                Assert.True(loads[node] + 1 <= Capacity(factor, total, hash.Count), $"{algorithm}: node {node} would hold {loads[node] + 1} > ceil({factor} x {total + 1} / {hash.Count})");
                loads[node]++;
                total++;
            }
        }
    }

    [HashProperty]
    public void GetNodeIndex_RoomOnPreferredNode_SameAsPlainLookup(NodeIds ids, Keys keys)
    {
        foreach (var algorithm in Build.All)
        {
            var hash = Build.Hash(algorithm, ids.Nodes);
            var loads = new int[hash.Count];
            foreach (var key in keys.Values)
            {
                Assert.Equal(hash.GetNodeIndex(key), BoundedLoads.GetNodeIndex(hash, key, loads));
            }
        }
    }

    [HashProperty]
    public void GetNodeIndex_PreferredNodeFull_FirstNodeWithRoomInPreferenceOrder(NodeIds ids, Keys keys)
    {
        if (ids.Ids.Length < 2)
        {
            return;
        }

        foreach (var algorithm in Build.All)
        {
            var hash = Build.Hash(algorithm, ids.Nodes);
            var order = new int[hash.Count];
            foreach (var key in keys.Values)
            {
                hash.GetNodeIndexes(key, order);

                // The first two preferred nodes are at capacity, everyone else is empty.
                var loads = new int[hash.Count];
                int full = Math.Min(2, hash.Count - 1);
                int load = (int)Math.Ceiling(1.25 * ((full * 10) + 1) / hash.Count);
                for (int i = 0; i < full; i++)
                {
                    loads[order[i]] = Math.Max(load, 10);
                }

                // Recompute the cap with the loads actually set, and find the expected node the slow way.
                long total = loads.Sum();
                long cap = Capacity(1.25, total, hash.Count);
                int expected = order.First(n => loads[n] < cap);
                Assert.Equal(expected, BoundedLoads.GetNodeIndex(hash, key, loads));
            }
        }
    }

    [Fact]
    public void GetNodeIndex_WeightedNodes_CapacityProportionalToWeight()
    {
        var nodes = new[] { new HashNode<string>("a", "a", 1), new HashNode<string>("b", "b", 3) };
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Rendezvous, nodes);
        var loads = new int[2];
        foreach (var key in Build.RandomKeys(4000, 3))
        {
            int node = BoundedLoads.GetNodeIndex(hash, key, loads, 1.1);
            loads[node]++;
            long total = loads.Sum();
            Assert.True(loads[node] <= Math.Ceiling(1.1 * total * nodes[node].Weight / 4.0));
        }

        Assert.InRange(loads[1] / (double)loads[0], 2.7, 3.3);
    }

    [Fact]
    public void GetNodeIndex_InvalidArguments_Throw()
    {
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Ring, Build.Nodes(3));
        Assert.Throws<ArgumentNullException>(() => BoundedLoads.GetNodeIndex<string>(null!, "k", new int[3]));
        Assert.Throws<ArgumentException>(() => BoundedLoads.GetNodeIndex(hash, "k", new int[2]));
        Assert.Throws<ArgumentException>(() => BoundedLoads.GetNodeIndex(hash, "k", new[] { 0, -1, 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => BoundedLoads.GetNodeIndex(hash, "k", new int[3], 0.9));
        Assert.Throws<ArgumentOutOfRangeException>(() => BoundedLoads.GetNodeIndex(hash, "k", new int[3], double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => BoundedLoads.GetNodeIndex(hash, "k", new int[3], double.PositiveInfinity));
    }

    [Fact]
    public void GetNodeIndex_ManyNodesAllButLastFull_FindsTheLastWithoutAllocating()
    {
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Ring, Build.Nodes(1000));
        // With c = 1 and 999 nodes at 6, the capacity is ceil(5995 / 1000) = 6: only node 123 has room.
        var loads = Enumerable.Repeat(6, 1000).ToArray();
        loads[123] = 1;
        Assert.Equal(123, BoundedLoads.GetNodeIndex(hash, "some key", loads, 1.0));

        // Best of three: ArrayPool trimming after a GC from parallel tests can cost one re-rent.
        long fewest = long.MaxValue;
        for (int attempt = 0; attempt < 3 && fewest > 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++)
            {
                BoundedLoads.GetNodeIndex(hash, "some key", loads, 1.0);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
    }
}
