using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Ringway.LoadBalancing.Benchmarks;

/// <summary>
/// What the forwarding benchmarks share: the hosts (<see cref="BenchHosts"/>), one URL prefix per path (direct and
/// through each forwarder) ending in <c>?key=</c>, and a warm-up on each path before BenchmarkDotNet's own.
/// </summary>
public abstract class ForwardedRequestBenchmarks
{
    // Tier-0 code allocates and runs differently from the tier-1 code a long-running balancer runs; a few seconds of
    // traffic per path lets call counting and the background JIT (with dynamic PGO, two promotions) finish before
    // BenchmarkDotNet's own warm-up even starts.
    private static readonly TimeSpan WarmUpPerPath = TimeSpan.FromSeconds(3);

    private readonly Random _random = new(42);

    private protected BenchHosts Hosts { get; private set; } = null!;

    protected string DirectPrefix { get; private set; } = null!;

    protected string YarpPrefix { get; private set; } = null!;

    protected string Http1Prefix { get; private set; } = null!;

    /// <summary>The path every request goes to, without the leading slash ("home").</summary>
    protected abstract string Path { get; }

    [GlobalSetup]
    public void Setup()
    {
        Hosts = BenchHosts.StartAsync().GetAwaiter().GetResult();
        DirectPrefix = Hosts.Backend + Path + "?key=";
        YarpPrefix = Hosts.YarpBalancer + Path + "?key=";
        Http1Prefix = Hosts.Http1Balancer + Path + "?key=";
        foreach (var prefix in new[] { DirectPrefix, YarpPrefix, Http1Prefix })
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < WarmUpPerPath)
            {
                SendAsync(prefix).GetAwaiter().GetResult();
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Hosts.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>One request to <paramref name="prefix"/> plus a fresh key; returns the response body.</summary>
    protected abstract Task<string> SendAsync(string prefix);

    // A fresh key per request, as in the peers.sh runs: Kestrel reuses the target string only when a request repeats the
    // previous one on its connection. Building the URL allocates the same on every row, so it cancels out.
    protected string FreshUrl(string prefix)
        => string.Create(prefix.Length + RandomKeys.Length, (prefix, _random), static (span, state) =>
        {
            state.prefix.CopyTo(span);
            RandomKeys.Fill(span[state.prefix.Length..], state._random);
        });
}
