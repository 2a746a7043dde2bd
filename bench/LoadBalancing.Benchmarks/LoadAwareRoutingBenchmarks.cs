using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.Benchmarks;

/// <summary>
/// The balancer's pick with the load-aware options (Balancer:Hashing), one at a time and all together, against plain
/// hashing: <see cref="ReplicaPicker.Pick"/> on the current <see cref="ReplicaTable"/> snapshot (Rendezvous, 4 replicas,
/// the fourth warming up for the warm-up rows), for the keys of <see cref="RoutingSetup"/>.
/// </summary>
[MemoryDiagnoser]
public class LoadAwareRoutingBenchmarks
{
    private const int KeyCount = RoutingSetup.KeyCount;
    private string[] _keys = null!;
    private ReplicaTable _table = null!;
    private ReplicaPicker _picker = null!;

    /// <summary>Which options are on.</summary>
    public enum Rules
    {
        Plain,
        BoundedLoads,
        ReportedLoad,
        HotKeys,
        WarmUp,
        All,
    }

    [Params(Rules.Plain, Rules.BoundedLoads, Rules.ReportedLoad, Rules.HotKeys, Rules.WarmUp, Rules.All)]
    public Rules On { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new ConsistentHashBalancerOptions();
        var all = On == Rules.All;
        if (all || On is Rules.BoundedLoads or Rules.ReportedLoad)
        {
            options.Hashing.BoundedLoadFactor = 1.25;
        }

        options.Hashing.ReportedLoad.Enabled = all || On == Rules.ReportedLoad;
        options.Hashing.HotKeys.Enabled = all || On == Rules.HotKeys;
        options.Hashing.WarmUp = all || On == Rules.WarmUp ? TimeSpan.FromMinutes(1) : TimeSpan.Zero;

        var time = new SteppedTime { Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        _table = RoutingSetup.Table(options, 4, time, lastWarmingUp: true);

        foreach (var replica in _table.Current.Replicas)
        {
            replica.Reported.Report(3, 0, time.GetUtcNow());
        }

        time.Now += TimeSpan.FromSeconds(1); // the fourth replica is 1/60 of the way through its warm-up
        _picker = new ReplicaPicker(Options.Create(options), time);
        _keys = RoutingSetup.Keys();
    }

    [Benchmark(OperationsPerInvoke = KeyCount, Description = "ReplicaPicker.Pick")]
    public int Pick()
    {
        var sum = 0;
        foreach (var key in _keys)
        {
            var snapshot = _table.Current;
            sum += _picker.Pick(snapshot, key);
        }

        return sum;
    }
}

/// <summary>A clock that stands still unless moved (the balancer reads the time on each load-aware pick).</summary>
internal sealed class SteppedTime : TimeProvider
{
    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}
