using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.Replicas.Processes;
using Ringway.TestSupport.Http;
using Ringway.TestSupport.Processes;
using Ringway.TestSupport.Samples;
using Ringway.TestSupport.Waiting;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Ringway.Yarp.Tests.Infrastructure;

/// <summary>
/// A real YARP gateway on loopback whose cluster <see cref="ClusterId"/> (RendezvousHash, key in the <c>key</c> query
/// value, no destinations configured) takes its destinations from replicas the balancer's supervisor runs as child
/// processes of the sample server, with the admin API mapped beside the proxy. Every process it starts carries a marker
/// and is killed at the end, whatever happened.
/// </summary>
internal sealed class ReplicaGateway : IAsyncDisposable
{
    public const string ClusterId = "replicas";

    private readonly WebApplication _app;
    private readonly ChildProcessGuard _guard;

    private ReplicaGateway(WebApplication app, Uri address, ChildProcessGuard guard)
    {
        _app = app;
        _guard = guard;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public IReplicaSet Replicas => _app.Services.GetRequiredService<IReplicaSet>();

    public ClusterState Cluster => _app.Services.GetRequiredService<IProxyStateLookup>().TryGetCluster(ClusterId, out var cluster)
        ? cluster
        : throw new InvalidOperationException($"No cluster '{ClusterId}'.");

    /// <summary>The destination ids requests pick from now.</summary>
    public string[] DestinationIds => [.. Cluster.DestinationsState.AllDestinations.Select(d => d.DestinationId).Order(StringComparer.Ordinal)];

    /// <summary>The replicas that receive requests now, as the supervisor has them.</summary>
    public string[] RoutableHostnames => [.. Replicas.RoutableReplicas.Select(r => r.Hostname).Order(StringComparer.Ordinal)];

    public static async Task<ReplicaGateway> StartAsync(int replicas)
    {
        var guard = new ChildProcessGuard();
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [new RouteConfig { RouteId = "all", ClusterId = ClusterId, Match = new RouteMatch { Path = "{**catch-all}" } }],
                [new ClusterConfig
                {
                    ClusterId = ClusterId,
                    LoadBalancingPolicy = ConsistentHashPolicies.RendezvousHash,
                    Metadata = new Dictionary<string, string> { [ConsistentHashMetadata.KeySources] = "query:key" },
                }])
            .AddConsistentHashing()
            .AddRingwayReplicas(ClusterId, balancer => balancer.AddProcessReplicas(o =>
            {
                o.FileName = DotnetHost.Executable;
                o.Arguments.Add(SampleServer.Dll);
                o.Arguments.Add("--urls");
                o.Arguments.Add("http://{host}:{port}");
                o.Environment[ChildProcessGuard.Variable] = guard.Marker;
            }));
        builder.Services.Configure<ConsistentHashBalancerOptions>(o => o.Replicas.Count = replicas);
        var app = builder.Build();
        app.MapReplicaAdmin();
        app.MapReverseProxy();
        try
        {
            return new ReplicaGateway(app, await LoopbackApp.StartAsync(app), guard);
        }
        catch
        {
            await app.DisposeAsync();
            guard.Dispose();
            throw;
        }
    }

    /// <summary>Waits until the cluster's destinations are the supervisor's routable replicas and there are <paramref name="count"/>.</summary>
    public Task WaitForDestinationsAsync(int count, Func<string[], bool>? also = null)
        => Eventually.AssertAsync(
            () => DestinationIds is var ids && ids.Length == count && ids.SequenceEqual(RoutableHostnames) && (also?.Invoke(ids) ?? true),
            $"{count} replicas as the cluster's destinations",
            TimeSpan.FromSeconds(60));

    /// <summary>The replica that answered a request with this key (the sample server says its name).</summary>
    public async Task<string> OwnerAsync(string key)
    {
        using var response = await Client.GetAsync($"/home?key={Uri.EscapeDataString(key)}");
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        const string prefix = "Hello from Server: ";
        var message = body.RootElement.GetProperty("message").GetString()!;
        return message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : throw new InvalidDataException(message);
    }

    public async Task<Dictionary<string, string>> OwnersAsync(IEnumerable<string> keys)
    {
        var owners = new Dictionary<string, string>();
        foreach (var key in keys)
        {
            owners[key] = await OwnerAsync(key);
        }

        return owners;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            // Stopping the host stops the replicas (the supervisor's shutdown); the guard kills whatever is left.
            await LoopbackApp.StopAsync(_app, TimeSpan.FromSeconds(30));
        }
        finally
        {
            _guard.Dispose();
        }
    }
}
