using System.Net.Http;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Grpc;

/// <summary>A real balancer set up for gRPC: h2c from clients, h2c to replicas, keyed by the <c>x-user-id</c> metadata.</summary>
internal static class GrpcBalancer
{
    public const string KeyHeader = "x-user-id";

    public static Task<TestBalancer> StartAsync(IEnumerable<Uri> replicas, ReplicaForwarder forwarder, Action<ConsistentHashBalancerOptions>? configure = null, ILoggerProvider? logs = null)
        => TestBalancer.StartAsync(
            b => b.AddStaticReplicas(replicas.Select(r => r.ToString())),
            o =>
            {
                o.Forwarding.Forwarder = forwarder;
                o.Forwarding.HttpVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher; // h2c to the replicas
                o.Keys.Sources.Add("header:" + KeyHeader);
                configure?.Invoke(o);
            },
            services: builder =>
            {
                // Clients speak HTTP/2 with prior knowledge: a cleartext endpoint must be HTTP/2 only for that (Kestrel).
                builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(endpoint =>
                {
                    endpoint.Protocols = HttpProtocols.Http2;
                    endpoint.UseConnectionHeaderCapture();
                }));
                if (logs is not null)
                {
                    builder.Logging.AddProvider(logs);
                }
            });

    /// <summary>A Grpc.Net.Client channel to the balancer (h2c).</summary>
    public static GrpcChannel Channel(TestBalancer balancer) => GrpcChannel.ForAddress(balancer.Address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { UseProxy = false },
        DisposeHttpClient = true,
    });

    public static global::Grpc.Core.Metadata Key(string key) => new() { { KeyHeader, key } };
}
