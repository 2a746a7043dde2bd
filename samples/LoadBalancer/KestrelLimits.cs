using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Ringway.Samples.LoadBalancer;

/// <summary>
/// The sample host's Kestrel limits, set deliberately (docs/reliability.md, "Kestrel limits of the sample host"). Each can
/// be changed under <c>Kestrel:Limits</c> (<c>--Kestrel:Limits:RequestHeadersTimeout=00:00:05</c>,
/// <c>Kestrel__Limits__MaxRequestBodySize=104857600</c>); the admin API's body limit under <c>Limits:AdminMaxRequestBodySize</c>.
/// </summary>
internal static class KestrelLimits
{
    /// <summary>Routed requests: bodies stream through to the replica, so this is the largest upload a client may send.</summary>
    public const long RoutedMaxRequestBodySize = 30 * 1024 * 1024;

    /// <summary>/add and /rm: their JSON is a few hundred bytes (the endpoints themselves refuse more than 16 KB).</summary>
    public const long AdminMaxRequestBodySize = 64 * 1024;

    public static void Configure(WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var limits = kestrel.Limits;
            limits.MaxRequestBodySize = RoutedMaxRequestBodySize;
            limits.MaxRequestLineSize = 8 * 1024;                  // method + target + version; a longer URL gets 414
            limits.MaxRequestHeadersTotalSize = 32 * 1024;         // all headers together; more gets 431
            limits.MaxRequestHeaderCount = 100;                    // more gets 431
            limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);  // a client trickling its headers gets 408 (Kestrel's default: 30 s)
            limits.KeepAliveTimeout = TimeSpan.FromSeconds(120);   // an idle keep-alive connection is closed
            // A client sending its body, or reading the response, slower than 240 bytes/s after a 5 s grace is dropped.
            limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            limits.MaxConcurrentConnections = null;                // unlimited: capacity is a deployment decision
            limits.MaxConcurrentUpgradedConnections = null;
            builder.Configuration.GetSection("Kestrel:Limits").Bind(limits);
        });
    }

    /// <summary>The admin endpoints' body limit, as endpoint metadata (routed requests keep the server-wide one).</summary>
    public static IRequestSizeLimitMetadata AdminBodyLimit(IConfiguration configuration) =>
        new BodyLimit(configuration.GetValue<long?>("Limits:AdminMaxRequestBodySize") ?? AdminMaxRequestBodySize);

    private sealed record BodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
