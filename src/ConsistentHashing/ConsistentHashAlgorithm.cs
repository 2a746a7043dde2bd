namespace Ringway.ConsistentHashing;

/// <summary>The consistent-hashing algorithms this package implements.</summary>
public enum ConsistentHashAlgorithm
{
    /// <summary>Hash ring with virtual nodes (ketama style), xxHash3-64 positions, binary-search lookup.</summary>
    Ring,

    /// <summary>Maglev lookup table (Eisenbud et al., 2016): O(1) lookup, near-perfect balance.</summary>
    Maglev,

    /// <summary>Weighted rendezvous (highest random weight) hashing: O(n) lookup, minimal movement.</summary>
    Rendezvous,

    /// <summary>Jump consistent hash (Lamping and Veach, 2014) over numbered buckets: only the last bucket can be removed cheaply.</summary>
    Jump,

    /// <summary>The original assignment's 512-slot ring with 9 virtual servers per server, kept for comparison. Poorly balanced by design.</summary>
    Classic,
}
