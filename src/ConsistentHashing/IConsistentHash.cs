namespace Ringway.ConsistentHashing;

/// <summary>
/// An immutable consistent-hash snapshot. Lookups never allocate and are safe from any number of
/// threads; <see cref="Add"/> and <see cref="Remove"/> return a new snapshot and leave this one unchanged.
/// </summary>
/// <typeparam name="TNode">The value lookups return.</typeparam>
/// <remarks>
/// Key hashing is stable across processes, machines and versions: xxHash3-64 with seed 0 over the key's UTF-8
/// bytes (docs/hashing.md has the byte-for-byte rules of every algorithm).
/// </remarks>
public interface IConsistentHash<TNode>
{
    /// <summary>The algorithm behind this snapshot.</summary>
    ConsistentHashAlgorithm Algorithm { get; }

    /// <summary>
    /// The nodes, in the order they were given (<see cref="Add"/> appends). Indexes returned by lookups refer to
    /// this list. Exception: removing a node other than the last from a <see cref="ConsistentHashAlgorithm.Jump"/>
    /// snapshot moves the last node into the removed node's position.
    /// </summary>
    IReadOnlyList<HashNode<TNode>> Nodes { get; }

    /// <summary>The number of nodes (never zero).</summary>
    int Count { get; }

    /// <summary>
    /// The digest of this snapshot's membership: algorithm, parameters, node ids and weights. Snapshots with the same
    /// epoch place every key alike, whatever order their nodes were given in (Jump excepted: its buckets are positions).
    /// Computed on first use and kept.
    /// </summary>
    MembershipEpoch Epoch { get; }

    /// <summary>The node for a string key (hashed as its UTF-8 bytes).</summary>
    TNode GetNode(string key);

    /// <summary>The node for a character key (hashed as its UTF-8 bytes).</summary>
    TNode GetNode(ReadOnlySpan<char> key);

    /// <summary>The node for a byte key (pass UTF-8 bytes to get the same node as the string key).</summary>
    TNode GetNode(ReadOnlySpan<byte> key);

    /// <summary>
    /// The node for a numeric key: hashed as its 8 little-endian bytes, so sequential ids spread. For
    /// <see cref="ConsistentHashAlgorithm.Classic"/> the number is the request id i of H(i) itself.
    /// </summary>
    TNode GetNode(ulong key);

    /// <summary>The index into <see cref="Nodes"/> of the node for a key.</summary>
    int GetNodeIndex(ReadOnlySpan<char> key);

    /// <summary>
    /// Writes the first <c>min(destination.Length, Count)</c> distinct nodes of the key's preference
    /// order into <paramref name="destination"/> and returns how many were written. The first equals
    /// <see cref="GetNode(ReadOnlySpan{char})"/>; the rest are where the key goes when earlier ones fail.
    /// </summary>
    int GetNodes(ReadOnlySpan<char> key, Span<TNode> destination);

    /// <summary>Like <see cref="GetNodes(ReadOnlySpan{char}, Span{TNode})"/>, as indexes into <see cref="Nodes"/>.</summary>
    int GetNodeIndexes(ReadOnlySpan<char> key, Span<int> destination);

    /// <summary>A new snapshot with <paramref name="node"/> added (same algorithm and options); this one is unchanged.</summary>
    /// <exception cref="ArgumentException">
    /// A node with the same id exists, the id is empty, the weight is not positive (or not 1 for Jump and Classic),
    /// or the algorithm's limits are exceeded (Maglev table size, 56 Classic servers).
    /// </exception>
    IConsistentHash<TNode> Add(HashNode<TNode> node);

    /// <summary>A new snapshot without the node whose id is <paramref name="id"/>; this one is unchanged.</summary>
    /// <exception cref="KeyNotFoundException">No node has that id.</exception>
    /// <exception cref="InvalidOperationException">It is the last node.</exception>
    IConsistentHash<TNode> Remove(string id);
}
