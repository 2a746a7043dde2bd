using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ringway.LoadBalancing.AspNetCore;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests;

/// <summary>A real balancer (Kestrel on 127.0.0.1, port 0) whose replicas are containers: the host-side setup of the sample.</summary>
public sealed class TestBalancer : IAsyncDisposable
{
    private readonly WebApplication _app;

    public HttpClient Client { get; }

    private TestBalancer(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static async Task<TestBalancer> StartAsync(TestResources test, ITestOutputHelper output, Action<DockerReplicaOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(new OutputLoggerProvider(output)).SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddConsistentHashBalancer(o =>
            {
                o.Replicas = 3;
                o.NotFoundAsBadRequest = true;
            })
            .AddDockerReplicas(o =>
            {
                test.Apply(o);
                configure?.Invoke(o);
            });
        var app = builder.Build();
        app.MapReplicaAdmin();
        app.MapConsistentHashBalancer();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TestBalancer(app, new Uri(address));
    }

    /// <summary>The hostnames /rep lists.</summary>
    public async Task<IReadOnlyList<string>> ReplicasAsync()
    {
        using var json = JsonDocument.Parse(await Client.GetStringAsync("/rep"));
        return json.RootElement.GetProperty("message").GetProperty("replicas").EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    public Task<HttpResponseMessage> AddAsync(int n, params string[] hostnames) =>
        Client.PostAsJsonAsync("/add", new { n, hostnames });

    public Task<HttpResponseMessage> RemoveAsync(int n, params string[] hostnames) =>
        Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/rm") { Content = JsonContent.Create(new { n, hostnames }) });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Client.Dispose();
    }

    private sealed class OutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new TestOutputLogger<object>(output);

        public void Dispose()
        {
        }
    }
}
