using Ringway.ConsistentHashing;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// The hashing algorithm and its parameters (configuration section <c>Hashing</c>). The parameters are those of
/// <see cref="ConsistentHashOptions"/>, with the same defaults; each algorithm reads only its own.
/// </summary>
public sealed class HashingOptions
{
    /// <summary>
    /// The hashing algorithm. Default <see cref="ConsistentHashAlgorithm.Rendezvous"/>: the best balance at small replica
    /// counts with strictly minimal key movement, and its failover order is where keys go once a replica leaves (docs/hashing.md).
    /// </summary>
    public ConsistentHashAlgorithm Algorithm { get; set; } = ConsistentHashAlgorithm.Rendezvous;

    /// <summary><see cref="ConsistentHashAlgorithm.Ring"/>: points on the ring per replica. Default 160.</summary>
    public int PointsPerWeight { get; set; } = ConsistentHashOptions.Default.PointsPerWeight;

    /// <summary><see cref="ConsistentHashAlgorithm.Maglev"/>: lookup table size, a prime above 100 x the replica count. Default 65537.</summary>
    public int MaglevTableSize { get; set; } = ConsistentHashOptions.Default.MaglevTableSize;

    /// <summary><see cref="ConsistentHashAlgorithm.Classic"/>: collision probing. Default <see cref="ClassicProbing.Linear"/>.</summary>
    public ClassicProbing ClassicProbing { get; set; } = ConsistentHashOptions.Default.ClassicProbing;

    /// <summary>
    /// Consistent hashing with bounded loads: when set (greater than 1, for example 1.25), a key skips replicas whose
    /// load (this balancer's requests in flight, or the replica's own report with <see cref="ReportedLoad"/>) exceeds
    /// <c>ceil(factor x average)</c>. Default null (off).
    /// </summary>
    public double? BoundedLoadFactor { get; set; }

    /// <summary>
    /// Warm-up: a replica that joins the ring takes its keys gradually, from none to its full share over this window,
    /// each key moving once from the replica that holds it without the newcomer (docs/hashing.md, "Warm-up"). Replicas
    /// present when the balancer starts do not ramp; one that leaves and comes back ramps again. Default
    /// <see cref="TimeSpan.Zero"/> (off).
    /// </summary>
    public TimeSpan WarmUp { get; set; }

    /// <summary>Hot-key spreading (section <c>Hashing:HotKeys</c>). Off by default.</summary>
    public HotKeySpreadingOptions HotKeys { get; } = new();

    /// <summary>Bounded loads on the load replicas report (section <c>Hashing:ReportedLoad</c>). Off by default.</summary>
    public ReportedLoadOptions ReportedLoad { get; } = new();

    /// <summary>
    /// Adds the <c>Ringway-Epoch</c> header (the membership epoch, 16 hexadecimal digits) to every routed response, so
    /// clients can tell which balancers route alike. <c>/rep</c> carries it always. Default false.
    /// </summary>
    public bool EpochHeader { get; set; }

    /// <summary>The hashing library's parameters for <see cref="Algorithm"/>.</summary>
    internal ConsistentHashOptions ToConsistentHashOptions() => new()
    {
        PointsPerWeight = PointsPerWeight,
        MaglevTableSize = MaglevTableSize,
        ClassicProbing = ClassicProbing,
    };
}
