namespace Ringway.Yarp;

/// <summary>
/// The cluster metadata keys Ringway's policies read (compared case-insensitively). Every key that starts with
/// <c>Ringway.</c> on a cluster with a Ringway policy must be one of these and apply to that policy, or the configuration
/// is refused when it loads. Clusters with other policies are not read.
/// </summary>
/// <example>
/// <code>
/// "Metadata": {
///   "Ringway.KeySources": "header:X-User-Id, query:user",
///   "Ringway.BoundedLoadFactor": "1.25"
/// }
/// </code>
/// </example>
public static class ConsistentHashMetadata
{
    /// <summary>
    /// <c>Ringway.KeySources</c>: where the request key comes from, a comma-separated list tried in order, the first
    /// non-empty value wins: <c>header:NAME</c>, <c>query:NAME</c>, <c>cookie:NAME</c>, <c>route:NAME</c> (a value of the
    /// route's match pattern), <c>path</c> or <c>client-address</c>. The same syntax and rules as the balancer middleware's
    /// <c>KeySources</c>. Default none: a request without a key gets a random 6-digit id, so keyless requests spread.
    /// </summary>
    public const string KeySources = "Ringway.KeySources";

    /// <summary>
    /// <c>Ringway.BoundedLoadFactor</c>: consistent hashing with bounded loads. A number greater than 1 (for example
    /// <c>1.25</c>, the usual choice): a key skips destinations whose requests in flight (YARP's
    /// <c>DestinationState.ConcurrentRequestCount</c>) have reached <c>ceil(factor x (total in flight + 1) / available destinations)</c>
    /// and goes on in its preference order. Default none (off).
    /// </summary>
    public const string BoundedLoadFactor = "Ringway.BoundedLoadFactor";

    /// <summary><c>Ringway.PointsPerWeight</c>: <see cref="ConsistentHashPolicies.RingHash"/> only; points on the ring per destination, at least 1. Default 160.</summary>
    public const string PointsPerWeight = "Ringway.PointsPerWeight";

    /// <summary>
    /// <c>Ringway.MaglevTableSize</c>: <see cref="ConsistentHashPolicies.Maglev"/> only; the lookup table size, a prime greater
    /// than 100 times the number of destinations. Default 65537.
    /// </summary>
    public const string MaglevTableSize = "Ringway.MaglevTableSize";

    /// <summary>The prefix that marks a metadata key as Ringway's.</summary>
    internal const string Prefix = "Ringway.";
}
