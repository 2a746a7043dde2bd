using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.TestSupport.Http;

namespace Ringway.TestSupport.Balancers;

/// <summary>
/// A real balancer in this process: an ASP.NET Core app on 127.0.0.1, port 0, with <c>AddConsistentHashBalancer</c>, a
/// replica source, and (unless told otherwise) <c>MapReplicaAdmin</c> and <c>MapConsistentHashBalancer</c>.
/// </summary>
public sealed class TestBalancer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestBalancer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public Uri Address { get; }

    /// <summary>A client for the balancer's address (no proxy, cookies or redirects; 60 s timeout).</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="replicas">Adds the replica source (for example <c>b => b.AddStaticReplicas(...)</c>).</param>
    /// <param name="configure">Sets the balancer's options.</param>
    /// <param name="map">Maps endpoints before the balancer's own.</param>
    /// <param name="services">Anything else on the builder: services, logging.</param>
    /// <param name="mapBalancer">Whether the admin API and the balancer are mapped (false when <paramref name="map"/> does it).</param>
    public static async Task<TestBalancer> StartAsync(
        Action<IConsistentHashBalancerBuilder> replicas,
        Action<ConsistentHashBalancerOptions>? configure = null,
        Action<WebApplication>? map = null,
        Action<WebApplicationBuilder>? services = null,
        bool mapBalancer = true)
    {
        var builder = LoopbackApp.CreateBuilder();
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

        return new TestBalancer(app, await LoopbackApp.StartAsync(app));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await LoopbackApp.StopAsync(_app);
    }
}
