namespace Ringway.ConsistentHashing;

/// <summary>
/// The order in which one key tries nodes: its preference order, or, while warm-up holds the key back from a
/// newcomer, its preference order in the snapshot without the warming nodes followed by those nodes.
/// Indexes always refer to the full snapshot's <see cref="IConsistentHash{TNode}.Nodes"/>.
/// </summary>
internal readonly ref struct CandidateOrder<TNode>
{
    private readonly KeyLookup<TNode> _full;
    private readonly WarmUpSchedule<TNode>? _heldBackBy;

    private CandidateOrder(KeyLookup<TNode> full, WarmUpSchedule<TNode>? heldBackBy, int first, int count)
    {
        _full = full;
        _heldBackBy = heldBackBy;
        First = first;
        Count = count;
    }

    /// <summary>The node the key goes to when nothing else (loads, hot keys) intervenes.</summary>
    public int First { get; }

    /// <summary>How many nodes the order holds (the full snapshot's node count).</summary>
    public int Count { get; }

    /// <summary>The key hash the hot-key sketch counts by.</summary>
    public ulong Fingerprint => _full.Fingerprint;

    public static CandidateOrder<TNode> Plain(KeyLookup<TNode> full, int count) => new(full, null, full.First(), count);

    public static CandidateOrder<TNode> Full(KeyLookup<TNode> full, int first, int count) => new(full, null, first, count);

    public static CandidateOrder<TNode> HeldBack(KeyLookup<TNode> full, WarmUpSchedule<TNode> schedule, int first, int count)
        => new(full, schedule, first, count);

    /// <summary>Writes the first <c>destination.Length</c> (1 to <see cref="Count"/>) candidates.</summary>
    public void Fill(Span<int> destination)
    {
        if (_heldBackBy is null)
        {
            _full.Order(destination);
        }
        else
        {
            _heldBackBy.FillHeldBack(_full, destination);
        }
    }
}
