using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests;

/// <summary>Creation, validation and the error cases every algorithm shares.</summary>
public sealed class ConsistentHashTests
{
    public static TheoryData<ConsistentHashAlgorithm> Algorithms => new(Build.All);

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Create_EmptyNodeSet_ThrowsArgumentException(ConsistentHashAlgorithm algorithm)
    {
        var error = Assert.Throws<ArgumentException>(() => ConsistentHash.Create(algorithm, Array.Empty<HashNode<string>>()));
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Create_DuplicateIds_ThrowsNamingTheId(ConsistentHashAlgorithm algorithm)
    {
        var nodes = new[] { new HashNode<string>("a", "1"), new HashNode<string>("b", "2"), new HashNode<string>("a", "3") };
        var error = Assert.Throws<ArgumentException>(() => ConsistentHash.Create(algorithm, nodes));
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Create_NonPositiveWeight_ThrowsNamingTheNode(ConsistentHashAlgorithm algorithm)
    {
        foreach (int weight in new[] { 0, -3 })
        {
            var nodes = new[] { new HashNode<string>("a", "1"), new HashNode<string>("b", "2", weight) };
            var error = Assert.Throws<ArgumentException>(() => ConsistentHash.Create(algorithm, nodes));
            Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Create_NullOrEmptyId_Throws(ConsistentHashAlgorithm algorithm)
    {
        Assert.Throws<ArgumentException>(() => ConsistentHash.Create(algorithm, new[] { new HashNode<string>("", "1") }));
        Assert.Throws<ArgumentException>(() => ConsistentHash.Create(algorithm, new[] { new HashNode<string>(null!, "1") }));
        Assert.Throws<ArgumentNullException>(() => ConsistentHash.Create<string>(algorithm, null!));
    }

    [Theory]
    [InlineData(ConsistentHashAlgorithm.Jump)]
    [InlineData(ConsistentHashAlgorithm.Classic)]
    public void Create_WeightOtherThanOne_ThrowsForAlgorithmsWithoutWeights(ConsistentHashAlgorithm algorithm)
    {
        var nodes = new[] { new HashNode<string>("a", "1"), new HashNode<string>("b", "2", 2) };
        var error = Assert.Throws<ArgumentException>(() => ConsistentHash.Create(algorithm, nodes));
        Assert.Contains("does not support weights", error.Message, StringComparison.Ordinal);
        var hash = ConsistentHash.Create(algorithm, nodes.Take(1));
        Assert.Throws<ArgumentException>(() => hash.Add(new HashNode<string>("c", "3", 2)));
    }

    [Theory]
    [InlineData(65536)] // not prime
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-7)]
    public void Create_MaglevTableSizeNotPrime_Throws(int size)
    {
        var error = Assert.Throws<ArgumentException>(() => ConsistentHash.Create(ConsistentHashAlgorithm.Maglev, Build.Nodes(3), new ConsistentHashOptions { MaglevTableSize = size }));
        Assert.Contains("prime", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_MaglevTableNotAbove100TimesNodes_Throws()
    {
        // 307 is prime but not above 100 x 4.
        var error = Assert.Throws<ArgumentException>(() => ConsistentHash.Create(ConsistentHashAlgorithm.Maglev, Build.Nodes(4), new ConsistentHashOptions { MaglevTableSize = 307 }));
        Assert.Contains("100", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, ConsistentHash.Create(ConsistentHashAlgorithm.Maglev, Build.Nodes(3), new ConsistentHashOptions { MaglevTableSize = 307 }).Count);
        var full = ConsistentHash.Create(ConsistentHashAlgorithm.Maglev, Build.Nodes(655), ConsistentHashOptions.Default);
        Assert.Throws<ArgumentException>(() => full.Add(new HashNode<string>("one-too-many", "x")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Create_RingPointsPerWeightNotPositive_Throws(int points)
        => Assert.Throws<ArgumentException>(() => ConsistentHash.Create(ConsistentHashAlgorithm.Ring, Build.Nodes(3), new ConsistentHashOptions { PointsPerWeight = points }));

    [Fact]
    public void Create_RingWithAbsurdTotalWeight_ThrowsInsteadOfExhaustingMemory()
        => Assert.Throws<ArgumentException>(() => ConsistentHash.Create(ConsistentHashAlgorithm.Ring, new[] { new HashNode<string>("a", "a", int.MaxValue) }));

    [Fact]
    public void Create_ClassicWithMoreThan56Servers_Throws()
    {
        Assert.Equal(56, ConsistentHash.Create(ConsistentHashAlgorithm.Classic, Build.Nodes(56)).Count);
        Assert.Throws<ArgumentException>(() => ConsistentHash.Create(ConsistentHashAlgorithm.Classic, Build.Nodes(57)));
    }

    [Fact]
    public void Create_UndefinedAlgorithm_ThrowsArgumentOutOfRange()
        => Assert.Throws<ArgumentOutOfRangeException>(() => ConsistentHash.Create((ConsistentHashAlgorithm)42, Build.Nodes(1)));

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Create_Nodes_KeepsOrderAndReportsAlgorithm(ConsistentHashAlgorithm algorithm)
    {
        var nodes = Build.Nodes(4);
        var hash = ConsistentHash.Create(algorithm, nodes);
        Assert.Equal(algorithm, hash.Algorithm);
        Assert.Equal(4, hash.Count);
        Assert.Equal(nodes, hash.Nodes);
        Assert.Contains(algorithm.ToString(), hash.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void AddRemove_InvalidRequests_ThrowAndLeaveSnapshotUnchanged(ConsistentHashAlgorithm algorithm)
    {
        var hash = ConsistentHash.Create(algorithm, Build.Nodes(2));
        Assert.Throws<ArgumentException>(() => hash.Add(new HashNode<string>("node-1", "again")));
        Assert.Throws<ArgumentException>(() => hash.Add(new HashNode<string>("x", "x", 0)));
        Assert.Throws<KeyNotFoundException>(() => hash.Remove("missing"));
        Assert.Throws<ArgumentNullException>(() => hash.Remove(null!));
        var single = hash.Remove("node-2");
        var error = Assert.Throws<InvalidOperationException>(() => single.Remove("node-1"));
        Assert.Contains("last node", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, hash.Count);
        Assert.Equal(1, single.Count);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void GetNode_NullString_ThrowsArgumentNull(ConsistentHashAlgorithm algorithm)
        => Assert.Throws<ArgumentNullException>(() => ConsistentHash.Create(algorithm, Build.Nodes(2)).GetNode((string)null!));

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void GetNode_SingleNode_AlwaysThatNode(ConsistentHashAlgorithm algorithm)
    {
        var hash = ConsistentHash.Create(algorithm, Build.Nodes(1));
        foreach (var key in Build.RandomKeys(50, 1).Append(string.Empty))
        {
            Assert.Equal("node-1", hash.GetNode(key));
        }

        Assert.Equal("node-1", hash.GetNode(12345UL));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Lookups_AfterWarmUp_AllocateNothing(ConsistentHashAlgorithm algorithm)
    {
        var hash = ConsistentHash.Create(algorithm, Build.Nodes(50));
        string shortKey = "abcdefghijklmnop";
        string longKey = new('x', 5000);
        byte[] bytes = "0123456789"u8.ToArray();
        var top = new string[3];
        var indexes = new int[50];
        void Run()
        {
            hash.GetNode(shortKey);
            hash.GetNode(shortKey.AsSpan());
            hash.GetNode(longKey);
            hash.GetNode(bytes);
            hash.GetNode(42UL);
            hash.GetNodeIndex(shortKey);
            hash.GetNodes(shortKey, top);
            hash.GetNodeIndexes(shortKey, indexes);
        }

        // A real allocation shows in every attempt; ArrayPool trimming after a GC caused by parallel tests
        // (the 5,000-character key rents its UTF-8 buffer) can show in one, so the best of three counts.
        long fewest = long.MaxValue;
        for (int attempt = 0; attempt < 3 && fewest > 0; attempt++)
        {
            Run();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                Run();
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
    }
}
