using Ringway.Samples.Analysis;
using Ringway.Samples.Analysis.Analyses;
using Ringway.Samples.Analysis.Simulation;
using Ringway.TestSupport.Samples;

namespace Ringway.Samples.Tests;

/// <summary>A-5 live's plumbing against the real sample host: keyed requests, where they were served, hot-key spreading.</summary>
public class AnalysisLoadAwareLiveTests
{
    [Fact]
    public async Task A5LiveScheme_HotKeySpreading_CountsAddUpAndOnlyTheHottestKeysLeaveTheirPrimary()
    {
        // 100 keys with s = 2: the hottest takes about 61 % of the requests, far above a third, and only keys above
        // about 3 % (the first four) may be spread over more than their primary at 3 replicas and a factor of 1.15.
        var settings = new A5LiveSettings { Replicas = 3, Keys = 100, Exponent = 2, Requests = 900, WarmUpRequests = 300, Concurrency = 8 };
        var keys = new ZipfKeys(settings.Keys, settings.Exponent, settings.Seed);
        var stream = HotKeySimulation.Stream(keys, settings.Requests);
        var spreading = A5Live.Schemes(settings).Single(s => s.Scheme == "hot-key spreading").Options;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var row = await A5Live.SchemeAsync(
            AnalysisCommand.BalancerCommandFor(SampleHost.LoadBalancerDll), settings, "hot-key spreading",
            spreading + " --Balancer:Hashing:HotKeys:MinimumRequests=100", keys, stream, timeout.Token);

        Assert.Equal(0, row.Failed);
        Assert.Equal(3, row.Replicas.Count);
        Assert.Equal(settings.Requests - settings.WarmUpRequests, row.Counts.Sum());
        Assert.True(row.HottestKeyReplicas >= 2, $"the hottest key was served by {row.HottestKeyReplicas} replica(s)");
        Assert.True(row.ServedByPrimary < 0.95, $"served by their primary: {row.ServedByPrimary:P1}");
        // Every other key stayed where the library puts it with the balancer's replica ids.
        Assert.InRange(row.KeysThatLeftPrimary, 1, 4);
    }

    [Fact]
    public async Task A5LiveJoin_ReplicaAddedDuringThePacedRun_AnswersAndColdKeysMissInTheModelledCaches()
    {
        // A new local replica is a process that starts and must pass a heartbeat before it serves: on a busy machine that
        // takes seconds, so the run goes on long enough after the /add for it to take part of the last five seconds.
        var settings = new A5LiveSettings { Replicas = 2, JoinKeys = 50, CacheSize = 25, JoinPerSecond = 100, JoinConcurrency = 8, SecondsBeforeJoin = 2, SecondsAfterJoin = 15 };
        var keys = new ZipfKeys(settings.JoinKeys, settings.Exponent, settings.Seed);
        var stream = HotKeySimulation.Stream(keys, (int)(settings.JoinPerSecond * (settings.SecondsBeforeJoin + settings.SecondsAfterJoin)));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var run = await A5Live.JoinAsync(AnalysisCommand.BalancerCommandFor(SampleHost.LoadBalancerDll), settings, warmUpSeconds: 0, keys, stream, timeout.Token);

        Assert.Equal(0, run.Failed);
        Assert.NotNull(run.FirstAnswerAfter);
        Assert.True(run.NewcomerShare > 0, "the added replica served part of the last seconds");
        Assert.InRange(run.SecondsBeforeJoin, settings.SecondsBeforeJoin, settings.SecondsBeforeJoin + 3); // the /add went out about on time
        Assert.True(run.Seconds > run.SecondsBeforeJoin, "seconds after the /add were counted");
        // Every key misses once in the cache of each replica that served it: at least the distinct keys, at most the requests.
        // Every answered request falls in a second but those of the last, partial one (more than a second's worth when a
        // busy machine sent them late, in a burst).
        Assert.InRange(run.Counts.Requests.Sum(), stream.Length / 2, stream.Length);
        Assert.InRange(run.Counts.Misses.Sum(), 1, run.Counts.Requests.Sum());
        Assert.True(run.TotalMissesAfter > 0, "keys moved to the cold newcomer miss after the /add");
    }
}
