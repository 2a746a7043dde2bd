namespace Ringway.ConsistentHashing;

/// <summary>
/// Which load-aware rules <see cref="LoadAwarePlacement"/> applies on top of the hash. Everything is off by default,
/// which is plain consistent hashing. Warm-up is not here: it belongs to a snapshot (<see cref="WarmUpSchedule{TNode}"/>).
/// </summary>
public sealed class LoadAwareOptions
{
    /// <summary>
    /// Bounded loads: a key goes to the first node of its order whose load is below
    /// <c>ceil(factor x (total + 1) x w_i / W)</c> (<see cref="BoundedLoads"/>). A finite number &gt;= 1; null (the
    /// default) turns bounded loads off.
    /// </summary>
    public double? BoundedLoadFactor { get; init; }

    /// <summary>Hot-key spreading (<see cref="HotKeyOptions"/>); null (the default) turns it off.</summary>
    public HotKeyOptions? HotKeys { get; init; }

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The option named in the exception is out of range.</exception>
    public void Validate()
    {
        if (BoundedLoadFactor is { } factor)
        {
            BoundedLoads.CheckFactor(factor, nameof(BoundedLoadFactor));
        }

        HotKeys?.Validate();
    }
}
