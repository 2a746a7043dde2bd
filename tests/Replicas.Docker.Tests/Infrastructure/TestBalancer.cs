using System.Collections.Concurrent;
using System.Diagnostics;
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
    private readonly TestResources _test;
    private readonly ITestOutputHelper _output;

    public HttpClient Client { get; }

    /// <summary>Every log entry of the balancer and its provider, in order (the tests wait for some, e.g. the provider reconnecting).</summary>
    public ConcurrentQueue<LogEntry> Logs { get; }

    private TestBalancer(WebApplication app, Uri address, TestResources test, ITestOutputHelper output, ConcurrentQueue<LogEntry> logs)
    {
        _app = app;
        _test = test;
        _output = output;
        Logs = logs;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// Starts the balancer and prints how long until /rep lists its replicas, and which containers of the test's instance
    /// existed before and after (a restarted balancer adopts: same ids, none new, none gone).
    /// </summary>
    public static async Task<TestBalancer> StartAsync(TestResources test, ITestOutputHelper output, Action<DockerReplicaOptions>? configure = null)
    {
        var before = test.AllReplicaContainers();
        var clock = Stopwatch.StartNew();
        var logs = new ConcurrentQueue<LogEntry>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(new OutputLoggerProvider(output, logs)).SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning);
        builder.Services.AddConsistentHashBalancer(o =>
            {
                o.Replicas.Count = 3;
                o.Forwarding.NotFoundAsBadRequest = true;
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
        var balancer = new TestBalancer(app, new Uri(address), test, output, logs);
        IReadOnlyList<string> replicas, after;
        TimeSpan ready;
        try
        {
            replicas = await balancer.ReplicasAsync();
            ready = clock.Elapsed;
            after = test.AllReplicaContainers();
        }
        catch
        {
            await balancer.DisposeAsync();
            throw;
        }
        output.WriteLine($"balancer start: /rep lists {replicas.Count} replicas ({string.Join(", ", replicas)}) {ready.TotalMilliseconds:F0} ms after the start began; " +
                         $"containers of instance {test.Instance}: {before.Count} before, {after.Count} after " +
                         $"({after.Intersect(before).Count()} kept, {after.Except(before).Count()} new, {before.Except(after).Count()} gone)");
        return balancer;
    }

    /// <summary>Waits for a log entry with <paramref name="eventId"/> written after <paramref name="since"/> (a Stopwatch timestamp).</summary>
    public async Task<LogEntry?> WaitForLogAsync(int eventId, long since, TimeSpan within)
    {
        LogEntry? found = null;
        await Http.EventuallyAsync(() => (found = Logs.FirstOrDefault(e => e.EventId == eventId && e.Timestamp >= since)) is not null, within);
        return found;
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
        if (LocalEngine.Answers)
        {
            _output.WriteLine($"balancer stopped: {_test.AllReplicaContainers().Count} containers of instance {_test.Instance} left");
        }
    }

    /// <summary>One log entry: when (Stopwatch timestamp), its event id and text.</summary>
    public sealed record LogEntry(long Timestamp, int EventId, string Message);

    private sealed class OutputLoggerProvider(ITestOutputHelper output, ConcurrentQueue<LogEntry> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new RecordingLogger(new TestOutputLogger<object>(output), logs);

        public void Dispose()
        {
        }
    }

    private sealed class RecordingLogger(ILogger inner, ConcurrentQueue<LogEntry> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            logs.Enqueue(new LogEntry(Stopwatch.GetTimestamp(), eventId.Id, formatter(state, exception)));
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
