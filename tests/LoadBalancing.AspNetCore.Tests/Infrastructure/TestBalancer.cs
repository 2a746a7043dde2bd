using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

/// <summary>A real balancer: an ASP.NET Core app on 127.0.0.1 port 0 with AddConsistentHashBalancer and the two Map calls.</summary>
internal sealed class TestBalancer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestBalancer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public ReplicaTable Table => Services.GetRequiredService<ReplicaTable>();

    public static Task<TestBalancer> StartAsync(IEnumerable<TestBackend> backends, Action<ConsistentHashBalancerOptions>? configure = null, Action<WebApplication>? map = null)
        => StartAsync(b => b.AddStaticReplicas(backends.Select(x => x.Address.ToString())), configure, map);

    public static async Task<TestBalancer> StartAsync(
        Action<IConsistentHashBalancerBuilder> replicas,
        Action<ConsistentHashBalancerOptions>? configure = null,
        Action<WebApplication>? map = null,
        Action<WebApplicationBuilder>? services = null,
        bool mapBalancer = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.ConfigureEndpointDefaults(endpoint => endpoint.UseConnectionHeaderCapture()); // as docs/configuration.md recommends
        });
        var balancer = builder.Services.AddConsistentHashBalancer(o => configure?.Invoke(o));
        replicas(balancer);
        services?.Invoke(builder);
        var app = builder.Build();
        map?.Invoke(app);
        if (mapBalancer)
        {
            app.MapReplicaAdmin();
            app.MapConsistentHashBalancer();
        }
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new TestBalancer(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
