using System.Net;
using System.Net.Http;
using System.Net.Security;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// The one way connections to replicas are made over <see cref="SocketsHttpHandler"/>, by YARP's forwarder and the heartbeat
/// prober alike: no proxy, redirects, cookies or decompression, and the replicas' certificates checked by
/// <see cref="ReplicaCertificateTrust"/> when private authorities are configured.
/// </summary>
internal static class ReplicaHttpHandler
{
    public static SocketsHttpHandler Create(ForwardingOptions options, TimeSpan connectTimeout, TimeSpan pooledConnectionIdleTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = connectTimeout,
            PooledConnectionIdleTimeout = pooledConnectionIdleTimeout,
            // ForwardingHeaderPolicy writes the trace context (the attempt's span), as on the lean path; the handler adds none.
            ActivityHeadersPropagator = null,
        };
        if (ReplicaCertificateTrust.Create(options) is { } trust)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = trust.Validate };
        }

        return handler;
    }

    /// <summary>Whether requests to <c>http://</c> replicas go out as HTTP/2 (h2c), by <see cref="ForwardingOptions.HttpVersion"/> and its policy.</summary>
    public static bool SpeaksHttp2Cleartext(ForwardingOptions options)
        => options.HttpVersion.Major >= 2 && options.HttpVersionPolicy != HttpVersionPolicy.RequestVersionOrLower;
}
