using Ringway.ConsistentHashing.Algorithms;
using Ringway.ConsistentHashing.Hashing;

namespace Ringway.ConsistentHashing;

/// <summary>
/// One key looked up in one snapshot: its code is computed once, then the first node and the preference order come
/// from the snapshot's internals when it is one of ours, or from the public interface otherwise.
/// </summary>
internal readonly ref struct KeyLookup<TNode>
{
    private readonly IConsistentHash<TNode> _hash;
    private readonly ConsistentHashBase<TNode>? _snapshot;
    private readonly ReadOnlySpan<char> _key;

    public KeyLookup(IConsistentHash<TNode> hash, ReadOnlySpan<char> key)
    {
        _hash = hash;
        _snapshot = hash as ConsistentHashBase<TNode>;
        _key = key;
        Code = _snapshot?.KeyCode(key) ?? KeyHash.Chars(key);
    }

    private KeyLookup(ConsistentHashBase<TNode> snapshot, ReadOnlySpan<char> key, ulong code)
    {
        _hash = snapshot;
        _snapshot = snapshot;
        _key = key;
        Code = code;
    }

    /// <summary>The snapshot when it is one of ours (casting once per lookup: casts to generic types cost in shared code).</summary>
    public ConsistentHashBase<TNode>? Snapshot => _snapshot;

    /// <summary>The code the key is placed by: its xxHash3 (Classic: a decimal key's number).</summary>
    public ulong Code { get; }

    /// <summary>The 64-bit key hash, whatever the algorithm (the hot-key sketch counts by it).</summary>
    public ulong Fingerprint => _snapshot is { DecimalKeysAreNumbers: true } ? KeyHash.Chars(_key) : Code;

    /// <summary>The key's first node.</summary>
    public int First() => _snapshot?.IndexOf(Code) ?? _hash.GetNodeIndex(_key);

    /// <summary>The first <c>destination.Length</c> (1 to Count) nodes of the key's preference order.</summary>
    public void Order(Span<int> destination)
    {
        if (_snapshot is not null)
        {
            _snapshot.IndexesOf(Code, destination);
        }
        else
        {
            _hash.GetNodeIndexes(_key, destination);
        }
    }

    /// <summary>The same key in another snapshot of the same algorithm (not hashed again when both are ours).</summary>
    public KeyLookup<TNode> In(IConsistentHash<TNode> other)
        => _snapshot is not null && other is ConsistentHashBase<TNode> snapshot ? new(snapshot, _key, Code) : new(other, _key);
}
