using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Ringway.TestSupport.Http;

namespace Ringway.Samples.Tests.Infrastructure;

/// <summary>
/// A replica stand-in on real Kestrel (127.0.0.1, port 0) for the sample host's static mode: /home answers 200, and so
/// does /heartbeat, so the balancer keeps it in the ring however long a busy machine takes to send the test's request.
/// </summary>
public sealed class TestBackendServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestBackendServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public static async Task<TestBackendServer> StartAsync()
    {
        var app = LoopbackApp.CreateBuilder().Build();
        app.MapGet("/home", () => "Hello from the test backend");
        app.MapGet("/heartbeat", () => Results.Ok());
        var address = await LoopbackApp.StartAsync(app);
        return new TestBackendServer(app, address.ToString());
    }

    public async ValueTask DisposeAsync() => await LoopbackApp.StopAsync(_app);
}
