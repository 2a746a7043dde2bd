using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ringway.Samples.Tests.Infrastructure;

/// <summary>
/// A replica stand-in on real Kestrel (127.0.0.1, port 0) for the sample host's static mode: /home answers 200, and so does
/// /heartbeat, so the replica stays in the ring however long a busy machine takes to send the test's first request.
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
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/home", () => "Hello from the test backend");
        app.MapGet("/heartbeat", () => "ok");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestBackendServer(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
