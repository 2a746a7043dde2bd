namespace Ringway.ConsistentHashing;

/// <summary>The consistent-hashing algorithms this package implements.</summary>
public enum ConsistentHashAlgorithm
{
    /// <summary>
    /// Hash ring with virtual nodes (ketama style): PointsPerWeight points per unit of weight at xxHash3-64("{id}-{k}"),
    /// a key goes to the first point at or after its hash. Weighted; strictly minimal movement; peak-to-mean about 1.1.
    /// </summary>
    Ring,

    /// <summary>
    /// Maglev lookup table (Eisenbud et al., 2016): O(1) lookup, near-perfect balance, weighted. Adding or removing
    /// a node moves slightly more keys than the optimum (a few percent).
    /// </summary>
    Maglev,

    /// <summary>
    /// Weighted rendezvous (highest random weight) hashing: O(n) lookup, perfect balance, strictly minimal movement,
    /// and a failover order that matches where keys go once a node is removed. The recommended default for replicas.
    /// </summary>
    Rendezvous,

    /// <summary>
    /// Jump consistent hash (Lamping and Veach, 2014) over numbered buckets (bucket = position in the node list).
    /// No weights. Only the last bucket can be removed cleanly: removing another node moves the last node into its
    /// bucket, about twice the optimal movement.
    /// </summary>
    Jump,

    /// <summary>
    /// A simple 512-slot ring with quadratic hash functions and 9 virtual servers per server (numeric server ids 1..N,
    /// at most 56), kept for comparison. Poorly balanced by design. No weights. A decimal key is used as the request id itself.
    /// </summary>
    Classic,
}
