using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>
/// The library as a user wires it, on 127.0.0.1 port 0: <c>AddConsistentHashBalancer().AddStaticReplicas(...)</c> and
/// <c>MapConsistentHashBalancer()</c>, every option and Kestrel limit at its default except the forwarder and the
/// heartbeat path (httpbin has no /heartbeat).
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
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddConsistentHashBalancer(o =>
            {
                o.Forwarder = forwarder;
                o.HeartbeatPath = heartbeatPath;
            })
            .AddStaticReplicas(replicas.Select(r => r.ToString()));
        var app = builder.Build();
        app.MapConsistentHashBalancer();
        await app.StartAsync();
        if (app.Services.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value.Forwarder != forwarder)
        {
            throw new InvalidOperationException($"The balancer does not use the {forwarder} forwarder.");
        }

        // Static replicas join the ring on their first answered heartbeat.
        var replicaSet = app.Services.GetRequiredService<IReplicaSet>();
        var expected = replicaSet.Replicas.Count;
        if (!await Ringway.TestSupport.Processes.ProcessTable.EventuallyAsync(() => replicaSet.RoutableCount == expected, TimeSpan.FromSeconds(30), 50))
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"The {forwarder} balancer's replicas did not join the ring.");
        }

        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new InProcessBalancer(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
