using System.Buffers;
using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.LoadBalancing.Benchmarks;

/// <summary>
/// A backend answering like samples/Server and two balancers in front of it (one per forwarder), each on Kestrel at
/// 127.0.0.1 port 0, plus the keep-alive client the benchmarks send through.
/// </summary>
internal sealed class BenchHosts : IAsyncDisposable
{
    private readonly WebApplication[] _apps;

    private BenchHosts(WebApplication[] apps, Uri backend, Uri yarp, Uri http1)
    {
        _apps = apps;
        Backend = backend;
        YarpBalancer = yarp;
        Http1Balancer = http1;
    }

    public Uri Backend { get; }

    public Uri YarpBalancer { get; }

    public Uri Http1Balancer { get; }

    public HttpClient Client { get; } = new(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false });

    public static async Task<BenchHosts> StartAsync()
    {
        var (backendApp, backend) = await StartAsync(BackendApp);
        var (yarpApp, yarp) = await StartAsync(b => BalancerApp(b, backend, ReplicaForwarder.Yarp));
        var (http1App, http1) = await StartAsync(b => BalancerApp(b, backend, ReplicaForwarder.Http1));
        var hosts = new BenchHosts([http1App, yarpApp, backendApp], backend, yarp, http1);

        // Static replicas join the ring after their first heartbeat; until then a balancer answers 503.
        foreach (var address in new[] { backend, yarp, http1 })
        {
            var body = await WaitForHomeAsync(hosts.Client, address);
            if (body != HomeBody)
            {
                throw new InvalidOperationException($"{address}home answered '{body}', not the backend's '{HomeBody}'.");
            }
        }

        return hosts;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private const string HomeBody = """{"message":"Hello from Server: bench","status":"successful"}""";

    // samples/Server's endpoints, with its source-generated JSON.
    private static WebApplication BackendApp(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.MapGet("/home", () => Results.Json(new HomeResponse("Hello from Server: bench", "successful"), BenchJson.Default.HomeResponse));
        app.MapGet("/heartbeat", () => Results.Ok());
        // For UploadForwardingBenchmarks: reads the whole body, answers its length.
        app.MapPost("/upload", async (HttpContext context) =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            long total = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                total += read;
            }

            ArrayPool<byte>.Shared.Return(buffer);
            return Results.Text(total.ToString(CultureInfo.InvariantCulture));
        });
        return app;
    }

    // samples/LoadBalancer in static mode: its key sources, its 404 -> 400 mapping, its Connection header capture, the
    // admin API mapped first.
    private static WebApplication BalancerApp(WebApplicationBuilder builder, Uri backend, ReplicaForwarder forwarder)
    {
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(endpoint => endpoint.UseConnectionHeaderCapture()));
        builder.Services
            .AddConsistentHashBalancer(o =>
            {
                o.Forwarding.Forwarder = forwarder;
                o.Forwarding.NotFoundAsBadRequest = true;
                o.Keys.Sources.Add("header:X-Ringway-Key");
                o.Keys.Sources.Add("query:key");
            })
            .AddStaticReplicas([backend.ToString()]);
        var app = builder.Build();
        app.MapReplicaAdmin();
        app.MapConsistentHashBalancer();
        return app;
    }

    private static async Task<(WebApplication App, Uri Address)> StartAsync(Func<WebApplicationBuilder, WebApplication> build)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = build(builder);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    private static async Task<string> WaitForHomeAsync(HttpClient client, Uri address)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await client.GetAsync(new Uri(address, "home?key=warm"));
            if (response.IsSuccessStatusCode || attempt == 100)
            {
                return await response.Content.ReadAsStringAsync();
            }

            await Task.Delay(100);
        }
    }
}

internal sealed record HomeResponse(string message, string status);

[JsonSerializable(typeof(HomeResponse))]
internal sealed partial class BenchJson : JsonSerializerContext;
