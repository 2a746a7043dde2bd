using BenchmarkDotNet.Attributes;

namespace Ringway.ConsistentHashing.Benchmarks;

/// <summary>
/// The cost each load-aware option adds to a lookup over 10 replicas, hashing included: 4,096 requests per invocation
/// whose keys follow Zipf's law (s = 1.1 over 100,000 keys), so hot keys recur as they do in traffic. Warm-up has one
/// replica halfway through its window; loads are requests in flight (about 10 per replica, the hottest key's primary
/// busier); "reported load" turns every replica's report into its load first, as a balancer does per request.
/// </summary>
[MemoryDiagnoser]
public class LoadAwareBenchmarks
{
    private const int Requests = 4096;
    private const int Replicas = 10;
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 1, 0, TimeSpan.Zero);

    private IConsistentHash<string> _hash = null!;
    private WarmUpSchedule<string> _warmUp = null!;
    private LoadAwarePlacement _plain = null!;
    private LoadAwarePlacement _bounded = null!;
    private LoadAwarePlacement _hotKeys = null!;
    private LoadAwarePlacement _all = null!;
    private string[] _stream = null!;
    private readonly int[] _loads = new int[Replicas];
    private readonly int[] _local = new int[Replicas];
    private readonly ReportedLoad[] _reported = Enumerable.Range(0, Replicas).Select(_ => new ReportedLoad()).ToArray();

    [Params(ConsistentHashAlgorithm.Rendezvous, ConsistentHashAlgorithm.Maglev)]
    public ConsistentHashAlgorithm Algorithm { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _hash = ConsistentHash.Create(Algorithm, Keys.Nodes(Replicas));
        var joined = _hash.Nodes.Select((_, i) => i == 4 ? Now.AddMinutes(-1) : DateTimeOffset.MinValue).ToArray();
        _warmUp = new WarmUpSchedule<string>(_hash, TimeSpan.FromMinutes(2), joined, Now.AddMinutes(-1));
        _plain = new LoadAwarePlacement();
        _bounded = new LoadAwarePlacement(new LoadAwareOptions { BoundedLoadFactor = 1.25 });
        _hotKeys = new LoadAwarePlacement(new LoadAwareOptions { HotKeys = new HotKeyOptions { LoadFactor = 1.15 } });
        _all = new LoadAwarePlacement(new LoadAwareOptions { BoundedLoadFactor = 1.25, HotKeys = new HotKeyOptions { LoadFactor = 1.15 } });
        _stream = ZipfStream(Requests);
        for (int i = 0; i < Replicas; i++)
        {
            _loads[i] = _local[i] = 9 + (i % 3);
            _reported[i].Report(3 * _loads[i], _local[i], Now);
        }

        _loads[_hash.GetNodeIndex(_stream.GroupBy(k => k).MaxBy(g => g.Count())!.Key)] = 14;

        // Fill the sketches, as a running balancer's would be.
        foreach (var key in ZipfStream(50_000))
        {
            _hotKeys.GetNodeIndex(_hash, key, _loads, Now);
            _all.GetNodeIndex(_hash, key, _loads, Now, _warmUp);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Requests, Description = "hash.GetNodeIndex")]
    public int Plain()
    {
        int sum = 0;
        foreach (var key in _stream)
        {
            sum += _hash.GetNodeIndex(key);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Requests, Description = "placement, all options off")]
    public int PlacementOff()
    {
        int sum = 0;
        foreach (var key in _stream)
        {
            sum += _plain.GetNodeIndex(_hash, key, [], Now);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Requests, Description = "warm-up (1 of 10 warming)")]
    public int WarmUp()
    {
        int sum = 0;
        foreach (var key in _stream)
        {
            sum += _plain.GetNodeIndex(_hash, key, [], Now, _warmUp);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Requests, Description = "bounded loads")]
    public int Bounded()
    {
        int sum = 0;
        foreach (var key in _stream)
        {
            sum += _bounded.GetNodeIndex(_hash, key, _loads, Now);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Requests, Description = "bounded loads on reported load")]
    public int BoundedReported()
    {
        int sum = 0;
        Span<int> loads = stackalloc int[Replicas];
        foreach (var key in _stream)
        {
            for (int i = 0; i < loads.Length; i++)
            {
                loads[i] = _reported[i].Estimate(_local[i], Now, ReportedLoad.DefaultMaxAge);
            }

            sum += _bounded.GetNodeIndex(_hash, key, loads, Now);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Requests, Description = "hot-key spreading")]
    public int HotKeys()
    {
        int sum = 0;
        foreach (var key in _stream)
        {
            sum += _hotKeys.GetNodeIndex(_hash, key, _loads, Now);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Requests, Description = "all on (warm-up, reported load, bounded, hot keys)")]
    public int AllOn()
    {
        int sum = 0;
        Span<int> loads = stackalloc int[Replicas];
        foreach (var key in _stream)
        {
            for (int i = 0; i < loads.Length; i++)
            {
                loads[i] = _reported[i].Estimate(_local[i], Now, ReportedLoad.DefaultMaxAge);
            }

            sum += _all.GetNodeIndex(_hash, key, loads, Now, _warmUp);
        }

        return sum;
    }

    /// <summary>Keys drawn from Zipf(1.1) over 100,000 names, seeded.</summary>
    private static string[] ZipfStream(int count)
    {
        var names = Keys.Random(100_000, seed: 11);
        var cumulative = new double[names.Length];
        double sum = 0;
        for (int r = 0; r < names.Length; r++)
        {
            sum += Math.Pow(r + 1, -1.1);
            cumulative[r] = sum;
        }

        var random = new Random(count);
        var stream = new string[count];
        for (int i = 0; i < count; i++)
        {
            int index = Array.BinarySearch(cumulative, random.NextDouble() * sum);
            stream[i] = names[Math.Min(index < 0 ? ~index : index, names.Length - 1)];
        }

        return stream;
    }
}

/// <summary>The response path of a reported load: reading <c>named_metrics.rif</c> from an ORCA header value.</summary>
[MemoryDiagnoser]
public class LoadReportBenchmarks
{
    private const string Header = "TEXT cpu_utilization=0.42, rps_fractional=1250, named_metrics.rif=17";

    [Benchmark(Description = "OrcaLoadReport.TryReadMetric(rif)")]
    public double ReadRequestsInFlight() => OrcaLoadReport.TryReadMetric(Header, "named_metrics.rif", out double rif) ? rif : -1;

    [Benchmark(Description = "MembershipEpoch of a new 10-node snapshot")]
    public ulong Epoch() => ConsistentHash.Create(ConsistentHashAlgorithm.Rendezvous, Keys.Nodes(10)).Epoch.Value;
}
