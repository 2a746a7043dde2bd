using Grpc.Core;
using Grpc.Net.Client;
using Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Grpc;

namespace Ringway.Benchmarks.GrpcLoad;

/// <summary>What the routing check and the load client share: options, channels and the keyed unary call.</summary>
internal static class Caller
{
    /// <summary>The metadata entry the proxies take the key from (gRPC metadata are HTTP/2 headers).</summary>
    public const string DefaultKeyHeader = "x-user-id";

    /// <summary>A call that hangs is an error, not a stall of the run.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static IConfiguration Options(string[] args) => new ConfigurationBuilder().AddCommandLine(args).Build();

    public static Uri Url(IConfiguration options) => new(options["url"] ?? throw new ArgumentException("--url http://host:port is required"));

    /// <summary>A channel of its own HTTP/2 connection (h2c for <c>http://</c>), a second one only past 100 calls in flight.</summary>
    public static GrpcChannel Open(Uri url) => GrpcChannel.ForAddress(url, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = true },
        DisposeHttpClient = true,
    });

    /// <summary>One unary call keyed by <paramref name="key"/>; the name of the replica that answered.</summary>
    public static async Task<string> CallAsync(KeyedEcho.KeyedEchoClient client, EchoRequest request, string header, string key)
    {
        var reply = await client.UnaryAsync(request, new Metadata { { header, key } }, DateTime.UtcNow + Deadline);
        return reply.Replica;
    }
}
