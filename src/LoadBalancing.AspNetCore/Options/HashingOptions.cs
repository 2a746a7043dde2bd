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
    /// in-flight requests exceed <c>ceil(factor x average)</c>. Default null (off).
    /// </summary>
    public double? BoundedLoadFactor { get; set; }

    /// <summary>The hashing library's parameters for <see cref="Algorithm"/>.</summary>
    internal ConsistentHashOptions ToConsistentHashOptions() => new()
    {
        PointsPerWeight = PointsPerWeight,
        MaglevTableSize = MaglevTableSize,
        ClassicProbing = ClassicProbing,
    };
}
