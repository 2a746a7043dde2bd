using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ringway.TestSupport.Http;

/// <summary>Real Kestrel servers for tests (replica stand-ins, balancers): on 127.0.0.1, port 0, without logging.</summary>
public static class LoopbackApp
{
    /// <summary>A slim builder listening on 127.0.0.1 at a port the system picks, with no log providers.</summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder;
    }

    /// <summary>Starts the app and returns the address it listens on.</summary>
    public static async Task<Uri> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
    }

    /// <summary>Stops the app (giving requests in flight <paramref name="grace"/>, 10 seconds by default) and disposes it.</summary>
    public static async Task StopAsync(WebApplication app, TimeSpan? grace = null)
    {
        using var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
