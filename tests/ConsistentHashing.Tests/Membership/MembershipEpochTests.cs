using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests.Membership;

public sealed class MembershipEpochTests
{
    private static readonly ConsistentHashAlgorithm[] OrderIndependent =
        [ConsistentHashAlgorithm.Ring, ConsistentHashAlgorithm.Maglev, ConsistentHashAlgorithm.Rendezvous];

    [HashProperty]
    public void Epoch_SameNodesInAnyOrder_SameEpochAndSamePlacement(NodeIds ids, int seed)
    {
        var nodes = ids.Nodes;
        var shuffled = nodes.ToArray();
        new Random(seed).Shuffle(shuffled);
        foreach (var algorithm in OrderIndependent)
        {
            var first = Build.Hash(algorithm, nodes);
            var second = Build.Hash(algorithm, shuffled);
            Assert.Equal(first.Epoch, second.Epoch);
            foreach (var key in Build.RandomKeys(50, seed))
            {
                Assert.Equal(first.GetNode(key), second.GetNode(key));
            }
        }
    }

    [HashProperty]
    public void Epoch_OneNodeChanged_EpochChanges(NodeIds ids, int pick, byte weight)
    {
        var nodes = ids.Nodes;
        int index = (int)((uint)pick % nodes.Length);
        foreach (var algorithm in Build.All)
        {
            var hash = Build.Hash(algorithm, nodes);
            var renamed = nodes.ToArray();
            renamed[index] = renamed[index] with { Id = renamed[index].Id + "'" };
            if (!renamed.Take(index).Concat(renamed.Skip(index + 1)).Any(n => n.Id == renamed[index].Id))
            {
                Assert.NotEqual(hash.Epoch, Build.Hash(algorithm, renamed).Epoch);
            }

            if (Build.SupportsWeights(algorithm))
            {
                var reweighted = nodes.ToArray();
                reweighted[index] = reweighted[index] with { Weight = 2 + (weight % 5) };
                Assert.NotEqual(hash.Epoch, Build.Hash(algorithm, reweighted).Epoch);
            }

            if (algorithm != ConsistentHashAlgorithm.Classic || nodes.Length < 56)
            {
                Assert.NotEqual(hash.Epoch, hash.Add(new HashNode<string>("added node", "added node")).Epoch);
            }

            if (nodes.Length > 1)
            {
                Assert.NotEqual(hash.Epoch, hash.Remove(nodes[index].Id).Epoch);
            }
        }
    }

    [Fact]
    public void Epoch_ThreeBalancersSeeingTheSameReplicasInDifferentOrdersAndTimes_AgreeAndRouteAlike()
    {
        var replicas = Build.Nodes(8, "replica-");
        var keys = Build.RandomKeys(10_000, 11);
        foreach (var algorithm in OrderIndependent)
        {
            // One built at once, one grown node by node in reverse, one that also saw a replica come and go.
            var atOnce = ConsistentHash.Create(algorithm, replicas);
            var grown = ConsistentHash.Create(algorithm, [replicas[^1]]);
            foreach (var replica in replicas.Reverse().Skip(1))
            {
                grown = grown.Add(replica);
            }

            var churned = ConsistentHash.Create(algorithm, replicas.Skip(3).Append(new HashNode<string>("gone", "gone")))
                .Remove("gone").Add(replicas[2]).Add(replicas[0]).Add(replicas[1]);

            Assert.Equal(atOnce.Epoch, grown.Epoch);
            Assert.Equal(atOnce.Epoch, churned.Epoch);
            Assert.All(keys, key =>
            {
                Assert.Equal(atOnce.GetNode(key), grown.GetNode(key));
                Assert.Equal(atOnce.GetNode(key), churned.GetNode(key));
            });
        }
    }

    [Fact]
    public void Epoch_JumpNodesInAnotherOrder_DifferentEpochBecauseBucketsAreOrdered()
    {
        var nodes = Build.Nodes(5);
        var forward = ConsistentHash.Create(ConsistentHashAlgorithm.Jump, nodes);
        var backward = ConsistentHash.Create(ConsistentHashAlgorithm.Jump, nodes.Reverse());

        Assert.NotEqual(forward.Epoch, backward.Epoch);
        Assert.Contains(Build.RandomKeys(100, 1), key => forward.GetNode(key) != backward.GetNode(key));
    }

    [Fact]
    public void Epoch_ParametersTheAlgorithmReads_ChangeIt_OthersDoNot()
    {
        var nodes = Build.Nodes(4);
        var ring = ConsistentHash.Create(ConsistentHashAlgorithm.Ring, nodes);
        var maglev = ConsistentHash.Create(ConsistentHashAlgorithm.Maglev, nodes);

        Assert.NotEqual(ring.Epoch, ConsistentHash.Create(ConsistentHashAlgorithm.Ring, nodes, new ConsistentHashOptions { PointsPerWeight = 100 }).Epoch);
        Assert.Equal(ring.Epoch, ConsistentHash.Create(ConsistentHashAlgorithm.Ring, nodes, new ConsistentHashOptions { MaglevTableSize = 1_000_003 }).Epoch);
        Assert.NotEqual(maglev.Epoch, ConsistentHash.Create(ConsistentHashAlgorithm.Maglev, nodes, new ConsistentHashOptions { MaglevTableSize = 1_000_003 }).Epoch);
        Assert.NotEqual(ring.Epoch, maglev.Epoch);
        Assert.NotEqual(
            ConsistentHash.Create(ConsistentHashAlgorithm.Classic, nodes).Epoch,
            ConsistentHash.Create(ConsistentHashAlgorithm.Classic, nodes, new ConsistentHashOptions { ClassicProbing = ClassicProbing.Quadratic }).Epoch);
    }

    [Fact]
    public void Epoch_FollowsTheDocumentedByteLayout()
    {
        // docs/hashing.md, "Membership epoch", written out independently of the implementation.
        var nodes = new[] { new HashNode<string>("b", "b", 2), new HashNode<string>("a", "a", 1), new HashNode<string>("é", "é", 3) };
        var expected = new XxHash3(0);
        void Text(string s)
        {
            expected.Append(Encoding.UTF8.GetBytes(s));
            expected.Append([0]);
        }

        void Int(int value)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
            expected.Append(bytes);
        }

        Text("ringway-membership-v1");
        Text("Ring");
        Int(1);
        Text("points=160");
        Int(3);
        foreach (var node in nodes.OrderBy(n => n.Id, StringComparer.Ordinal))
        {
            Int(Encoding.UTF8.GetByteCount(node.Id));
            expected.Append(Encoding.UTF8.GetBytes(node.Id));
            Int(node.Weight);
        }

        var epoch = ConsistentHash.Create(ConsistentHashAlgorithm.Ring, nodes).Epoch;
        Assert.Equal(expected.GetCurrentHashAsUInt64(), epoch.Value);
    }

    [Fact]
    public void TextForm_SixteenHexDigits_RoundTrips()
    {
        var epoch = ConsistentHash.Create(ConsistentHashAlgorithm.Rendezvous, Build.Nodes(3)).Epoch;
        string text = epoch.ToString();

        Assert.Matches("^[0-9a-f]{16}$", text);
        Assert.True(MembershipEpoch.TryParse(text, out var parsed));
        Assert.Equal(epoch, parsed);
        Assert.True(MembershipEpoch.TryParse(text.ToUpperInvariant(), out parsed));
        Assert.Equal(epoch, parsed);
        Span<char> buffer = stackalloc char[16];
        Assert.True(epoch.TryFormat(buffer, out int written));
        Assert.Equal(text, new string(buffer[..written]));
        Assert.False(epoch.TryFormat(stackalloc char[15], out _));
        Assert.False(MembershipEpoch.TryParse("123", out _));
        Assert.False(MembershipEpoch.TryParse("zzzzzzzzzzzzzzzz", out _));
        Assert.False(MembershipEpoch.TryParse("+123456789abcdef", out _));
    }

    [Fact]
    public void Holder_Epoch_IsTheCurrentSnapshotsOrNull()
    {
        var holder = new ConsistentHashHolder<string>();
        Assert.Null(holder.Epoch);

        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Maglev, Build.Nodes(3));
        holder.Set(hash);
        Assert.Equal(hash.Epoch, holder.Epoch);
    }
}
