using Ringway.ConsistentHashing;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// Hot-key spreading (configuration section <c>Hashing:HotKeys</c>): the hottest keys, found by a per-balancer
/// Count-Min sketch, are served by the least loaded of the first few replicas of their preference order, while every
/// other key stays on its replica. Off by default. The parameters are those of <see cref="HotKeyOptions"/>, with the
/// same defaults (docs/hashing.md, "Hot-key spreading").
/// </summary>
public sealed class HotKeySpreadingOptions
{
    /// <summary>Turns hot-key spreading on. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The bound a hot key is spread to stay under, as a multiple of the average load (above 1). Default 1.25.</summary>
    public double LoadFactor { get; set; } = HotKeyOptions.Default.LoadFactor;

    /// <summary>The most replicas one key is spread over (1 to 64). Default 8.</summary>
    public int MaxReplicas { get; set; } = HotKeyOptions.Default.MaxReplicas;

    /// <summary>How fast hotness fades: every half-life all counts are halved. Default 10 seconds.</summary>
    public TimeSpan HalfLife { get; set; } = HotKeyOptions.Default.HalfLife;

    /// <summary>Counters per row of the sketch (a power of two, 256 to 65,536; 16 bytes each). Default 2048.</summary>
    public int SketchWidth { get; set; } = HotKeyOptions.Default.SketchWidth;

    /// <summary>How many of the hottest keys are listed in the health check data (1 to 256). Default 16.</summary>
    public int TopKeys { get; set; } = HotKeyOptions.Default.TopKeys;

    /// <summary>Shares are measured against at least this many (decayed) requests, so a quiet balancer spreads nothing. Default 1,000.</summary>
    public int MinimumRequests { get; set; } = HotKeyOptions.Default.MinimumRequests;

    /// <summary>The hashing library's options, or null when spreading is off.</summary>
    internal HotKeyOptions? ToHotKeyOptions() => Enabled ? Build() : null;

    /// <summary>The hashing library's options, checked (even when off, so a wrong value is found before it is turned on).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The option named in the exception is out of range.</exception>
    internal HotKeyOptions Build()
    {
        var options = new HotKeyOptions
        {
            LoadFactor = LoadFactor,
            MaxReplicas = MaxReplicas,
            HalfLife = HalfLife,
            SketchWidth = SketchWidth,
            TopKeys = TopKeys,
            MinimumRequests = MinimumRequests,
        };
        options.Validate();
        return options;
    }
}

/// <summary>
/// Replica-reported load (configuration section <c>Hashing:ReportedLoad</c>): bounded loads and hot-key spreading compare
/// the load each replica reports in ORCA's <c>endpoint-load-metrics</c> header (its named metric <c>rif</c>, requests in
/// flight from every balancer), on responses and heartbeat answers, instead of this balancer's own requests in flight.
/// Off by default (docs/hashing.md, "Replica-reported load").
/// </summary>
public sealed class ReportedLoadOptions
{
    /// <summary>
    /// Turns reading the reports on. The header is then taken off the responses passed to clients (it is addressed to the
    /// balancer). Needs <see cref="HashingOptions.BoundedLoadFactor"/> or <see cref="HashingOptions.HotKeys"/>. Default false.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// How old a report may be before the replica's load falls back to this balancer's own requests in flight to it.
    /// Default 3 seconds (three heartbeats at the default interval).
    /// </summary>
    public TimeSpan StalenessLimit { get; set; } = ReportedLoad.DefaultMaxAge;
}
