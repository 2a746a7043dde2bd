using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ringway.Samples.Analysis.Tests;

/// <summary>
/// A real Kestrel server on a loopback port that speaks the balancer's /rep and /home contract and answers /home
/// from its servers in strict rotation, so counts are known exactly.
/// </summary>
internal sealed class FakeBalancer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _next;

    private FakeBalancer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public static async Task<FakeBalancer> StartAsync(IReadOnlyList<string> servers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeBalancer(app);
        app.MapGet("/rep", () => Results.Json(new { message = new { N = servers.Count, replicas = servers }, status = "successful" }));
        app.MapGet("/home", () =>
        {
            var server = servers[(int)(Interlocked.Increment(ref fake._next) % servers.Count)];
            return Results.Json(new { message = $"Hello from Server: {server}", status = "successful" });
        });
        await app.StartAsync();
        fake.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return fake;
    }

    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
