using System.Text;
using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests.Algorithms;

/// <summary>Invariants every algorithm (or the ones where they apply) keeps, over random node sets and keys.</summary>
public sealed class ConsistentHashPropertyTests
{
    [HashProperty]
    public void GetNode_SameNodesAndKey_SameNodeForEveryKeyForm(NodeIds ids, Keys keys)
    {
        foreach (var algorithm in Build.All)
        {
            var nodes = ids.Nodes;
            var first = Build.Hash(algorithm, nodes);

            // A second, independent build; order-independent algorithms get the nodes in reverse order.
            var second = Build.Hash(algorithm, Build.IsOrderIndependent(algorithm) ? nodes.Reverse() : nodes);
            foreach (var key in keys.Values)
            {
                string expected = first.GetNode(key);
                Assert.Equal(expected, second.GetNode(key));
                Assert.Equal(expected, first.GetNode(key.AsSpan()));
                Assert.Equal(expected, first.GetNode(Encoding.UTF8.GetBytes(key)));
                Assert.Equal(expected, first.Nodes[first.GetNodeIndex(key)].Value);
            }
        }
    }

    [HashProperty]
    public void Add_Node_EveryMovedKeyMovedToTheNewNode(NodeIds ids, Keys keys)
    {
        if (ids.Ids.Length < 2)
        {
            return;
        }

        // Maglev trades this for balance (a few keys shuffle between old nodes); its movement is measured in DistributionTests.
        foreach (var algorithm in new[] { ConsistentHashAlgorithm.Ring, ConsistentHashAlgorithm.Rendezvous, ConsistentHashAlgorithm.Jump, ConsistentHashAlgorithm.Classic })
        {
            var nodes = ids.Nodes;
            var before = Build.Hash(algorithm, nodes[..^1]);
            var after = before.Add(nodes[^1]);
            Assert.Equal(nodes.Length, after.Count);
            Assert.Equal(nodes.Length - 1, before.Count);
            foreach (var key in keys.Values.Concat(Build.RandomKeys(200, ids.Ids.Length)))
            {
                string was = before.GetNode(key);
                string now = after.GetNode(key);
                Assert.True(was == now || now == nodes[^1].Id, $"{algorithm}: key '{key}' moved from {was} to {now}, not to the new node {nodes[^1].Id}");
            }
        }
    }

    [HashProperty]
    public void Remove_Node_OnlyItsKeysMove(NodeIds ids, Keys keys, int pick)
    {
        if (ids.Ids.Length < 2)
        {
            return;
        }

        var nodes = ids.Nodes;
        var removed = nodes[(int)((uint)pick % nodes.Length)].Id;
        foreach (var algorithm in new[] { ConsistentHashAlgorithm.Ring, ConsistentHashAlgorithm.Rendezvous })
        {
            AssertOnlyRemovedKeysMove(algorithm, Build.Hash(algorithm, nodes), removed, keys);
        }

        // Jump: clean only for the last bucket.
        AssertOnlyRemovedKeysMove(ConsistentHashAlgorithm.Jump, Build.Hash(ConsistentHashAlgorithm.Jump, nodes), nodes[^1].Id, keys);
    }

    private static void AssertOnlyRemovedKeysMove(ConsistentHashAlgorithm algorithm, IConsistentHash<string> before, string removed, Keys keys)
    {
        var after = before.Remove(removed);
        Assert.Equal(before.Count - 1, after.Count);
        Assert.DoesNotContain(after.Nodes, n => n.Id == removed);
        foreach (var key in keys.Values.Concat(Build.RandomKeys(200, before.Count)))
        {
            string was = before.GetNode(key);
            string now = after.GetNode(key);
            Assert.True(was == now || was == removed, $"{algorithm}: key '{key}' moved from {was} to {now} although {removed} was removed");
        }
    }

    [HashProperty]
    public void Remove_JumpMiddleNode_OnlyKeysOfRemovedAndLastNodeMove(NodeIds ids, Keys keys, int pick)
    {
        if (ids.Ids.Length < 2)
        {
            return;
        }

        var nodes = ids.Nodes;
        var before = Build.Hash(ConsistentHashAlgorithm.Jump, nodes);
        int index = (int)((uint)pick % nodes.Length);
        var after = before.Remove(nodes[index].Id);
        foreach (var key in keys.Values.Concat(Build.RandomKeys(200, nodes.Length)))
        {
            string was = before.GetNode(key);
            string now = after.GetNode(key);
            Assert.True(was == now || was == nodes[index].Id || was == nodes[^1].Id, $"key '{key}' moved from {was} to {now}");
        }

        if (index != nodes.Length - 1)
        {
            Assert.Equal(nodes[^1].Id, after.Nodes[index].Id); // the last node took the removed bucket
        }
    }

    [HashProperty]
    public void GetNodes_AnyCount_DistinctAndFirstEqualsGetNode(NodeIds ids, Keys keys, byte extra)
    {
        foreach (var algorithm in Build.All)
        {
            var hash = Build.Hash(algorithm, ids.Nodes);
            int want = 1 + (extra % (hash.Count + 2));
            var indexes = new int[want];
            var values = new string[want];
            foreach (var key in keys.Values)
            {
                int written = hash.GetNodeIndexes(key, indexes);
                Assert.Equal(Math.Min(want, hash.Count), written);
                Assert.Equal(written, hash.GetNodes(key, values));
                Assert.Equal(written, indexes.Take(written).Distinct().Count());
                Assert.Equal(hash.GetNodeIndex(key), indexes[0]);
                Assert.Equal(hash.GetNode(key), values[0]);
                for (int i = 0; i < written; i++)
                {
                    Assert.InRange(indexes[i], 0, hash.Count - 1);
                    Assert.Equal(hash.Nodes[indexes[i]].Value, values[i]);
                }

                // A shorter request is a prefix of the longer one.
                var prefix = new int[Math.Max(1, written / 2)];
                hash.GetNodeIndexes(key, prefix);
                Assert.Equal(indexes.Take(prefix.Length), prefix);
            }
        }
    }

    [HashProperty]
    public void GetNodes_EmptyDestination_WritesNothing(NodeIds ids, Keys keys)
    {
        foreach (var algorithm in Build.All)
        {
            var hash = Build.Hash(algorithm, ids.Nodes);
            Assert.Equal(0, hash.GetNodes(keys.Values[0], Span<string>.Empty));
            Assert.Equal(0, hash.GetNodeIndexes(keys.Values[0], Span<int>.Empty));
        }
    }

    [HashProperty]
    public void GetNodes_FirstNodeRemoved_SecondBecomesTheNode(NodeIds ids, Keys keys)
    {
        // The failover promise: where the preference order sends a key when its node fails is where it goes once
        // the node is gone, for the algorithms whose order is defined by the surviving nodes alone.
        if (ids.Ids.Length < 2)
        {
            return;
        }

        foreach (var algorithm in new[] { ConsistentHashAlgorithm.Ring, ConsistentHashAlgorithm.Rendezvous })
        {
            var hash = Build.Hash(algorithm, ids.Nodes);
            var without = new Dictionary<string, IConsistentHash<string>>();
            var top = new string[2];
            foreach (var key in keys.Values)
            {
                hash.GetNodes(key, top);
                if (!without.TryGetValue(top[0], out var smaller))
                {
                    without[top[0]] = smaller = hash.Remove(top[0]);
                }

                Assert.Equal(top[1], smaller.GetNode(key));
            }
        }
    }

    [HashProperty]
    public void RemoveThenAdd_SameNode_SameMappingAsBefore(NodeIds ids, Keys keys, int pick)
    {
        // A snapshot depends only on its node set, not on the history of edits that produced it.
        if (ids.Ids.Length < 2)
        {
            return;
        }

        var nodes = ids.Nodes;
        var node = nodes[(int)((uint)pick % nodes.Length)];
        foreach (var algorithm in new[] { ConsistentHashAlgorithm.Ring, ConsistentHashAlgorithm.Maglev, ConsistentHashAlgorithm.Rendezvous })
        {
            var hash = Build.Hash(algorithm, nodes);
            var again = hash.Remove(node.Id).Add(node);
            var top = new string[Math.Min(3, nodes.Length)];
            var topAgain = new string[top.Length];
            foreach (var key in keys.Values)
            {
                hash.GetNodes(key, top);
                again.GetNodes(key, topAgain);
                Assert.Equal(top, topAgain);
            }
        }
    }
}
