using System.Buffers;
using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using Ringway.ConsistentHashing.Hashing;

namespace Ringway.ConsistentHashing.Algorithms;

/// <summary>
/// What every snapshot shares: the validated node array, key hashing and the public lookups. An algorithm
/// maps a key code (by default the xxHash3 key hash) to a node index and to a preference order.
/// </summary>
internal abstract class ConsistentHashBase<TNode> : IConsistentHash<TNode>
{
    private readonly ReadOnlyCollection<HashNode<TNode>> _nodesView;

    // Classic reads decimal keys as request ids; a flag (not a virtual call) keeps the common path cheap.
    private readonly bool _decimalKeysAreNumbers;

    // The epoch, computed on first use (Classic's server ids are set after this constructor runs).
    private ulong _epoch;
    private int _epochComputed;

    protected ConsistentHashBase(HashNode<TNode>[] nodes, ConsistentHashOptions options, bool decimalKeysAreNumbers = false)
    {
        _decimalKeysAreNumbers = decimalKeysAreNumbers;
        NodeArray = nodes;
        Options = options;
        _nodesView = Array.AsReadOnly(nodes);
        IdRanks = NodeSet.IdRanks(nodes);
        long total = 0;
        bool uniform = true;
        foreach (var node in nodes)
        {
            total += node.Weight;
            uniform &= node.Weight == nodes[0].Weight;
        }

        TotalWeight = total;
        UniformWeights = uniform;
    }

    /// <summary>The nodes in the order they were given (never empty, validated).</summary>
    internal HashNode<TNode>[] NodeArray { get; }

    /// <summary>The options this snapshot was built with (carried over by Add and Remove).</summary>
    internal ConsistentHashOptions Options { get; }

    /// <summary>IdRanks[i] is the position of node i's id in ordinal order: the tie-breaker that makes results independent of input order.</summary>
    internal int[] IdRanks { get; }

    /// <summary>The sum of the weights.</summary>
    internal long TotalWeight { get; }

    /// <summary>True when all nodes have the same weight.</summary>
    internal bool UniformWeights { get; }

    public abstract ConsistentHashAlgorithm Algorithm { get; }

    public IReadOnlyList<HashNode<TNode>> Nodes => _nodesView;

    public int Count => NodeArray.Length;

    /// <summary>True when a decimal key is placed by its number (Classic), not by its hash.</summary>
    internal bool DecimalKeysAreNumbers => _decimalKeysAreNumbers;

    public MembershipEpoch Epoch
    {
        get
        {
            // Two threads may both compute it the first time; they get the same value.
            if (Volatile.Read(ref _epochComputed) == 0)
            {
                _epoch = EpochDigest.Compute(this).Value;
                Volatile.Write(ref _epochComputed, 1);
            }

            return new MembershipEpoch(_epoch);
        }
    }

    /// <summary>The code a character key is placed by: xxHash3-64 of its UTF-8 bytes (Classic: a decimal key is its number).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong KeyCode(ReadOnlySpan<char> key)
        => _decimalKeysAreNumbers && KeyHash.TryParseDecimal(key, out ulong number) ? number : KeyHash.Chars(key);

    /// <summary>The code a byte key is placed by: xxHash3-64 of the bytes (Classic: a decimal key is its number).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong KeyCode(ReadOnlySpan<byte> key)
        => _decimalKeysAreNumbers && KeyHash.TryParseDecimal(key, out ulong number) ? number : KeyHash.Bytes(key);

    /// <summary>The code a numeric key is placed by: xxHash3-64 of its 8 little-endian bytes (Classic: the number itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong KeyCode(ulong key) => _decimalKeysAreNumbers ? key : KeyHash.UInt64(key);

    /// <summary>The node index for a key code.</summary>
    internal abstract int IndexOf(ulong code);

    /// <summary>
    /// Fills <paramref name="destination"/> (1 &lt;= length &lt;= Count) with the first distinct node indexes
    /// of the code's preference order; destination[0] equals <see cref="IndexOf"/>.
    /// </summary>
    internal abstract void IndexesOf(ulong code, Span<int> destination);

    public TNode GetNode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return NodeArray[IndexOf(KeyCode(key.AsSpan()))].Value;
    }

    public TNode GetNode(ReadOnlySpan<char> key) => NodeArray[IndexOf(KeyCode(key))].Value;

    public TNode GetNode(ReadOnlySpan<byte> key) => NodeArray[IndexOf(KeyCode(key))].Value;

    public TNode GetNode(ulong key) => NodeArray[IndexOf(KeyCode(key))].Value;

    public int GetNodeIndex(ReadOnlySpan<char> key) => IndexOf(KeyCode(key));

    /// <summary>The node index for a byte key.</summary>
    internal int GetNodeIndex(ReadOnlySpan<byte> key) => IndexOf(KeyCode(key));

    /// <summary>The node index for a numeric key.</summary>
    internal int GetNodeIndex(ulong key) => IndexOf(KeyCode(key));

    [SkipLocalsInit]
    public int GetNodes(ReadOnlySpan<char> key, Span<TNode> destination)
    {
        int count = Math.Min(destination.Length, Count);
        if (count == 0)
        {
            return 0;
        }

        ulong code = KeyCode(key);
        if (count == 1)
        {
            destination[0] = NodeArray[IndexOf(code)].Value;
            return 1;
        }

        int[]? rented = null;
        Span<int> indexes = count <= 256 ? stackalloc int[256] : (rented = ArrayPool<int>.Shared.Rent(count));
        indexes = indexes[..count];
        try
        {
            IndexesOf(code, indexes);
            for (int i = 0; i < count; i++)
            {
                destination[i] = NodeArray[indexes[i]].Value;
            }

            return count;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    public int GetNodeIndexes(ReadOnlySpan<char> key, Span<int> destination)
    {
        int count = Math.Min(destination.Length, Count);
        if (count == 0)
        {
            return 0;
        }

        IndexesOf(KeyCode(key), destination[..count]);
        return count;
    }

    /// <summary>Preference order for a numeric key (tests and bounded loads).</summary>
    internal int GetNodeIndexes(ulong key, Span<int> destination)
    {
        int count = Math.Min(destination.Length, Count);
        if (count == 0)
        {
            return 0;
        }

        IndexesOf(KeyCode(key), destination[..count]);
        return count;
    }

    public virtual IConsistentHash<TNode> Add(HashNode<TNode> node) => WithNodes(NodeSet.WithAdded(NodeArray, node));

    public virtual IConsistentHash<TNode> Remove(string id) => WithNodes(NodeSet.WithRemoved(NodeArray, id, out _));

    /// <summary>A snapshot of the same algorithm and options over other (already validated) nodes.</summary>
    private protected abstract IConsistentHash<TNode> WithNodes(HashNode<TNode>[] nodes);

    public override string ToString() => $"{Algorithm} over {Count} node(s)";
}
