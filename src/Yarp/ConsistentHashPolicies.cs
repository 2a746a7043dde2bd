using Ringway.ConsistentHashing;

namespace Ringway.Yarp;

/// <summary>
/// The names of Ringway's YARP load-balancing policies, for a cluster's <c>LoadBalancingPolicy</c> (compared
/// case-insensitively, as YARP does). Each hashes the request's key (<see cref="ConsistentHashMetadata.KeySources"/>) over
/// all of the cluster's destinations by destination id, and takes the first available destination in the key's preference order.
/// </summary>
public static class ConsistentHashPolicies
{
    /// <summary>
    /// <c>RingHash</c>: a hash ring with virtual nodes (ketama style, <see cref="ConsistentHashMetadata.PointsPerWeight"/>
    /// points per destination). Adding or removing a destination moves only the keys it takes or had.
    /// </summary>
    public const string RingHash = "RingHash";

    /// <summary>
    /// <c>Maglev</c>: a Maglev lookup table (<see cref="ConsistentHashMetadata.MaglevTableSize"/> entries): constant-time
    /// lookups and near-perfect balance; a change of destinations moves slightly more keys than the optimum.
    /// </summary>
    public const string Maglev = "Maglev";

    /// <summary>
    /// <c>RendezvousHash</c>: rendezvous (highest random weight) hashing: perfect balance, the fewest keys moved, and a
    /// failover order that is where keys go when their destination leaves. The recommended one for up to a few hundred destinations.
    /// </summary>
    public const string RendezvousHash = "RendezvousHash";

    /// <summary>
    /// <c>JumpHash</c>: jump consistent hashing over the destinations numbered in the order they joined: no memory, very fast;
    /// removing a destination other than the last moves about twice the optimal share of keys.
    /// </summary>
    public const string JumpHash = "JumpHash";

    /// <summary>Every policy with its algorithm.</summary>
    internal static IReadOnlyList<(string Name, ConsistentHashAlgorithm Algorithm)> All { get; } =
    [
        (RingHash, ConsistentHashAlgorithm.Ring),
        (Maglev, ConsistentHashAlgorithm.Maglev),
        (RendezvousHash, ConsistentHashAlgorithm.Rendezvous),
        (JumpHash, ConsistentHashAlgorithm.Jump),
    ];

    /// <summary>The algorithm of a policy name, when it is one of Ringway's.</summary>
    internal static bool TryGetAlgorithm(string? name, out ConsistentHashAlgorithm algorithm)
    {
        foreach (var policy in All)
        {
            if (string.Equals(policy.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                algorithm = policy.Algorithm;
                return true;
            }
        }

        algorithm = default;
        return false;
    }

    /// <summary>The policy name of an algorithm.</summary>
    internal static string NameOf(ConsistentHashAlgorithm algorithm) => All.First(p => p.Algorithm == algorithm).Name;
}
