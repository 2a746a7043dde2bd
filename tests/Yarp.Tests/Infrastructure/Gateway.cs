using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Ringway.ConsistentHashing;
using Ringway.TestSupport.Http;
using Ringway.TestSupport.Waiting;
using Ringway.Yarp.LoadBalancing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ringway.Yarp.Tests.Infrastructure;

/// <summary>
/// A real YARP gateway on 127.0.0.1 port 0 with AddConsistentHashing(), configured in memory (routes for every path to
/// the cluster <see cref="ClusterId"/>) so that tests can reload its configuration as a running gateway would, or from
/// a configuration section.
/// </summary>
internal sealed class Gateway : IAsyncDisposable
{
    public const string ClusterId = "backends";

    private static readonly RouteConfig[] Routes =
    [
        new() { RouteId = "users", ClusterId = ClusterId, Order = 1, Match = new RouteMatch { Path = "/users/{userId}/{**rest}" } },
        new() { RouteId = "all", ClusterId = ClusterId, Order = 2, Match = new RouteMatch { Path = "{**catch-all}" } },
    ];

    private readonly WebApplication _app;
    private readonly string _clusterId;

    private Gateway(WebApplication app, string clusterId)
    {
        _app = app;
        _clusterId = clusterId;
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The configuration loads that failed to apply, as YARP reports them.</summary>
    public IReadOnlyList<Exception> FailedReloads => Services.GetRequiredService<ReloadFailures>().Errors;

    public ClusterState Cluster => Services.GetRequiredService<IProxyStateLookup>().TryGetCluster(_clusterId, out var cluster)
        ? cluster
        : throw new InvalidOperationException($"No cluster '{_clusterId}'.");

    /// <summary>The hash the policy uses now (what a pick would find).</summary>
    public IConsistentHash<string> CurrentHash() => Services.GetRequiredService<ClusterHashes>().Get(Cluster)!.Hash;

    /// <summary>Builds the app and loads the configuration; a configuration YARP refuses throws here, as at a real start.</summary>
    public static Task<Gateway> StartAsync(ClusterConfig cluster) => StartAsync(proxy => proxy.LoadFromMemory(Routes, [cluster]), cluster.ClusterId);

    /// <summary>A gateway configured from an <c>appsettings.json</c>-style "ReverseProxy" section, reloaded when it changes.</summary>
    public static Task<Gateway> StartAsync(IConfiguration reverseProxy, string clusterId) => StartAsync(proxy => proxy.LoadFromConfig(reverseProxy), clusterId);

    private static async Task<Gateway> StartAsync(Action<IReverseProxyBuilder> load, string clusterId)
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddSingleton<ReloadFailures>();
        builder.Services.AddSingleton<IConfigChangeListener>(sp => sp.GetRequiredService<ReloadFailures>());
        var proxy = builder.Services.AddReverseProxy();
        load(proxy);
        proxy.AddConsistentHashing();
        var app = builder.Build();
        try
        {
            app.MapReverseProxy();
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new Gateway(app, clusterId);
    }

    /// <summary>Replaces the configuration, as a reloaded configuration file would.</summary>
    public void Reload(ClusterConfig cluster) => Services.GetRequiredService<InMemoryConfigProvider>().Update(Routes, [cluster]);

    /// <summary>The id of the backend that answered a request with <paramref name="key"/> in the <c>key</c> query value.</summary>
    public async Task<string> OwnerAsync(string key)
    {
        using var response = await Client.GetAsync($"/whoami?key={Uri.EscapeDataString(key)}");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The owners of many keys, a few requests at a time.</summary>
    public async Task<Dictionary<string, string>> OwnersAsync(IEnumerable<string> keys)
    {
        var owners = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, _) => owners[key] = await OwnerAsync(key));
        return new Dictionary<string, string>(owners);
    }

    /// <summary>
    /// The owners of many keys with bounded loads on: one request at a time, each once YARP counts no request in flight
    /// (it counts one off just after the client has its answer), so that no key spills.
    /// </summary>
    public async Task<Dictionary<string, string>> OwnersOneByOneAsync(IEnumerable<string> keys)
    {
        var owners = new Dictionary<string, string>();
        foreach (var key in keys)
        {
            await Eventually.AssertAsync(() => Cluster.Destinations.Values.All(d => d.ConcurrentRequestCount == 0), "no request in flight", TimeSpan.FromSeconds(30));
            owners[key] = await OwnerAsync(key);
        }

        return owners;
    }

    /// <summary>Waits until YARP's active health checks see each destination as <paramref name="expected"/> says.</summary>
    public Task WaitForHealthAsync(Func<string, DestinationHealth> expected)
        => Eventually.AssertAsync(
            () => Cluster.Destinations.Values.All(d => d.Health.Active == expected(d.DestinationId)),
            "active health checks to see the destinations as expected", TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    /// <summary>Collects YARP's reports of configurations that could not be applied.</summary>
    private sealed class ReloadFailures : IConfigChangeListener
    {
        private readonly List<Exception> _errors = [];

        public IReadOnlyList<Exception> Errors
        {
            get
            {
                lock (_errors)
                {
                    return [.. _errors];
                }
            }
        }

        public void ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception) => Add(exception);

        public void ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
        {
        }

        public void ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception) => Add(exception);

        public void ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs)
        {
        }

        private void Add(Exception exception)
        {
            lock (_errors)
            {
                _errors.Add(exception);
            }
        }
    }
}
