using System.Net;
using System.Net.Http;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>How requests reach a replica: the forwarder, its timeouts, failover and the 404 rule (configuration section <c>Forwarding</c>).</summary>
public sealed class ForwardingOptions
{
    /// <summary>
    /// How requests are forwarded: <see cref="ReplicaForwarder.Http1"/> (a lean HTTP/1.1 path for ordinary requests, YARP
    /// for upgrades and anything unusual) or <see cref="ReplicaForwarder.Yarp"/> (YARP's forwarder for every request). Both
    /// answer alike (docs/conformance.md); the lean path costs less CPU per request (docs/benchmarks.md).
    /// Default <see cref="ReplicaForwarder.Http1"/>.
    /// </summary>
    public ReplicaForwarder Forwarder { get; set; } = ReplicaForwarder.Http1;

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
    /// The HTTP version requests to replicas ask for, with <see cref="HttpVersionPolicy"/> deciding what is accepted, as
    /// YARP's <c>HttpRequest.Version</c> per cluster. Default 2.0: with the default policy, <c>https://</c> replicas
    /// speak HTTP/2 when they offer it (ALPN) and <c>http://</c> replicas HTTP/1.1.
    /// </summary>
    public Version HttpVersion { get; set; } = System.Net.HttpVersion.Version20;

    /// <summary>
    /// Which versions are accepted from replicas, as YARP's <c>HttpRequest.VersionPolicy</c>.
    /// <see cref="System.Net.Http.HttpVersionPolicy.RequestVersionOrHigher"/> (or <c>RequestVersionExact</c>) with
    /// <see cref="HttpVersion"/> 2.0 makes the balancer speak HTTP/2 to <c>http://</c> replicas with prior knowledge (h2c),
    /// as gRPC replicas behind a cleartext endpoint need; every request then goes through YARP's forwarder, the lean HTTP/1.1
    /// path included. Default <see cref="System.Net.Http.HttpVersionPolicy.RequestVersionOrLower"/>.
    /// </summary>
    public HttpVersionPolicy HttpVersionPolicy { get; set; } = HttpVersionPolicy.RequestVersionOrLower;

    /// <summary>
    /// PEM files of certificate authorities trusted for <c>https://</c> replicas (and their heartbeats) besides the system's
    /// roots, for replicas whose certificates a private CA signs. A replica's certificate is always validated: its chain must
    /// end at a system root or one of these, and its name must match the replica's address. Default empty (system roots only).
    /// </summary>
    public IList<string> TrustedCertificateAuthorities { get; } = new List<string>();

    /// <summary>
    /// Turns a replica's 404 into 400 <c>{"message": "&lt;Error&gt; '/path' endpoint does not exist in server replicas", "status": "failure"}</c>,
    /// for clients that expect unknown paths to be reported as bad requests in the balancer's JSON error shape. Default false.
    /// </summary>
    public bool NotFoundAsBadRequest { get; set; }
}
