using FsCheck.Xunit;
using Ringway.LoadBalancing.AspNetCore.Supervision;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Supervision;

public sealed class ReplicaNamesTests
{
    [Fact]
    public void Initial_SomeNamesTaken_TakesTheNextFreeNumbers()
        => Assert.Equal(["Server 1", "Server 3", "Server 5"], ReplicaNames.Initial(3, name => name is "Server 2" or "Server 4"));

    [Fact]
    public void Fill_GivenNames_KeptFirstInOrderThenRandomOnes()
    {
        var names = ReplicaNames.Fill(["S5", "S4"], 4, _ => false, new Random(7));
        Assert.Equal(["S5", "S4"], names.Take(2));
        Assert.All(names.Skip(2), name => Assert.Matches("^Server-[a-z0-9]{6}$", name));
        Assert.Equal(4, names.Distinct().Count());
    }

    [Property]
    public bool Fill_NamesTheSameRandomSequenceWouldGive_NeverReusesATakenName(int seed)
    {
        // Every name the first draws produce is taken: the names given must be later draws.
        var taken = ReplicaNames.Fill([], 20, _ => false, new Random(seed)).ToHashSet();
        var names = ReplicaNames.Fill([], 20, taken.Contains, new Random(seed));
        return names.Count == 20 && names.Distinct().Count() == 20 && !names.Any(taken.Contains);
    }
}
