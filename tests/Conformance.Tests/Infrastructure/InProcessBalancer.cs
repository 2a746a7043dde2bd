using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.TestSupport.Http;
using Ringway.TestSupport.Waiting;

namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>
/// The library as a user wires it, on 127.0.0.1 port 0: <c>AddConsistentHashBalancer().AddStaticReplicas(...)</c> and
/// <c>MapConsistentHashBalancer()</c>, every option and Kestrel limit at its default except the forwarder and the
/// heartbeat path (httpbin has no /heartbeat), and the endpoint keeps the client's Connection header as
/// docs/configuration.md recommends (<c>UseConnectionHeaderCapture()</c>).
/// </summary>
internal sealed class InProcessBalancer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessBalancer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<InProcessBalancer> StartAsync(ReplicaForwarder forwarder, IEnumerable<Uri> replicas, string heartbeatPath)
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(endpoint => endpoint.UseConnectionHeaderCapture()));
        builder.Services.AddConsistentHashBalancer(o =>
            {
                o.Forwarding.Forwarder = forwarder;
                o.Health.Path = heartbeatPath;
            })
            .AddStaticReplicas(replicas.Select(r => r.ToString()));
        var app = builder.Build();
        app.MapConsistentHashBalancer();
        var address = await LoopbackApp.StartAsync(app);
        if (app.Services.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value.Forwarding.Forwarder != forwarder)
        {
            await LoopbackApp.StopAsync(app);
            throw new InvalidOperationException($"The balancer does not use the {forwarder} forwarder.");
        }

        // Static replicas join the ring on their first answered heartbeat.
        var replicaSet = app.Services.GetRequiredService<IReplicaSet>();
        if (!await Eventually.TrueAsync(() => replicaSet.RoutableCount == replicaSet.Replicas.Count, TimeSpan.FromSeconds(30)))
        {
            await LoopbackApp.StopAsync(app);
            throw new InvalidOperationException($"The {forwarder} balancer's replicas did not join the ring.");
        }

        return new InProcessBalancer(app, address);
    }

    public ValueTask DisposeAsync() => new(LoopbackApp.StopAsync(_app));
}
