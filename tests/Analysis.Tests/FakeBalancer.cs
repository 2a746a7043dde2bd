using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Ringway.TestSupport.Http;

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
        var app = LoopbackApp.CreateBuilder().Build();
        var fake = new FakeBalancer(app);
        app.MapGet("/rep", () => Results.Json(new { message = new { N = servers.Count, replicas = servers }, status = "successful" }));
        app.MapGet("/home", () =>
        {
            var server = servers[(int)(Interlocked.Increment(ref fake._next) % servers.Count)];
            return Results.Json(new { message = $"Hello from Server: {server}", status = "successful" });
        });
        fake.Url = await LoopbackApp.StartAsync(app);
        return fake;
    }

    public async ValueTask DisposeAsync() => await LoopbackApp.StopAsync(_app);
}
