using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Ringway.TestSupport.Http;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Tls;

/// <summary>A real Kestrel server on https://127.0.0.1, port 0, with the given certificate (HTTP/1.1 and HTTP/2 by ALPN).</summary>
internal sealed class HttpsReplica : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpsReplica(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<HttpsReplica> StartAsync(string name, X509Certificate2 certificate)
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls("https://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
        var app = builder.Build();
        app.MapGet("/heartbeat", () => "ok");
        // The replica's name, the protocol the balancer spoke and whether it came over TLS.
        app.MapGet("/who", (HttpContext context) => $"{name} {context.Request.Protocol} {context.Request.IsHttps}");
        return new HttpsReplica(app, await LoopbackApp.StartAsync(app));
    }

    public ValueTask DisposeAsync() => new(LoopbackApp.StopAsync(_app, TimeSpan.Zero));
}
