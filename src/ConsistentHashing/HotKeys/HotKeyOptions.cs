namespace Ringway.ConsistentHashing;

/// <summary>Hot-key spreading: how hot keys are found (<see cref="HotKeySketch"/>) and how widely they are spread.</summary>
public sealed class HotKeyOptions
{
    /// <summary>The shared default options.</summary>
    public static HotKeyOptions Default { get; } = new();

    /// <summary>
    /// The bound a hot key is spread to stay under: a node should carry at most <c>LoadFactor x</c> the average load.
    /// Must be finite and above 1. Default 1.25 (<see cref="BoundedLoads.DefaultFactor"/>).
    /// </summary>
    public double LoadFactor { get; init; } = BoundedLoads.DefaultFactor;

    /// <summary>The most nodes one key is spread over (1 to 64; 1 turns spreading off). Default 8.</summary>
    public int MaxReplicas { get; init; } = 8;

    /// <summary>
    /// How fast hotness fades: every <c>HalfLife</c> all counts are halved, so a key that stops being requested
    /// loses half its share per half-life. Default 10 seconds.
    /// </summary>
    public TimeSpan HalfLife { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Counters per row of the Count-Min sketch (a power of two, 256 to 65,536). A key's count is overestimated by at
    /// most about <c>e / Width</c> of all requests (0.13 % at the default), with 98 % probability; the sketch takes
    /// <c>4 x 4 x Width</c> bytes (32 KiB at the default). Default 2048.
    /// </summary>
    public int SketchWidth { get; init; } = 2048;

    /// <summary>How many of the hottest keys <see cref="HotKeySketch.TopKeys"/> lists (1 to 256). Default 16.</summary>
    public int TopKeys { get; init; } = 16;

    /// <summary>
    /// Shares are measured against at least this many (decayed) requests, so the first requests after a start do not
    /// all look hot, and at a low request rate nothing is spread. Default 1,000.
    /// </summary>
    public int MinimumRequests { get; init; } = 1_000;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The option named in the exception is out of range.</exception>
    public void Validate()
    {
        if (!(LoadFactor > 1) || double.IsPositiveInfinity(LoadFactor))
        {
            throw new ArgumentOutOfRangeException(nameof(LoadFactor), LoadFactor, "The hot-key load factor must be a finite number above 1 (default 1.25).");
        }

        if (MaxReplicas is < 1 or > HotKeySpreading.MaxReplicasLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReplicas), MaxReplicas, $"MaxReplicas must be 1 to {HotKeySpreading.MaxReplicasLimit} (default 8).");
        }

        if (HalfLife <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(HalfLife), HalfLife, "HalfLife must be positive (default 10 seconds).");
        }

        if (SketchWidth is < 256 or > 65_536 || (SketchWidth & (SketchWidth - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SketchWidth), SketchWidth, "SketchWidth must be a power of two from 256 to 65,536 (default 2048).");
        }

        if (TopKeys is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(TopKeys), TopKeys, "TopKeys must be 1 to 256 (default 16).");
        }

        if (MinimumRequests < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumRequests), MinimumRequests, "MinimumRequests must be at least 1 (default 1,000).");
        }
    }
}
