using System.Runtime.CompilerServices;

namespace Ringway.ConsistentHashing;

/// <summary>
/// Places keys with the load-aware rules on top of any snapshot: warm-up (through a <see cref="WarmUpSchedule{TNode}"/>),
/// bounded loads and hot-key spreading, each optional and all composable. Thread-safe; lookups allocate nothing.
/// </summary>
/// <remarks>
/// For each key: (1) its candidate order is its preference order, or, while warm-up holds it back from a newcomer,
/// the order without the warming nodes; (2) with hot-key spreading on, the key is counted in <see cref="HotKeys"/>,
/// and a key hot enough to need k &gt; 1 nodes stays on its first candidate as far as
/// <see cref="HotKeyOptions.LoadFactor"/> x the average load allows, the rest of its requests going to the least
/// loaded of its next k - 1 candidates (the fraction to send away is learned from the first candidate's load, so
/// that only the traffic the bound requires moves); (3) with bounded loads on, a key (or a hot key whose pick is
/// full) goes to the first candidate with room; (4) otherwise to its first candidate. Keep one instance per
/// balancer: it holds the hot-key counts.
/// </remarks>
public sealed class LoadAwarePlacement
{
    private readonly double _boundedFactor;
    private readonly bool _bounded;
    private readonly double _hotFactor;
    private readonly int _maxReplicas;

    /// <summary>Creates a placement with the given rules (all off by default).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public LoadAwarePlacement(LoadAwareOptions? options = null)
    {
        options ??= new LoadAwareOptions();
        options.Validate();
        Options = options;
        _bounded = options.BoundedLoadFactor is not null;
        _boundedFactor = options.BoundedLoadFactor ?? BoundedLoads.DefaultFactor;
        if (options.HotKeys is { } hot)
        {
            HotKeys = new HotKeySketch(hot);
            _hotFactor = hot.LoadFactor;
            _maxReplicas = hot.MaxReplicas;
        }
    }

    /// <summary>The rules in force.</summary>
    public LoadAwareOptions Options { get; }

    /// <summary>The hot-key counts, or null when spreading is off.</summary>
    public HotKeySketch? HotKeys { get; }

    /// <summary>True when lookups read loads (bounded loads or hot-key spreading is on).</summary>
    public bool UsesLoads => _bounded || HotKeys is not null;

    /// <summary>
    /// The index into <see cref="IConsistentHash{TNode}.Nodes"/> of the node that takes <paramref name="key"/> at
    /// <paramref name="now"/>, given each node's load (<paramref name="loads"/>[i] for node i: requests in flight, or a
    /// reported load, see <see cref="ReportedLoad"/>). Allocation-free.
    /// </summary>
    /// <param name="hash">The snapshot.</param>
    /// <param name="key">The key.</param>
    /// <param name="loads">One non-negative load per node; may be empty when <see cref="UsesLoads"/> is false.</param>
    /// <param name="now">The time: ramps warm-up and fades hot keys.</param>
    /// <param name="warmUp">The snapshot's warm-up schedule, or null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="hash"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="loads"/> does not have one entry per node (when loads are used) or has a negative one, or
    /// <paramref name="warmUp"/> belongs to another snapshot.
    /// </exception>
    [SkipLocalsInit]
    public int GetNodeIndex<TNode>(IConsistentHash<TNode> hash, ReadOnlySpan<char> key, ReadOnlySpan<int> loads, DateTimeOffset now, WarmUpSchedule<TNode>? warmUp = null)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (warmUp is not null && !ReferenceEquals(warmUp.Hash, hash))
        {
            throw new ArgumentException("The warm-up schedule was built for another snapshot.", nameof(warmUp));
        }

        var lookup = new KeyLookup<TNode>(hash, key);
        var order = warmUp is null ? CandidateOrder<TNode>.Plain(lookup, hash.Count) : warmUp.OrderFor(lookup, now.UtcTicks);
        if (!UsesLoads)
        {
            return order.First;
        }

        var bound = LoadBound<TNode>.Of(lookup, hash, loads);
        int chosen = order.First;
        if (HotKeys is not null)
        {
            ulong fingerprint = order.Fingerprint;
            double share = HotKeys.Record(fingerprint, key, now.UtcTicks, out int count);
            int spread = HotKeySpreading.ReplicasFor(share, hash.Count, _hotFactor, _maxReplicas);
            if (spread > 1)
            {
                Span<int> candidates = stackalloc int[HotKeySpreading.MaxReplicasLimit];
                candidates = candidates[..spread];
                order.Fill(candidates);
                chosen = HotKeySpreading.Choose(candidates, bound, _hotFactor, HotKeys.Spills, HotKeys.SlotOf(fingerprint), count);
                if (!_bounded || bound.HasRoom(chosen, _boundedFactor))
                {
                    return chosen;
                }
            }
        }

        if (!_bounded)
        {
            return chosen;
        }

        // Bounded loads: the first candidate with room (for a hot key whose pick was full, one of its first k if any has room).
        int withRoom = BoundedLoads.FirstWithRoom(order, bound, _boundedFactor);
        return withRoom >= 0 ? withRoom : chosen;
    }
}
