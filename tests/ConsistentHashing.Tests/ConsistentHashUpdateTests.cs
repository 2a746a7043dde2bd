using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests;

/// <summary>ConsistentHash.Update: a snapshot over a changed node set that moves no more keys than the algorithm must.</summary>
public sealed class ConsistentHashUpdateTests
{
    private static readonly string[] Keys = Build.RandomKeys(4000, seed: 17);

    public static TheoryData<ConsistentHashAlgorithm> Algorithms => new(Build.All);

    public static TheoryData<ConsistentHashAlgorithm> Positional => new(ConsistentHashAlgorithm.Jump, ConsistentHashAlgorithm.Classic);

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Update_NoPrevious_SameAsCreateInOrdinalIdOrder(ConsistentHashAlgorithm algorithm)
    {
        var nodes = Build.Nodes(7);
        var shuffled = nodes.Reverse().ToArray();

        var updated = ConsistentHash.Update(null, algorithm, shuffled);
        var created = ConsistentHash.Create(algorithm, nodes.OrderBy(n => n.Id, StringComparer.Ordinal));

        Assert.Equal(created.Nodes, updated.Nodes);
        Assert.All(Keys, k => Assert.Equal(created.GetNode(k), updated.GetNode(k)));
    }

    [Theory]
    [MemberData(nameof(Positional))]
    public void Update_PositionalAlgorithmNodeAdded_OnlyKeysOfTheNewNodeMove(ConsistentHashAlgorithm algorithm)
    {
        // "a-new" sorts before "node-*": a fresh build in id order would shift every position (Jump) or server id (Classic).
        var previous = ConsistentHash.Update(null, algorithm, Build.Nodes(4));
        var updated = ConsistentHash.Update(previous, algorithm, Build.Nodes(4).Append(new HashNode<string>("a-new", "a-new")));

        var moved = Keys.Where(k => previous.GetNode(k) != updated.GetNode(k)).ToList();
        Assert.All(moved, k => Assert.Equal("a-new", updated.GetNode(k)));
        Assert.NotEmpty(moved);
        Assert.Equal("a-new", updated.Nodes[^1].Id);
    }

    [Theory]
    [MemberData(nameof(Positional))]
    public void Update_PositionalAlgorithmNodeRemoved_SameAsRemove(ConsistentHashAlgorithm algorithm)
    {
        var previous = ConsistentHash.Update(null, algorithm, Build.Nodes(5));
        var updated = ConsistentHash.Update(previous, algorithm, Build.Nodes(5).Where(n => n.Id != "node-2"));
        var removed = previous.Remove("node-2");

        Assert.Equal(removed.Nodes, updated.Nodes);
        Assert.All(Keys, k => Assert.Equal(removed.GetNode(k), updated.GetNode(k)));
    }

    [Fact]
    public void Update_SameIdOtherValue_LeavesAndJoinsAgain()
    {
        var previous = ConsistentHash.Update(null, ConsistentHashAlgorithm.Jump, Build.Nodes(3));
        var replaced = Build.Nodes(3).Select(n => n.Id == "node-1" ? n with { Value = "node-1, restarted" } : n);

        var updated = ConsistentHash.Update(previous, ConsistentHashAlgorithm.Jump, replaced);

        Assert.Equal(["node-3", "node-2", "node-1"], updated.Nodes.Select(n => n.Id));
        Assert.Equal("node-1, restarted", updated.Nodes[^1].Value);
    }

    [Fact]
    public void Update_ClassicWithOtherProbing_BuiltAnew()
    {
        var previous = ConsistentHash.Update(null, ConsistentHashAlgorithm.Classic, Build.Nodes(3));
        var nodes = Build.Nodes(3).Append(new HashNode<string>("a-new", "a-new"));
        var quadratic = new ConsistentHashOptions { ClassicProbing = ClassicProbing.Quadratic };

        var updated = ConsistentHash.Update(previous, ConsistentHashAlgorithm.Classic, nodes, quadratic);

        Assert.Equal("a-new", updated.Nodes[0].Id);
        Assert.All(Keys, k => Assert.Equal(ConsistentHash.Create(ConsistentHashAlgorithm.Classic, updated.Nodes, quadratic).GetNode(k), updated.GetNode(k)));
    }

    [Property(MaxTest = 60)]
    public Property Update_AnyChangeOfNodeSet_HoldsExactlyTheNewNodes(NonEmptySet<PositiveInt> before, NonEmptySet<PositiveInt> after, bool jump)
    {
        var algorithm = jump ? ConsistentHashAlgorithm.Jump : ConsistentHashAlgorithm.Rendezvous;
        HashNode<string>[] Nodes(NonEmptySet<PositiveInt> ids) => ids.Get.Select(i => $"n{i.Get}").Select(id => new HashNode<string>(id, id)).ToArray();
        var previous = ConsistentHash.Update(null, algorithm, Nodes(before));
        var updated = ConsistentHash.Update(previous, algorithm, Nodes(after));

        var expected = after.Get.Select(i => $"n{i.Get}").ToHashSet();
        return (updated.Nodes.Select(n => n.Id).ToHashSet().SetEquals(expected) && updated.Algorithm == algorithm).ToProperty();
    }
}
