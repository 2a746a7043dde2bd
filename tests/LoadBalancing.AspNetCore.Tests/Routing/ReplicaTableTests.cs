using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Routing;

public sealed class ReplicaTableTests
{
    private static ReplicaState State(int i) => new(new Replica($"r{i}", new Uri($"http://127.0.0.1:{1000 + i}/"), i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Property]
    public bool JoinLeave_AnySequence_SnapshotHoldsExactlyTheJoinedReplicas(int[] operations)
    {
        var table = new ReplicaTable(Options.Create(new ConsistentHashBalancerOptions()));
        var states = Enumerable.Range(0, 8).Select(State).ToArray();
        var expected = new HashSet<string>();
        foreach (var op in operations ?? [])
        {
            var state = states[Math.Abs(op % 8)];
            if (op >= 0)
            {
                table.Join(state);
                expected.Add(state.Hostname);
            }
            else
            {
                table.Leave(state);
                expected.Remove(state.Hostname);
            }
        }

        var snapshot = table.Current;
        return snapshot.Replicas.Select(r => r.Hostname).ToHashSet().SetEquals(expected)
               && (snapshot.Hash is null) == (expected.Count == 0)
               && snapshot.Replicas.All(r => r.IsRoutable);
    }

    [Theory]
    [InlineData(Ringway.ConsistentHashing.ConsistentHashAlgorithm.Jump)]
    [InlineData(Ringway.ConsistentHashing.ConsistentHashAlgorithm.Classic)]
    public void Join_PositionalAlgorithms_MovesOnlyKeysTheNewReplicaTakes(Ringway.ConsistentHashing.ConsistentHashAlgorithm algorithm)
    {
        // "r0" sorts before the others: a rebuild from a sorted list would shift every position (Jump) or id (Classic).
        var table = new ReplicaTable(Options.Create(new ConsistentHashBalancerOptions { Hashing = { Algorithm = algorithm } }));
        foreach (var i in new[] { 1, 2, 3, 4 })
        {
            table.Join(State(i));
        }

        var keys = Enumerable.Range(0, 2000).Select(k => (ulong)(100_000 + (k * 449))).ToArray();
        var before = keys.Select(k => table.Current.Hash!.GetNode(k).Hostname).ToArray();
        table.Join(State(0));
        var after = keys.Select(k => table.Current.Hash!.GetNode(k).Hostname).ToArray();

        // Every key that moved, moved to the new replica.
        Assert.All(before.Zip(after).Where(p => p.First != p.Second), p => Assert.Equal("r0", p.Second));
        Assert.Equal(5, table.Current.Count);
    }

    [Fact]
    public void Leave_OldSnapshot_KeepsWorkingForRequestsInFlight()
    {
        var table = new ReplicaTable(Options.Create(new ConsistentHashBalancerOptions()));
        var a = State(1);
        var b = State(2);
        table.Join(a);
        table.Join(b);
        var before = table.Current;
        table.Leave(a);
        Assert.Equal(2, before.Count);
        Assert.NotNull(before.Hash!.GetNode("key"));
        Assert.Equal([b], table.Current.Replicas);
        Assert.False(a.IsRoutable);
    }

    [Property]
    public bool Join_DifferentOrders_SameRouting(PositiveInt seed)
    {
        var states = Enumerable.Range(0, 5).Select(State).ToArray();
        var shuffled = states.OrderBy(_ => new Random(seed.Get).Next()).ToArray();
        var first = new ReplicaTable(Options.Create(new ConsistentHashBalancerOptions()));
        var second = new ReplicaTable(Options.Create(new ConsistentHashBalancerOptions()));
        foreach (var s in states)
        {
            first.Join(s);
        }

        foreach (var s in shuffled)
        {
            second.Join(s);
        }

        return Enumerable.Range(0, 200).All(i => first.Current.Hash!.GetNode($"k{i}").Hostname == second.Current.Hash!.GetNode($"k{i}").Hostname);
    }
}
