using FsCheck.Xunit;
using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests.WarmUp;

public sealed class WarmUpTests
{
    private static readonly DateTimeOffset Joined = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    [Property(MaxTest = 500)]
    public void Ramp_LaterTime_NeverSmaller_AndStaysWithinZeroAndOne(int joinSeconds, ushort windowSeconds, int first, int second)
    {
        var joined = Joined.AddSeconds(joinSeconds % 100_000);
        var window = TimeSpan.FromSeconds(windowSeconds % 1000);
        var earlier = Joined.AddSeconds(Math.Min(first, second) % 200_000);
        var later = Joined.AddSeconds(Math.Max(first, second) % 200_000);
        if (earlier > later)
        {
            (earlier, later) = (later, earlier);
        }

        double a = ConsistentHashing.WarmUp.Ramp(joined, window, earlier);
        double b = ConsistentHashing.WarmUp.Ramp(joined, window, later);
        Assert.InRange(a, 0, 1);
        Assert.InRange(b, 0, 1);
        Assert.True(a <= b, $"ramp went down from {a} at {earlier} to {b} at {later}");
    }

    [Fact]
    public void Ramp_ZeroBeforeTheJoin_LinearInTheWindow_OneAfter()
    {
        Assert.Equal(0, ConsistentHashing.WarmUp.Ramp(Joined, Window, Joined.AddSeconds(-5)));
        Assert.Equal(0, ConsistentHashing.WarmUp.Ramp(Joined, Window, Joined));
        Assert.Equal(0.25, ConsistentHashing.WarmUp.Ramp(Joined, Window, Joined.AddSeconds(30)), 12);
        Assert.Equal(1, ConsistentHashing.WarmUp.Ramp(Joined, Window, Joined + Window));
        Assert.Equal(1, ConsistentHashing.WarmUp.Ramp(Joined, Window, Joined.AddDays(1)));
        Assert.Equal(1, ConsistentHashing.WarmUp.Ramp(Joined, TimeSpan.Zero, Joined));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConsistentHashing.WarmUp.Ramp(Joined, TimeSpan.FromSeconds(-1), Joined));
    }

    [HashProperty]
    public void GetNodeIndex_DuringWarmUp_OwnerWithTheNewcomerOrOwnerWithoutIt(NodeIds ids, Keys keys, ushort elapsedSeconds)
    {
        if (ids.Ids.Length < 2)
        {
            return;
        }

        var now = Joined.AddSeconds(elapsedSeconds % 150);
        foreach (var algorithm in Build.All)
        {
            // The newcomer joins the way a balancer adds it: appended to the existing snapshot.
            var without = Build.Hash(algorithm, ids.Nodes[..^1]);
            var newcomer = ids.Nodes[^1];
            var with = without.Add(newcomer);
            var schedule = Schedule(with, newcomer.Id, Joined);
            foreach (var key in keys.Values.Concat(Build.RandomKeys(100, elapsedSeconds)))
            {
                string served = with.Nodes[schedule.GetNodeIndex(key, now)].Id;
                Assert.True(
                    served == with.GetNode(key) || served == without.GetNode(key),
                    $"{algorithm}: '{key}' went to {served}, neither {with.GetNode(key)} (with {newcomer.Id}) nor {without.GetNode(key)} (without)");
            }
        }
    }

    [HashProperty]
    public void GetNodeIndex_KeyMovedToTheNewcomer_StaysThereAsTheRampGrows(NodeIds ids, ushort first, ushort second)
    {
        if (ids.Ids.Length < 2)
        {
            return;
        }

        var earlier = Joined.AddSeconds(Math.Min(first, second) % 130);
        var later = Joined.AddSeconds(Math.Max(first, second) % 130);
        if (earlier > later)
        {
            (earlier, later) = (later, earlier);
        }

        foreach (var algorithm in Build.All)
        {
            var with = Build.Hash(algorithm, ids.Nodes[..^1]).Add(ids.Nodes[^1]);
            var schedule = Schedule(with, ids.Nodes[^1].Id, Joined);
            foreach (var key in Build.RandomKeys(200, first))
            {
                int then = schedule.GetNodeIndex(key, earlier);
                if (then == with.Count - 1)
                {
                    Assert.Equal(then, schedule.GetNodeIndex(key, later));
                }
            }
        }
    }

    [Theory]
    [InlineData(ConsistentHashAlgorithm.Ring)]
    [InlineData(ConsistentHashAlgorithm.Maglev)]
    [InlineData(ConsistentHashAlgorithm.Rendezvous)]
    [InlineData(ConsistentHashAlgorithm.Jump)]
    [InlineData(ConsistentHashAlgorithm.Classic)]
    public void GetNodeIndex_AcrossTheWindow_MovesTheRampsShareOfKeys_ThenEveryKeyIsWhereTheAlgorithmPutsIt(ConsistentHashAlgorithm algorithm)
    {
        var without = ConsistentHash.Create(algorithm, Build.Nodes(9));
        var with = without.Add(new HashNode<string>("node-10", "node-10"));
        var schedule = Schedule(with, "node-10", Joined);
        var keys = Build.RandomKeys(20_000, 5);
        var moving = keys.Where(k => with.GetNode(k) != without.GetNode(k)).ToArray();

        double MovedAt(DateTimeOffset at) => moving.Count(k => with.Nodes[schedule.GetNodeIndex(k, at)].Id == with.GetNode(k)) / (double)moving.Length;

        Assert.Equal(0, MovedAt(Joined));
        Assert.InRange(MovedAt(Joined + (Window / 4)), 0.2, 0.3); // 2,000 moving keys: the binomial spread is about 1 %
        Assert.InRange(MovedAt(Joined + (Window / 2)), 0.45, 0.55);
        Assert.Equal(1, MovedAt(Joined + Window));
        Assert.All(keys, k => Assert.Equal(with.GetNodeIndex(k), schedule.GetNodeIndex(k, Joined + Window)));
        Assert.All(keys, k => Assert.Equal(without.GetNode(k), with.Nodes[schedule.GetNodeIndex(k, Joined.AddSeconds(-1))].Id));
        Assert.True(schedule.IsWarming(Joined + (Window / 2)));
        Assert.False(schedule.IsWarming(Joined + Window));
        Assert.Equal(Joined + Window, schedule.WarmUntil);
    }

    [Fact]
    public void Schedule_NodeLeavesAndReturns_RampsAgainFromItsNewJoinTime()
    {
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Rendezvous, Build.Nodes(5));
        var rejoined = Joined.AddHours(1);
        var first = Schedule(hash, "node-3", Joined);
        var again = Schedule(hash, "node-3", rejoined);
        var ownedByIt = Build.RandomKeys(2_000, 9).Where(k => hash.GetNode(k) == "node-3").ToArray();

        Assert.All(ownedByIt, k => Assert.Equal("node-3", hash.Nodes[first.GetNodeIndex(k, rejoined)].Id));
        Assert.All(ownedByIt, k => Assert.NotEqual("node-3", hash.Nodes[again.GetNodeIndex(k, rejoined)].Id));
        Assert.Equal(0, again.ShareOf(2, rejoined));
        Assert.Equal(1, again.ShareOf(0, rejoined));
    }

    [Fact]
    public void Schedule_NoNodeOrEveryNodeWarming_IsPlainHashing()
    {
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Ring, Build.Nodes(4));
        var nobody = new WarmUpSchedule<string>(hash, Window, Enumerable.Repeat(DateTimeOffset.MinValue, 4).ToArray(), Joined);
        var everybody = new WarmUpSchedule<string>(hash, Window, Enumerable.Repeat(Joined, 4).ToArray(), Joined);

        Assert.Empty(nobody.Warming);
        Assert.Empty(everybody.Warming);
        Assert.False(everybody.IsWarming(Joined));
        Assert.Equal(DateTimeOffset.MinValue, everybody.WarmUntil);
        Assert.All(Build.RandomKeys(500, 2), k =>
        {
            Assert.Equal(hash.GetNodeIndex(k), nobody.GetNodeIndex(k, Joined));
            Assert.Equal(hash.GetNodeIndex(k), everybody.GetNodeIndex(k, Joined.AddSeconds(1)));
        });
    }

    [Fact]
    public void GetNodeIndexes_HeldBackKey_SettledOrderThenTheWarmingNode()
    {
        var without = ConsistentHash.Create(ConsistentHashAlgorithm.Maglev, Build.Nodes(6));
        var with = without.Add(new HashNode<string>("node-7", "node-7"));
        var schedule = Schedule(with, "node-7", Joined);
        var heldBack = Build.RandomKeys(5_000, 4).First(k => with.GetNode(k) == "node-7");
        var order = new int[10];

        int written = schedule.GetNodeIndexes(heldBack, Joined, order);

        Assert.Equal(7, written);
        var settled = new string[6];
        without.GetNodes(heldBack, settled);
        Assert.Equal(settled.Append("node-7"), order.Take(written).Select(i => with.Nodes[i].Id));
        Assert.Equal(schedule.GetNodeIndex(heldBack, Joined), order[0]);

        // Once it moved, the order is the full snapshot's.
        var full = new int[7];
        with.GetNodeIndexes(heldBack, full);
        schedule.GetNodeIndexes(heldBack, Joined + Window, order);
        Assert.Equal(full, order.Take(7));
    }

    [Fact]
    public void Schedule_InvalidArguments_Throw()
    {
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Ring, Build.Nodes(3));
        var times = new DateTimeOffset[3];
        Assert.Throws<ArgumentNullException>(() => new WarmUpSchedule<string>(null!, Window, times, Joined));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WarmUpSchedule<string>(hash, TimeSpan.FromSeconds(-1), times, Joined));
        Assert.Throws<ArgumentException>(() => new WarmUpSchedule<string>(hash, Window, new DateTimeOffset[2], Joined));
        var schedule = new WarmUpSchedule<string>(hash, Window, times, Joined);
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.ShareOf(3, Joined));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.ShareOf(-1, Joined));
    }

    private static WarmUpSchedule<string> Schedule(IConsistentHash<string> hash, string joiningId, DateTimeOffset joinedAt)
    {
        var times = hash.Nodes.Select(n => n.Id == joiningId ? joinedAt : DateTimeOffset.MinValue).ToArray();
        return new WarmUpSchedule<string>(hash, Window, times, joinedAt);
    }
}
