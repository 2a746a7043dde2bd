using System.IO.Hashing;
using System.Text;
using Ringway.ConsistentHashing.Algorithms;
using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests.Algorithms;

public sealed class MaglevHashTests
{
    private static MaglevHash<string> Maglev(IEnumerable<HashNode<string>> nodes, int size = 65537)
        => (MaglevHash<string>)ConsistentHash.Create(ConsistentHashAlgorithm.Maglev, nodes, new ConsistentHashOptions { MaglevTableSize = size });

    [Fact]
    public void Create_UniformWeights_TableEqualsPaperPopulation()
    {
        // The population of the Maglev paper (Eisenbud et al. 2016, pseudocode 1), written independently,
        // with offset = xxh3(id, 0) mod M, skip = xxh3(id, 1) mod (M - 1) + 1 and turns in ordinal id order.
        var nodes = new[] { "c", "a", "b-2", "zeta" }.Select(id => new HashNode<string>(id, id)).ToArray();
        const int m = 1009;
        var order = nodes.Select((n, i) => (n.Id, i)).OrderBy(x => x.Id, StringComparer.Ordinal).ToArray();
        var permutation = order.Select(x =>
        {
            var bytes = Encoding.UTF8.GetBytes(x.Id);
            ulong offset = XxHash3.HashToUInt64(bytes, 0) % m;
            ulong skip = (XxHash3.HashToUInt64(bytes, 1) % (m - 1)) + 1;
            return Enumerable.Range(0, m).Select(j => (int)((offset + ((ulong)j * skip)) % m)).ToArray();
        }).ToArray();
        var next = new int[order.Length];
        var entry = Enumerable.Repeat(-1, m).ToArray();
        int filled = 0;
        while (filled < m)
        {
            for (int r = 0; r < order.Length && filled < m; r++)
            {
                int c = permutation[r][next[r]];
                while (entry[c] >= 0)
                {
                    next[r]++;
                    c = permutation[r][next[r]];
                }

                entry[c] = order[r].i;
                next[r]++;
                filled++;
            }
        }

        Assert.Equal(entry, Maglev(nodes, m).Table.ToArray());
    }

    [HashProperty]
    public void Create_UniformWeights_SlotCountsDifferByAtMostOne(NodeIds ids)
    {
        var table = Maglev(ids.Nodes).Table.ToArray();
        var counts = table.GroupBy(x => x).Select(g => g.Count()).ToArray();
        Assert.Equal(ids.Ids.Length, counts.Length);
        Assert.InRange(counts.Max() - counts.Min(), 0, 1);
    }

    [HashProperty]
    public void Create_Weights_SlotCountsProportionalToWeight(NodeIds ids, byte[] weightSeeds)
    {
        var nodes = ids.Nodes.Select((n, i) => n with { Weight = 1 + (weightSeeds.Length == 0 ? 0 : weightSeeds[i % weightSeeds.Length] % 5) }).ToArray();
        var table = Maglev(nodes).Table.ToArray();
        long total = nodes.Sum(n => (long)n.Weight);
        var counts = new int[nodes.Length];
        foreach (int owner in table)
        {
            counts[owner]++;
        }

        for (int i = 0; i < nodes.Length; i++)
        {
            double expected = table.Length * (double)nodes[i].Weight / total;
            Assert.InRange(counts[i], expected - nodes.Length - 1, expected + nodes.Length + 1);
        }
    }

    [Fact]
    public void IndexOf_Hash_IsTableEntryAtHashTimesSizeOver2To64()
    {
        var maglev = Maglev(Build.Nodes(7));
        var random = new Random(5);
        for (int i = 0; i < 1000; i++)
        {
            ulong h = (ulong)random.NextInt64() * 2 + (ulong)(i & 1);
            int slot = (int)(((UInt128)h * 65537) >> 64);
            Assert.Equal(maglev.Table[slot], maglev.IndexOf(h));
        }
    }

    [Fact]
    public void GetNodes_Maglev_DistinctEntriesWalkingTheTable()
    {
        var maglev = Maglev(Build.Nodes(6));
        ulong h = Ringway.ConsistentHashing.Hashing.KeyHash.Chars("walk");
        int slot = (int)(((UInt128)h * 65537) >> 64);
        var table = maglev.Table.ToArray();
        var walk = Enumerable.Range(0, table.Length).Select(i => table[(slot + i) % table.Length]).Distinct().ToArray();
        var top = new int[6];
        maglev.GetNodeIndexes("walk", top);
        Assert.Equal(walk, top);
    }

    [Fact]
    public void GetNodes_NodeWithoutSlots_StillListedLast()
    {
        // A weight ratio of 1 : 10^6 leaves the light node without a slot; failover must still reach it.
        var nodes = new[] { new HashNode<string>("heavy", "heavy", 1_000_000), new HashNode<string>("light", "light", 1) };
        var maglev = Maglev(nodes, 307);
        Assert.DoesNotContain(1, maglev.Table.ToArray());
        var top = new string[2];
        Assert.Equal(2, maglev.GetNodes("any", top));
        Assert.Equal(["heavy", "light"], top);
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(65537, true)]
    [InlineData(1_000_003, true)]
    [InlineData(2_147_483_647, true)]
    [InlineData(9, false)]
    [InlineData(65535, false)]
    [InlineData(1_000_001, false)]
    public void IsPrime_Numbers_Classified(int value, bool prime) => Assert.Equal(prime, MaglevHash<string>.IsPrime(value));
}
