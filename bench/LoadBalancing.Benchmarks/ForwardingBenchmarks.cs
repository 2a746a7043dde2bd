using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.LoadBalancing.Benchmarks;

/// <summary>
/// What one forwarded request costs the balancer, in bytes allocated and in latency: a backend answering like
/// samples/Server, two balancers in front of it (Forwarder = Yarp and Http1, static replicas, the sample host's key
/// sources) and a keep-alive HttpClient, all real Kestrel on 127.0.0.1 port 0 in this one process. One op is one
/// sequential <c>GET /home?key=&lt;fresh 16 chars&gt;</c>.
/// <para>
/// BenchmarkDotNet 0.15.8's MemoryDiagnoser (net8.0 build) reads <c>GC.GetTotalAllocatedBytes(precise: true)</c> after a
/// <c>GC.Collect()</c> (Engines/GcStats.cs): the whole process, every thread. So each row holds the client, Kestrel's
/// side of every hop and the backend; a balancer row minus Direct is what the balancer allocates per request (its
/// Kestrel connection handling plus routing plus forwarder). All three hosts run in every case, so background work
/// (heartbeats, once a second per balancer) is in every row and cancels out.
/// </para>
/// </summary>
[MemoryDiagnoser]
public class ForwardingBenchmarks
{
    // Tier-0 code allocates and runs differently from the tier-1 code a long-running balancer runs; a few seconds of
    // traffic per path lets call counting and the background JIT (with dynamic PGO, two promotions) finish before
    // BenchmarkDotNet's own warm-up even starts.
    private static readonly TimeSpan WarmUpPerPath = TimeSpan.FromSeconds(3);

    private readonly Random _random = new(42);
    private BenchHosts _hosts = null!;
    private string _direct = null!;
    private string _yarp = null!;
    private string _http1 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hosts = BenchHosts.StartAsync().GetAwaiter().GetResult();
        _direct = _hosts.Backend + "home?key=";
        _yarp = _hosts.YarpBalancer + "home?key=";
        _http1 = _hosts.Http1Balancer + "home?key=";
        foreach (var prefix in new[] { _direct, _yarp, _http1 })
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < WarmUpPerPath)
            {
                GetAsync(prefix).GetAwaiter().GetResult();
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _hosts.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "Direct (client -> backend)")]
    public Task<string> Direct() => GetAsync(_direct);

    [Benchmark(Description = "Balancer, Forwarder=Yarp")]
    public Task<string> Yarp() => GetAsync(_yarp);

    [Benchmark(Description = "Balancer, Forwarder=Http1")]
    public Task<string> Http1() => GetAsync(_http1);

    // A fresh key per request, as in the peers.sh runs: Kestrel reuses the target string only when a request repeats the
    // previous one on its connection. Building the URL allocates the same on every row, so it cancels out.
    private Task<string> GetAsync(string prefix)
        => _hosts.Client.GetStringAsync(string.Create(prefix.Length + RandomKeys.Length, (prefix, _random), static (span, state) =>
        {
            state.prefix.CopyTo(span);
            RandomKeys.Fill(span[state.prefix.Length..], state._random);
        }));
}
