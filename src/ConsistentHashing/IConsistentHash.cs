namespace Ringway.ConsistentHashing;

/// <summary>
/// An immutable consistent-hash snapshot. Lookups never allocate and are safe from any number of
/// threads; <see cref="Add"/> and <see cref="Remove"/> return a new snapshot and leave this one unchanged.
/// </summary>
/// <typeparam name="TNode">The value lookups return.</typeparam>
public interface IConsistentHash<TNode>
{
    /// <summary>The algorithm behind this snapshot.</summary>
    ConsistentHashAlgorithm Algorithm { get; }

    /// <summary>The nodes, in the order they were given. Indexes returned by lookups refer to this list.</summary>
    IReadOnlyList<HashNode<TNode>> Nodes { get; }

    /// <summary>The number of nodes (never zero).</summary>
    int Count { get; }

    /// <summary>The node for a string key (hashed as its UTF-8 bytes).</summary>
    TNode GetNode(string key);

    /// <summary>The node for a character key (hashed as its UTF-8 bytes).</summary>
    TNode GetNode(ReadOnlySpan<char> key);

    /// <summary>The node for a byte key.</summary>
    TNode GetNode(ReadOnlySpan<byte> key);

    /// <summary>The node for a numeric key.</summary>
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

    /// <summary>A new snapshot with <paramref name="node"/> added.</summary>
    /// <exception cref="ArgumentException">A node with the same id exists, or the weight is not positive.</exception>
    IConsistentHash<TNode> Add(HashNode<TNode> node);

    /// <summary>A new snapshot without the node whose id is <paramref name="id"/>.</summary>
    /// <exception cref="KeyNotFoundException">No node has that id.</exception>
    /// <exception cref="InvalidOperationException">It is the last node.</exception>
    IConsistentHash<TNode> Remove(string id);
}
