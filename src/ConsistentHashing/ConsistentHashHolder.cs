namespace Ringway.ConsistentHashing;

/// <summary>
/// Holds the current snapshot for readers that never lock; writers swap in a new snapshot atomically.
/// </summary>
public sealed class ConsistentHashHolder<TNode>
{
    private IConsistentHash<TNode>? _current;

    /// <summary>Creates a holder with an initial snapshot (or none).</summary>
    public ConsistentHashHolder(IConsistentHash<TNode>? initial = null) => _current = initial;

    /// <summary>The current snapshot, or null when there is none (no nodes).</summary>
    public IConsistentHash<TNode>? Current => Volatile.Read(ref _current);

    /// <summary>The membership epoch of the current snapshot, or null when there is none.</summary>
    public MembershipEpoch? Epoch => Current?.Epoch;

    /// <summary>Replaces the snapshot.</summary>
    public void Set(IConsistentHash<TNode>? snapshot) => Volatile.Write(ref _current, snapshot);

    /// <summary>
    /// Applies <paramref name="update"/> to the current snapshot and swaps the result in, retrying when another
    /// writer swapped first. <paramref name="update"/> may run more than once, so it must have no side effects.
    /// </summary>
    public IConsistentHash<TNode>? Update(Func<IConsistentHash<TNode>?, IConsistentHash<TNode>?> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        while (true)
        {
            var seen = Volatile.Read(ref _current);
            var next = update(seen);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, next, seen), seen))
            {
                return next;
            }
        }
    }
}
