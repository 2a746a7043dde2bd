using Microsoft.AspNetCore.Builder;
using Ringway.TestSupport.Http;

namespace Ringway.Samples.Tests.Infrastructure;

/// <summary>A replica stand-in on real Kestrel (127.0.0.1, port 0) for the sample host's static mode: /home answers 200.</summary>
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
        var address = await LoopbackApp.StartAsync(app);
        return new TestBackendServer(app, address.ToString());
    }

    public async ValueTask DisposeAsync() => await LoopbackApp.StopAsync(_app);
}
