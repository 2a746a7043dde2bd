using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.TestSupport.Balancers;
using Ringway.TestSupport.Http;
using Ringway.TestSupport.Logging;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests;

/// <summary>
/// A real balancer (<see cref="TestBalancer"/>) whose replicas are containers: the host-side setup of the sample, logging
/// to the test output and keeping every log entry for the tests that wait for one.
/// </summary>
public sealed class ContainerBalancer : IAsyncDisposable
{
    private readonly TestBalancer _balancer;
    private readonly TestResources _test;
    private readonly ITestOutputHelper _output;

    private ContainerBalancer(TestBalancer balancer, TestResources test, ITestOutputHelper output, ConcurrentQueue<LogEntry> logs)
    {
        _balancer = balancer;
        _test = test;
        _output = output;
        Logs = logs;
    }

    public HttpClient Client => _balancer.Client;

    /// <summary>Every log entry of the balancer and its provider, in order (the tests wait for some, e.g. the provider reconnecting).</summary>
    public ConcurrentQueue<LogEntry> Logs { get; }

    /// <summary>
    /// Starts the balancer and prints how long until /rep lists its replicas, and which containers of the test's instance
    /// existed before and after (a restarted balancer adopts: same ids, none new, none gone).
    /// </summary>
    public static async Task<ContainerBalancer> StartAsync(TestResources test, ITestOutputHelper output, Action<DockerReplicaOptions>? configure = null)
    {
        var before = test.AllReplicaContainers();
        var clock = Stopwatch.StartNew();
        var logs = new ConcurrentQueue<LogEntry>();
        var inner = await TestBalancer.StartAsync(
            b => b.AddDockerReplicas(o =>
            {
                test.Apply(o);
                configure?.Invoke(o);
            }),
            o =>
            {
                o.Replicas.Count = 3;
                o.Forwarding.NotFoundAsBadRequest = true;
            },
            services: builder => builder.Logging.AddProvider(new OutputLoggerProvider(output, logs)).SetMinimumLevel(LogLevel.Information)
                .AddFilter("Microsoft", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning));
        var balancer = new ContainerBalancer(inner, test, output, logs);
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
        await Eventually.TrueAsync(() => (found = Logs.FirstOrDefault(e => e.EventId == eventId && e.Timestamp >= since)) is not null, within, pollMilliseconds: 200);
        return found;
    }

    /// <summary>The hostnames /rep lists.</summary>
    public async Task<IReadOnlyList<string>> ReplicasAsync() => await Client.GetReplicasAsync();

    public Task<HttpResponseMessage> AddAsync(int n, params string[] hostnames) => Client.AddReplicasAsync(n, hostnames);

    public Task<HttpResponseMessage> RemoveAsync(int n, params string[] hostnames) => Client.RemoveReplicasAsync(n, hostnames);

    public async ValueTask DisposeAsync()
    {
        await _balancer.DisposeAsync();
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
