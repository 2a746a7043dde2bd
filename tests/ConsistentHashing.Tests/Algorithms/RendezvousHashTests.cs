using System.IO.Hashing;
using System.Text;
using Ringway.ConsistentHashing.Algorithms;
using Ringway.ConsistentHashing.Hashing;
using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests.Algorithms;

public sealed class RendezvousHashTests
{
    private static ulong Z(ulong keyHash, string id) => KeyHash.Mix(keyHash ^ XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(id)));

    private static double Score(ulong z, int weight) => -weight / Math.Log(((z >> 11) + 0.5) / 9007199254740992.0);

    [HashProperty]
    public void GetNodeIndexes_UniformWeights_NodesByDescendingMixedHash(NodeIds ids, Keys keys)
    {
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Rendezvous, ids.Nodes);
        var order = new int[hash.Count];
        foreach (var key in keys.Values)
        {
            ulong h = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key));
            var expected = Enumerable.Range(0, hash.Count).OrderByDescending(i => Z(h, ids.Ids[i])).ToArray();
            hash.GetNodeIndexes(key, order);
            Assert.Equal(expected, order);
        }
    }

    [HashProperty]
    public void GetNodeIndexes_Weighted_NodesByDescendingWeightedScore(NodeIds ids, Keys keys)
    {
        var nodes = ids.Nodes.Select((n, i) => n with { Weight = 1 + (i % 4) }).ToArray();
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Rendezvous, nodes);
        var order = new int[hash.Count];
        foreach (var key in keys.Values)
        {
            ulong h = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key));
            var expected = Enumerable.Range(0, hash.Count).OrderByDescending(i => Score(Z(h, nodes[i].Id), nodes[i].Weight)).ThenByDescending(i => Z(h, nodes[i].Id)).ToArray();
            hash.GetNodeIndexes(key, order);
            Assert.Equal(expected, order);
        }
    }

    [Fact]
    public void GetNodeIndexes_MoreThan128Requested_UsesPooledBuffersWithSameResult()
    {
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Rendezvous, Build.Nodes(300));
        var all = new int[300];
        var top = new int[129];
        hash.GetNodeIndexes("k", all);
        hash.GetNodeIndexes("k", top);
        Assert.Equal(all.Take(129), top);
    }
}
