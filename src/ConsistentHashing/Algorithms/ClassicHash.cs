namespace Ringway.ConsistentHashing.Algorithms;

/// <summary>
/// A simple 512-slot ring with quadratic hash functions, kept exactly for comparison: 512 slots, 9 virtual servers per server,
/// virtual server j of server s at PHI(s, j) = s^2 + j^2 + 2j + 25 (mod 512), request i at
/// H(i) = i^2 + 2i + 17 (mod 512), served by the first server slot at or after H(i) clockwise; slot collisions
/// are resolved by linear or quadratic probing. It is badly skewed by design: H reaches only the 128
/// slots (i+1)^2 + 16 and each server's virtual servers cluster. Numeric server ids: 1..N in the order
/// given at creation; Add gives max + 1; Remove keeps the others' ids (as an incrementing server counter would).
/// </summary>
internal sealed class ClassicHash<TNode> : ConsistentHashBase<TNode>
{
    /// <summary>Slots on the ring.</summary>
    internal const int Slots = 512;

    /// <summary>Virtual servers per server (log2 512).</summary>
    internal const int VirtualServers = 9;

    /// <summary>At most this many servers fit (9 slots each).</summary>
    internal const int MaxServers = Slots / VirtualServers;

    private readonly int[] _serverIds;
    private readonly int[] _slotServer; // node index whose virtual server sits in the slot, or -1
    private readonly int[] _nextServer; // first slot at or after s (clockwise) holding a virtual server

    public ClassicHash(HashNode<TNode>[] nodes, ConsistentHashOptions options)
        : this(nodes, options, DefaultIds(nodes.Length))
    {
    }

    private ClassicHash(HashNode<TNode>[] nodes, ConsistentHashOptions options, int[] serverIds)
        : base(nodes, options, decimalKeysAreNumbers: true)
    {
        NodeSet.RequireUnitWeights(nodes, ConsistentHashAlgorithm.Classic);
        if (nodes.Length > MaxServers)
        {
            throw new ArgumentException($"The classic ring holds at most {MaxServers} servers ({Slots} slots / {VirtualServers} virtual servers); {nodes.Length} were given.", nameof(nodes));
        }

        if (options.ClassicProbing is not (ClassicProbing.Linear or ClassicProbing.Quadratic))
        {
            throw new ArgumentException($"Unknown ClassicProbing value {options.ClassicProbing}.", nameof(options));
        }

        _serverIds = serverIds;
        _slotServer = new int[Slots];
        _slotServer.AsSpan().Fill(-1);

        // Servers are placed in ascending numeric id, virtual servers j = 0..8 in order.
        var order = new int[nodes.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort((int[])serverIds.Clone(), order);
        foreach (int node in order)
        {
            for (int j = 0; j < VirtualServers; j++)
            {
                _slotServer[Probe(Phi(serverIds[node], j), options.ClassicProbing)] = node;
            }
        }

        _nextServer = new int[Slots];
        int next = -1;
        for (int pass = 0; pass < 2; pass++)
        {
            for (int s = Slots - 1; s >= 0; s--)
            {
                if (_slotServer[s] >= 0)
                {
                    next = s;
                }

                _nextServer[s] = next;
            }
        }
    }

    public override ConsistentHashAlgorithm Algorithm => ConsistentHashAlgorithm.Classic;

    /// <summary>The numeric server id of each node (parallel to Nodes).</summary>
    internal ReadOnlySpan<int> ServerIds => _serverIds;

    /// <summary>Node index per slot, -1 for an empty slot (tests).</summary>
    internal ReadOnlySpan<int> SlotServers => _slotServer;

    /// <summary>H(i) = i^2 + 2i + 17 mod 512 (exact in wrapping 64-bit arithmetic because 512 divides 2^64).</summary>
    internal static int H(ulong i) => (int)(((i * i) + (2 * i) + 17) & (Slots - 1));

    /// <summary>PHI(i, j) = i^2 + j^2 + 2j + 25 mod 512.</summary>
    internal static int Phi(long i, int j) => (int)((ulong)((i * i) + (j * j) + (2 * j) + 25) & (Slots - 1));

    private static int[] DefaultIds(int count)
    {
        var ids = new int[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = i + 1;
        }

        return ids;
    }

    /// <summary>
    /// The free slot for a virtual server whose home is <paramref name="home"/>: linear tries home+1, home+2...;
    /// quadratic tries home+1, home+4, home+9... and, if that cycle finds no free slot within 512 tries,
    /// continues linearly (quadratic offsets mod 512 do not reach every slot).
    /// </summary>
    private int Probe(int home, ClassicProbing probing)
    {
        if (probing == ClassicProbing.Quadratic)
        {
            for (int k = 0; k < Slots; k++)
            {
                int slot = (home + (k * k)) & (Slots - 1);
                if (_slotServer[slot] < 0)
                {
                    return slot;
                }
            }
        }

        for (int k = 0; k < Slots; k++)
        {
            int slot = (home + k) & (Slots - 1);
            if (_slotServer[slot] < 0)
            {
                return slot;
            }
        }

        throw new InvalidOperationException("The classic ring is full."); // unreachable: at most 504 of 512 slots are used
    }

    internal override int IndexOf(ulong code) => _slotServer[_nextServer[H(code)]];

    /// <summary>Preference order: distinct servers met walking the slots clockwise from H(i).</summary>
    internal override void IndexesOf(ulong code, Span<int> destination)
    {
        int slot = _nextServer[H(code)];
        int found = 0;
        for (int walked = 0; walked < Slots && found < destination.Length; walked++)
        {
            int server = _slotServer[(slot + walked) & (Slots - 1)];
            if (server >= 0 && !destination[..found].Contains(server))
            {
                destination[found++] = server;
            }
        }
    }

    /// <summary>The new server gets id max + 1.</summary>
    public override IConsistentHash<TNode> Add(HashNode<TNode> node)
    {
        var nodes = NodeSet.WithAdded(NodeArray, node);
        var ids = new int[nodes.Length];
        _serverIds.CopyTo(ids, 0);
        int max = 0;
        foreach (int id in _serverIds)
        {
            max = Math.Max(max, id);
        }

        ids[^1] = checked(max + 1);
        return new ClassicHash<TNode>(nodes, Options, ids);
    }

    /// <summary>The remaining servers keep their ids.</summary>
    public override IConsistentHash<TNode> Remove(string id)
    {
        var nodes = NodeSet.WithRemoved(NodeArray, id, out int removed);
        var ids = new int[nodes.Length];
        Array.Copy(_serverIds, 0, ids, 0, removed);
        Array.Copy(_serverIds, removed + 1, ids, removed, ids.Length - removed);
        return new ClassicHash<TNode>(nodes, Options, ids);
    }

    private protected override IConsistentHash<TNode> WithNodes(HashNode<TNode>[] nodes) => new ClassicHash<TNode>(nodes, Options);
}
