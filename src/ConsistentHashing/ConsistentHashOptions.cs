namespace Ringway.ConsistentHashing;

/// <summary>Parameters of the algorithms. Each algorithm reads only its own.</summary>
public sealed class ConsistentHashOptions
{
    /// <summary>The shared default options.</summary>
    public static ConsistentHashOptions Default { get; } = new();

    /// <summary>
    /// <see cref="ConsistentHashAlgorithm.Ring"/>: points on the ring per unit of weight. Default 160 (as ketama and nginx use).
    /// A node's share varies by about 1/sqrt(points); memory is 12 bytes per point.
    /// </summary>
    public int PointsPerWeight { get; init; } = 160;

    /// <summary>
    /// <see cref="ConsistentHashAlgorithm.Maglev"/>: the lookup table size. Must be prime and greater than
    /// 100 times the number of nodes. Default 65537.
    /// </summary>
    public int MaglevTableSize { get; init; } = 65537;

    /// <summary><see cref="ConsistentHashAlgorithm.Classic"/>: how slot collisions between virtual servers are resolved. Default linear.</summary>
    public ClassicProbing ClassicProbing { get; init; } = ClassicProbing.Linear;
}

/// <summary>Collision resolution of the classic ring.</summary>
public enum ClassicProbing
{
    /// <summary>Try the next slot, then the one after, and so on.</summary>
    Linear,

    /// <summary>Try slots at offsets 1, 4, 9, 16... from the first.</summary>
    Quadratic,
}
