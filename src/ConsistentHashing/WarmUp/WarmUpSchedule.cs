namespace Ringway.ConsistentHashing;

/// <summary>
/// Warm-up over one snapshot: which nodes are still ramping up, and where each key goes meanwhile. Immutable and
/// thread-safe; build a new one with each snapshot (the join times are inputs, so a node that leaves and comes back
/// ramps again when given its new join time).
/// </summary>
/// <remarks>
/// A key whose owner in the full snapshot differs from its owner in the snapshot without the warming nodes (the
/// settled snapshot) moves to the new owner once the ramp passes the key's own position in [0, 1), a second hash of
/// the key independent of placement. Until then it stays with its settled owner: the node that owns it without the
/// newcomers, for every algorithm (for Ring and Rendezvous that is the next node in its preference order). The ramp
/// used is the new owner's when it is warming, otherwise (a key that moved between old nodes, as Maglev and Jump
/// do) the lowest ramp among the warming nodes. Keys move once, in a fixed order, so balancers that agree on the join
/// times route alike. After the window every key is where the algorithm puts it.
/// </remarks>
/// <typeparam name="TNode">The snapshot's node value.</typeparam>
public sealed class WarmUpSchedule<TNode>
{
    private readonly long[] _joinTicks;
    private readonly long _windowTicks;
    private readonly int[] _warming;
    private readonly long _warmUntilTicks;
    private readonly IConsistentHash<TNode>? _settled;
    private readonly int[] _settledToFull;

    /// <summary>Builds the schedule of <paramref name="hash"/> at <paramref name="now"/>.</summary>
    /// <param name="hash">The full snapshot, warming nodes included.</param>
    /// <param name="window">How long a node takes to reach its full share; <see cref="TimeSpan.Zero"/> turns warm-up off.</param>
    /// <param name="joinedAt">
    /// When each node joined, indexed like <see cref="IConsistentHash{TNode}.Nodes"/>. A node that should not ramp
    /// (one that was there when the balancer started) gets <see cref="DateTimeOffset.MinValue"/>.
    /// </param>
    /// <param name="now">The time the schedule is built: nodes whose ramp is below 1 then are the warming ones.</param>
    /// <exception cref="ArgumentNullException"><paramref name="hash"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="joinedAt"/> does not have one entry per node.</exception>
    public WarmUpSchedule(IConsistentHash<TNode> hash, TimeSpan window, ReadOnlySpan<DateTimeOffset> joinedAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        if (joinedAt.Length != hash.Count)
        {
            throw new ArgumentException($"joinedAt must have one entry per node: {hash.Count} nodes, {joinedAt.Length} times.", nameof(joinedAt));
        }

        Hash = hash;
        Window = window;
        _windowTicks = window.Ticks;
        _joinTicks = new long[joinedAt.Length];
        var warming = new List<int>();
        long until = long.MinValue;
        for (int i = 0; i < joinedAt.Length; i++)
        {
            _joinTicks[i] = joinedAt[i].UtcTicks;
            if (WarmUp.Ramp(_joinTicks[i], _windowTicks, now.UtcTicks) < 1)
            {
                warming.Add(i);
                until = Math.Max(until, _joinTicks[i] + _windowTicks);
            }
        }

        // With every node warming there is nothing settled to fall back on: all ramp together, which is plain hashing.
        if (warming.Count == 0 || warming.Count == hash.Count)
        {
            _warming = [];
            _settledToFull = [];
            _warmUntilTicks = long.MinValue;
            return;
        }

        _warming = warming.ToArray();
        _warmUntilTicks = until;
        var settled = hash;
        foreach (int node in _warming)
        {
            settled = settled.Remove(hash.Nodes[node].Id);
        }

        _settled = settled;
        var fullIndex = new Dictionary<string, int>(hash.Count, StringComparer.Ordinal);
        for (int i = 0; i < hash.Count; i++)
        {
            fullIndex.Add(hash.Nodes[i].Id, i);
        }

        _settledToFull = new int[settled.Count];
        for (int i = 0; i < settled.Count; i++)
        {
            _settledToFull[i] = fullIndex[settled.Nodes[i].Id];
        }
    }

    /// <summary>The full snapshot the schedule was built for.</summary>
    public IConsistentHash<TNode> Hash { get; }

    /// <summary>The warm-up window.</summary>
    public TimeSpan Window { get; }

    /// <summary>The indexes of the nodes that were warming when the schedule was built (empty when none, or all, were).</summary>
    public IReadOnlyList<int> Warming => _warming;

    /// <summary>When the last warming node reaches its full share; <see cref="DateTimeOffset.MinValue"/> when none is warming.</summary>
    public DateTimeOffset WarmUntil => _settled is null ? DateTimeOffset.MinValue : new DateTimeOffset(_warmUntilTicks, TimeSpan.Zero);

    /// <summary>True while some key is still held back from a warming node.</summary>
    public bool IsWarming(DateTimeOffset now) => _settled is not null && now.UtcTicks < _warmUntilTicks;

    /// <summary>The share of its keys node <paramref name="node"/> takes at <paramref name="now"/> (0 to 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="node"/> is not a node index.</exception>
    public double ShareOf(int node, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(node);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(node, _joinTicks.Length);
        return WarmUp.Ramp(_joinTicks[node], _windowTicks, now.UtcTicks);
    }

    /// <summary>The index into <see cref="IConsistentHash{TNode}.Nodes"/> of the node that takes <paramref name="key"/> at <paramref name="now"/>. Allocation-free.</summary>
    public int GetNodeIndex(ReadOnlySpan<char> key, DateTimeOffset now) => OrderFor(new KeyLookup<TNode>(Hash, key), now.UtcTicks).First;

    /// <summary>
    /// Writes the key's candidates at <paramref name="now"/> (the node that takes it first, then where it goes when that
    /// one fails or is full) and returns how many were written: <c>min(destination.Length, Count)</c>. While the key is
    /// held back they are its preference order without the warming nodes, then the warming nodes.
    /// </summary>
    public int GetNodeIndexes(ReadOnlySpan<char> key, DateTimeOffset now, Span<int> destination)
    {
        int count = Math.Min(destination.Length, Hash.Count);
        if (count > 0)
        {
            OrderFor(new KeyLookup<TNode>(Hash, key), now.UtcTicks).Fill(destination[..count]);
        }

        return count;
    }

    /// <summary>The key's candidate order at <paramref name="nowTicks"/> (UTC ticks).</summary>
    internal CandidateOrder<TNode> OrderFor(KeyLookup<TNode> full, long nowTicks)
    {
        int first = full.First();
        if (_settled is null || nowTicks >= _warmUntilTicks)
        {
            return CandidateOrder<TNode>.Full(full, first, Hash.Count);
        }

        int settledFirst = _settledToFull[full.In(_settled).First()];
        if (settledFirst == first || WarmUp.KeyPosition(full.Code) < RampOfMove(first, nowTicks))
        {
            return CandidateOrder<TNode>.Full(full, first, Hash.Count);
        }

        return CandidateOrder<TNode>.HeldBack(full, this, settledFirst, Hash.Count);
    }

    /// <summary>Held-back candidates: the settled preference order (as full indexes), then the warming nodes.</summary>
    internal void FillHeldBack(KeyLookup<TNode> full, Span<int> destination)
    {
        int settledCount = Math.Min(destination.Length, _settledToFull.Length);
        var settled = destination[..settledCount];
        full.In(_settled!).Order(settled);
        for (int i = 0; i < settled.Length; i++)
        {
            settled[i] = _settledToFull[settled[i]];
        }

        for (int i = settledCount, w = 0; i < destination.Length; i++, w++)
        {
            destination[i] = _warming[w];
        }
    }

    /// <summary>The ramp a key newly owned by <paramref name="owner"/> moves by (see the remarks).</summary>
    private double RampOfMove(int owner, long nowTicks)
    {
        double lowest = 1;
        foreach (int node in _warming)
        {
            double ramp = WarmUp.Ramp(_joinTicks[node], _windowTicks, nowTicks);
            if (node == owner)
            {
                return ramp;
            }

            lowest = Math.Min(lowest, ramp);
        }

        return lowest;
    }
}
