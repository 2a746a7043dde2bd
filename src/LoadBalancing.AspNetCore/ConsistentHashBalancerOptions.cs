using Microsoft.AspNetCore.Http;
using Ringway.ConsistentHashing;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// Options of the consistent-hash balancer: how requests are keyed and hashed, how they are forwarded,
/// and how the replica controller keeps replicas alive. Bind them from configuration or set them in code;
/// they are validated when the application starts.
/// </summary>
public sealed class ConsistentHashBalancerOptions
{
    /// <summary>
    /// The hashing algorithm. Default <see cref="ConsistentHashAlgorithm.Rendezvous"/>: the best balance at small replica
    /// counts with strictly minimal key movement, and its failover order is where keys go once a replica leaves (docs/hashing.md).
    /// </summary>
    public ConsistentHashAlgorithm Algorithm { get; set; } = ConsistentHashAlgorithm.Rendezvous;

    /// <summary><see cref="ConsistentHashAlgorithm.Ring"/>: points on the ring per replica. Default 160.</summary>
    public int PointsPerWeight { get; set; } = 160;

    /// <summary><see cref="ConsistentHashAlgorithm.Maglev"/>: lookup table size, a prime above 100 x the replica count. Default 65537.</summary>
    public int MaglevTableSize { get; set; } = 65537;

    /// <summary><see cref="ConsistentHashAlgorithm.Classic"/>: collision probing. Default <see cref="ClassicProbing.Linear"/>.</summary>
    public ClassicProbing ClassicProbing { get; set; } = ClassicProbing.Linear;

    /// <summary>
    /// Consistent hashing with bounded loads: when set (greater than 1, for example 1.25), a key skips replicas whose
    /// in-flight requests exceed <c>ceil(factor x average)</c>. Default null (off).
    /// </summary>
    public double? BoundedLoadFactor { get; set; }

    /// <summary>
    /// Where the request key comes from, tried in order; the first that yields a non-empty value wins. Each entry is one of
    /// <c>header:NAME</c>, <c>query:NAME</c>, <c>cookie:NAME</c>, <c>route:NAME</c>, <c>path</c>, <c>client-address</c>.
    /// When none yields a key (or the list is empty), the request gets a random 6-digit id, as the original balancer did.
    /// Default empty.
    /// </summary>
    public IList<string> KeySources { get; } = new List<string>();

    /// <summary>A custom key selector tried before <see cref="KeySources"/>; null or empty means "no key". Default null.</summary>
    public Func<HttpContext, string?>? KeySelector { get; set; }

    /// <summary>
    /// How requests are forwarded: <see cref="ReplicaForwarder.Yarp"/> (YARP's forwarder for every request) or
    /// <see cref="ReplicaForwarder.Http1"/> (a lean HTTP/1.1 path for ordinary requests, YARP for upgrades and anything
    /// unusual; docs/benchmarks.md). Default <see cref="ReplicaForwarder.Yarp"/>.
    /// </summary>
    public ReplicaForwarder Forwarder { get; set; } = ReplicaForwarder.Yarp;

    /// <summary>How long connecting to a replica may take before the next replica is tried. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a replica may stay silent: waiting for its response headers, or between reads of its body.
    /// On expiry the client gets 504 (or the response is aborted once started). Default 100 seconds.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Attempts per request, the first included: when a replica cannot be reached (nothing was sent), the request goes to the
    /// next replica in the key's preference order. From 1 to 8. Default 3.
    /// </summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// Whether a failed idempotent request without a body (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) whose response has not
    /// started is also retried on the next replica after the request reached the first one. Default true.
    /// </summary>
    public bool RetryIdempotentRequests { get; set; } = true;

    /// <summary>
    /// Addresses of proxies in front of the balancer (for example <c>10.0.0.5</c>, <c>::1</c>) whose X-Forwarded-For,
    /// X-Forwarded-Proto and X-Forwarded-Host values are passed on, with the balancer's entry appended, as ASP.NET Core's
    /// <c>ForwardedHeadersOptions.KnownProxies</c> trusts them. From any other client those headers are replaced by the
    /// balancer's own values (the client's address, the scheme and Host it used), so a client cannot make a replica believe
    /// it came from elsewhere. Default empty: no client is trusted, loopback included.
    /// </summary>
    public IList<string> KnownProxies { get; } = new List<string>();

    /// <summary>
    /// Networks of trusted proxies in CIDR notation (for example <c>10.0.0.0/8</c>, <c>fd00::/8</c>), as
    /// <c>ForwardedHeadersOptions.KnownIPNetworks</c>; see <see cref="KnownProxies"/>. Default empty.
    /// </summary>
    public IList<string> KnownNetworks { get; } = new List<string>();

    /// <summary>
    /// Turns a replica's 404 into 400 <c>{"message": "&lt;Error&gt; '/path' endpoint does not exist in server replicas", "status": "failure"}</c>,
    /// as the original assignment did. Default false.
    /// </summary>
    public bool NotFoundAsBadRequest { get; set; }

    /// <summary>The number of replicas the controller keeps running when the provider can start replicas. Default 3.</summary>
    public int Replicas { get; set; } = 3;

    /// <summary>The most replicas <c>/add</c> may bring the total to. Default 64.</summary>
    public int MaxReplicas { get; set; } = 64;

    /// <summary>The heartbeat path probed on every replica. Default <c>/heartbeat</c>.</summary>
    public string HeartbeatPath { get; set; } = "/heartbeat";

    /// <summary>How often every replica is probed. Default 1 second.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one probe may take. Default 2 seconds: a replica that is busy, not dead, must not be replaced (moving its
    /// keys) because two probes in a row waited in a long queue; a dead replica refuses at once and is found sooner.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive failed probes after which a replica leaves the ring and is replaced. Default 2.</summary>
    public int HeartbeatFailureThreshold { get; set; } = 2;

    /// <summary>How long requests in flight on a removed replica may take to finish before it is stopped. Default 10 seconds.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Autoscaling by requests in flight; off by default.</summary>
    public AutoscalingOptions Autoscaling { get; } = new();

    /// <summary>Whether replicas the provider started are stopped when the application stops. Default true.</summary>
    public bool StopReplicasOnShutdown { get; set; } = true;

    /// <summary>
    /// When set, <c>/rep</c>, <c>/add</c> and <c>/rm</c> require this value in the <c>X-Api-Key</c> header (compared in constant time).
    /// Default null (no key; use <c>RequireAuthorization()</c> on the endpoints for real authentication).
    /// </summary>
    public string? AdminApiKey { get; set; }

    /// <summary>The hashing library's options for <see cref="Algorithm"/>.</summary>
    internal ConsistentHashOptions ToHashOptions() => new()
    {
        PointsPerWeight = PointsPerWeight,
        MaglevTableSize = MaglevTableSize,
        ClassicProbing = ClassicProbing,
    };
}
