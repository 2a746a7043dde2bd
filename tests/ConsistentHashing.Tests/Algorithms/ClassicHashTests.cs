using System.IO.Hashing;
using System.Text;
using Ringway.ConsistentHashing.Algorithms;
using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests.Algorithms;

public sealed class ClassicHashTests
{
    private static ClassicHash<string> Classic(int servers, ClassicProbing probing = ClassicProbing.Linear)
        => (ClassicHash<string>)ConsistentHash.Create(ConsistentHashAlgorithm.Classic, Build.Nodes(servers), new ConsistentHashOptions { ClassicProbing = probing });

    /// <summary>The classic placement, transcribed from docs/hashing.md (section 7): PHI(i, j) = i^2 + j^2 + 2j + 25 mod 512, probing on collision.</summary>
    private static int[] ReferenceSlots(int[] serverIds, bool quadratic)
    {
        var slots = Enumerable.Repeat(-1, 512).ToArray();
        foreach (var (id, node) in serverIds.Select((id, node) => (id, node)).OrderBy(x => x.id))
        {
            for (int j = 0; j < 9; j++)
            {
                int home = ((id * id) + (j * j) + (2 * j) + 25) % 512;
                int slot = home;
                for (int k = 1; slots[slot] >= 0; k++)
                {
                    slot = (home + (quadratic && k <= 512 ? k * k : k)) % 512;
                    if (quadratic && k > 512)
                    {
                        slot = (home + k - 513) % 512;
                    }
                }

                slots[slot] = node;
            }
        }

        return slots;
    }

    [Theory]
    [InlineData(3, ClassicProbing.Linear)]
    [InlineData(3, ClassicProbing.Quadratic)]
    [InlineData(20, ClassicProbing.Linear)]
    [InlineData(56, ClassicProbing.Linear)]
    [InlineData(56, ClassicProbing.Quadratic)]
    public void Create_Servers_VirtualServersAtPhiWithProbing(int servers, ClassicProbing probing)
    {
        var classic = Classic(servers, probing);
        Assert.Equal(ReferenceSlots(Enumerable.Range(1, servers).ToArray(), probing == ClassicProbing.Quadratic), classic.SlotServers.ToArray());
        Assert.Equal(servers * 9, classic.SlotServers.ToArray().Count(s => s >= 0));
    }

    [Fact]
    public void Create_ThreeServers_ServerOneAtKnownSlots()
    {
        // PHI(1, j) = 26 + j^2 + 2j: 26, 29, 34, 41, 50, 61, 74, 89, 106 (server 1 is placed first, so no probing).
        var slots = Classic(3).SlotServers.ToArray();
        Assert.Equal([26, 29, 34, 41, 50, 61, 74, 89, 106], Enumerable.Range(0, 512).Where(s => slots[s] == 0));
    }

    [HashProperty]
    public void GetNode_NumericRequestId_ServedByFirstServerSlotAtOrAfterH(ulong requestId)
    {
        var classic = Classic(5);
        var slots = classic.SlotServers.ToArray();
        int h = (int)(((requestId * requestId) + (2 * requestId) + 17) % 512);
        int slot = Enumerable.Range(0, 512).Select(i => (h + i) % 512).First(s => slots[s] >= 0);
        string expected = classic.Nodes[slots[slot]].Value;
        Assert.Equal(expected, classic.GetNode(requestId));
        string text = requestId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, classic.GetNode(text));
        Assert.Equal(expected, classic.GetNode(Encoding.UTF8.GetBytes(text)));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-12")]
    [InlineData("+12")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999")] // above ulong.MaxValue
    [InlineData("")]
    public void GetNode_NonDecimalKey_ReducedByXxHash3(string key)
    {
        var classic = Classic(5);
        ulong reduced = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key));
        Assert.Equal(classic.GetNode(reduced), classic.GetNode(key));
        Assert.Equal(classic.GetNode(reduced), classic.GetNode(Encoding.UTF8.GetBytes(key)));
    }

    [Fact]
    public void AddRemove_ServerIds_NewGetsMaxPlusOneOthersKeepTheirs()
    {
        var classic = Classic(3);
        Assert.Equal([1, 2, 3], classic.ServerIds.ToArray());
        var removed = (ClassicHash<string>)classic.Remove("node-2");
        Assert.Equal([1, 3], removed.ServerIds.ToArray());
        var added = (ClassicHash<string>)removed.Add(new HashNode<string>("S5", "S5"));
        Assert.Equal([1, 3, 4], added.ServerIds.ToArray());
        Assert.Equal(ReferenceSlots([1, 3, 4], false), added.SlotServers.ToArray());
    }

    [Fact]
    public void GetNodes_Classic_DistinctServersClockwise()
    {
        var classic = Classic(4);
        var slots = classic.SlotServers.ToArray();
        int h = (int)(((777UL * 777UL) + (2 * 777UL) + 17) % 512);
        var walk = Enumerable.Range(0, 512).Select(i => slots[(h + i) % 512]).Where(s => s >= 0).Distinct().ToArray();
        var top = new int[4];
        classic.GetNodeIndexes("777", top);
        Assert.Equal(walk, top);
    }

    [Fact]
    public void GetNode_RequestIds_ReachOnly87OfTheSlots()
    {
        // H(i) = (i + 1)^2 + 16 mod 512 takes only 87 values (the squares mod 512): the documented skew's first cause.
        var reached = Enumerable.Range(0, 4096).Select(i => ClassicHash<string>.H((ulong)i)).Distinct().Count();
        Assert.Equal(87, reached);
    }
}
