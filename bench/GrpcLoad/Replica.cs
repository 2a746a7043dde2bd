using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Grpc;

namespace Ringway.Benchmarks.GrpcLoad;

/// <summary>
/// A gRPC replica for the benchmark: Grpc.AspNetCore on HTTP/2-only endpoints (h2c, as gRPC servers behind cleartext are),
/// whose unary call answers with the replica's name, and /heartbeat for the health checks of both proxies.
/// </summary>
internal static class Replica
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new NamedEchoService(builder.Configuration["id"] ?? "1"));
        var app = builder.Build();
        app.MapGrpcService<NamedEchoService>();
        app.MapGet("/heartbeat", () => Results.Ok());
        await app.RunAsync();
        return 0;
    }

    /// <summary>Only the unary call: the other methods of the service answer UNIMPLEMENTED (the generated base).</summary>
    internal sealed class NamedEchoService(string name) : KeyedEcho.KeyedEchoBase
    {
        public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
            => Task.FromResult(new EchoReply { Replica = name, Text = request.Text });
    }
}
