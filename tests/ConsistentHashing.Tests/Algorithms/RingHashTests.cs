using System.IO.Hashing;
using System.Text;
using Ringway.ConsistentHashing.Algorithms;
using Ringway.ConsistentHashing.Hashing;
using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests.Algorithms;

public sealed class RingHashTests
{
    private static RingHash<string> Ring(params HashNode<string>[] nodes) => (RingHash<string>)ConsistentHash.Create(ConsistentHashAlgorithm.Ring, nodes);

    [Fact]
    public void Create_WeightedNodes_PointsAreXxHash3OfIdDashIndexPerUnitOfWeight()
    {
        var ring = Ring(new HashNode<string>("alpha", "a"), new HashNode<string>("béta 2", "b", 3));
        var expected = new List<(ulong Position, int Owner)>();
        for (int k = 0; k < 160; k++)
        {
            expected.Add((XxHash3.HashToUInt64(Encoding.UTF8.GetBytes("alpha-" + k)), 0));
        }

        for (int k = 0; k < 480; k++)
        {
            expected.Add((XxHash3.HashToUInt64(Encoding.UTF8.GetBytes("béta 2-" + k)), 1));
        }

        expected.Sort();
        Assert.Equal(expected.Select(p => p.Position), ring.Positions.ToArray());
        Assert.Equal(expected.Select(p => p.Owner), ring.Owners.ToArray());
    }

    [HashProperty]
    public void IndexOf_AnyHash_EqualsBinarySearchForFirstPointAtOrAfter(NodeIds ids, ulong[] hashes)
    {
        var ring = Ring(ids.Nodes);
        var positions = ring.Positions.ToArray();
        foreach (ulong h in hashes.Concat([0UL, ulong.MaxValue, positions[0], positions[^1], positions[^1] + 1]))
        {
            int i = Array.BinarySearch(positions, h);
            if (i < 0)
            {
                i = ~i;
            }
            else
            {
                while (i > 0 && positions[i - 1] == h)
                {
                    i--;
                }
            }

            int expected = ring.Owners[i == positions.Length ? 0 : i];
            Assert.Equal(expected, ring.IndexOf(h));
        }
    }

    [Fact]
    public void GetNodes_Ring_DistinctOwnersWalkingClockwise()
    {
        var ring = Ring(Build.Nodes(5));
        var top = new int[5];
        ulong h = KeyHash.Chars("clockwise");
        ring.GetNodeIndexes("clockwise", top);
        var positions = ring.Positions.ToArray();
        int start = Array.FindIndex(positions, p => p >= h);
        var walk = Enumerable.Range(0, positions.Length).Select(i => ring.Owners[(start + i) % positions.Length]).Distinct().ToArray();
        Assert.Equal(walk, top);
    }

    [Fact]
    public void Create_CustomPointsPerWeight_UsesThatManyPoints()
    {
        var ring = (RingHash<string>)ConsistentHash.Create(ConsistentHashAlgorithm.Ring, Build.Nodes(3), new ConsistentHashOptions { PointsPerWeight = 7 });
        Assert.Equal(21, ring.Positions.Length);
        var added = (RingHash<string>)ring.Add(new HashNode<string>("x", "x", 2));
        Assert.Equal(35, added.Positions.Length); // options carry over
    }

    [HashProperty]
    public void Create_RandomWeights_EachNodeOwnsWeightTimes160Points(NodeIds ids, byte[] weightSeeds)
    {
        var nodes = ids.Nodes.Select((n, i) => n with { Weight = 1 + (weightSeeds.Length == 0 ? 0 : weightSeeds[i % weightSeeds.Length] % 4) }).ToArray();
        var ring = Ring(nodes);
        var counts = new int[nodes.Length];
        foreach (int owner in ring.Owners)
        {
            counts[owner]++;
        }

        Assert.Equal(nodes.Select(n => n.Weight * 160), counts);
        Assert.True(ring.Positions.ToArray().Zip(ring.Positions.ToArray().Skip(1)).All(p => p.First <= p.Second), "points are sorted");
    }
}
