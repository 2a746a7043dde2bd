using Ringway.ConsistentHashing;
using Ringway.Samples.Analysis.Analyses;
using Ringway.Samples.Analysis.Simulation;
using Spectre.Console;

namespace Ringway.Samples.Analysis.Tests;

/// <summary>A-5's simulations at a small scale: their bookkeeping, and the direction of every effect they report.</summary>
public class LoadAwareSimulationTests
{
    private static readonly HotKeySettings Small = new() { Keys = 20_000, Requests = 150_000, WarmUpRequests = 30_000, InFlight = 500 };

    [Fact]
    public void LruCache_EvictsTheLeastRecentlyUsedKey()
    {
        var cache = new LruCache(capacity: 2, keyCount: 10);

        Assert.False(cache.Touch(1));
        Assert.False(cache.Touch(2));
        Assert.True(cache.Touch(1));
        Assert.False(cache.Touch(3)); // evicts 2, the least recently used
        Assert.True(cache.Touch(1));
        Assert.False(cache.Touch(2)); // evicts 3
        Assert.True(cache.Touch(1));
        Assert.False(cache.Touch(3));
    }

    [Fact]
    public void AnsweredCaches_TouchTheAnsweringReplicasCache_CountMissesPerSecondOfSending_SkipFailures()
    {
        int[] stream = [0, 1, 0, 2, 1, 1];
        var answers = new Ringway.Samples.Analysis.Cluster.KeyedAnswers(["A", "A", "A", "B", null, "B"], [0.1, 0.2, 1.1, 1.2, 2.5, 2.6]);

        var counts = AnsweredCaches.PerSecond(stream, answers, keyCount: 3, cacheSize: 2, fromSecond: 0, seconds: 3);

        // 0 and 1 miss in A's cache, 0 hits there; 2 misses in B's; the failed request touches nothing, so 1 misses in B.
        Assert.Equal([2L, 1L, 1L], counts.Misses);
        Assert.Equal([2L, 2L, 1L], counts.Requests);
        Assert.Equal(0.5, counts.MissRatio(1));
    }

    [Fact]
    public void InFlightWindow_HoldsEachRequestForDepthArrivals()
    {
        var window = new InFlightWindow(replicas: 2, depth: 3);
        foreach (var replica in new[] { 0, 1, 1 })
        {
            Assert.Equal(-1, window.Finish());
            window.Send(replica);
        }

        Assert.Equal([1, 2], window.Loads);
        Assert.Equal(0, window.Oldest);
        Assert.Equal(0, window.Finish());
        window.Send(1);
        Assert.Equal([0, 3], window.Loads);
    }

    [Fact]
    public void WaterFillingMinimum_IsTheSumOfTheExcessesOverTheBound()
    {
        // mean 125, bound 1.2 x 125 = 150: only the first replica is over, by 50 of 500 requests.
        Assert.Equal(0.1, HotKeySimulation.WaterFillingMinimum([200, 100, 100, 100], 1.2), 12);
        Assert.Equal(0, HotKeySimulation.WaterFillingMinimum([100, 100], 1.15));
    }

    [Fact]
    public void HotKeys_SpreadingFlattensTheLoad_MovingLittleMoreThanTheMinimum_AndKeepsAlmostEveryKeyOnItsPrimary()
    {
        var keys = new ZipfKeys(Small.Keys, Small.Exponent, Small.Seed);
        var stream = HotKeySimulation.Stream(keys, Small.Requests);
        var plain = HotKeySimulation.Run("plain", Small, keys, stream, new LoadAwareOptions());
        var spread = HotKeySimulation.Run("spread", Small, keys, stream, new LoadAwareOptions { HotKeys = new HotKeyOptions { LoadFactor = 1.15 } });
        var bounded = HotKeySimulation.Run("bounded", Small, keys, stream, new LoadAwareOptions { BoundedLoadFactor = 1.15 });
        var minimum = HotKeySimulation.WaterFillingMinimum(plain.Counts, 1.15);

        Assert.Equal(Small.Requests - Small.WarmUpRequests, plain.Counts.Sum());
        Assert.Equal(Small.Requests - Small.WarmUpRequests, spread.Counts.Sum());
        Assert.Equal(1, plain.ServedByPrimary);
        Assert.True(plain.PeakToMean > 1.5, $"plain {plain.PeakToMean}");
        Assert.True(spread.PeakToMean <= 1.16, $"spreading {spread.PeakToMean}");
        Assert.True(spread.Moved >= minimum * 0.98, $"moved {spread.Moved} below the minimum {minimum}: the minimum is wrong");
        Assert.True(spread.Moved <= minimum * 1.3, $"moved {spread.Moved}, minimum {minimum}");
        Assert.True(spread.KeysOnPrimaryOnly >= 0.99, $"keys on primary {spread.KeysOnPrimaryOnly}");
        Assert.True(bounded.KeysOnPrimaryOnly < 0.9, $"bounded loads kept {bounded.KeysOnPrimaryOnly} of keys on their primary");
        Assert.Equal(spread.Shed.Sum(), (long)Math.Round(spread.Moved * (Small.Requests - Small.WarmUpRequests)));
    }

    [Fact]
    public void CacheJoin_WarmUpLowersThePeakOfExtraMisses_KeepsTheirTotal_AndEndsWithEveryKeyInPlace()
    {
        var settings = new CacheJoinSettings { Keys = 5_000, CacheSize = 600, RequestsPerSecond = 2_000, SecondsBefore = 60, SecondsAfter = 120 };
        var result = CacheJoinSimulation.Run(settings, ConsistentHashAlgorithm.Rendezvous, [TimeSpan.FromSeconds(60)]);
        var warm = Assert.Single(result.WarmUps);

        Assert.Equal(result.Baseline[..60], result.Instant[..60]); // the same stream: identical until the join
        Assert.Equal(result.Baseline[..60], warm.Misses[..60]);
        Assert.Equal(0, warm.MisplacedAfterWindow);
        Assert.True(result.PeakExtra(result.Instant) > 2 * result.PeakExtra(warm.Misses), $"instant {result.PeakExtra(result.Instant)}, warm-up {result.PeakExtra(warm.Misses)}");
        Assert.InRange((double)result.TotalExtra(warm.Misses) / result.TotalExtra(result.Instant), 0.8, 1.2);
    }

    [Fact]
    public void SharedLoad_LoadNoBalancerRoutes_IsSeenOnlyThroughTheReports()
    {
        var settings = Small with { InFlight = 300, Requests = 100_000, WarmUpRequests = 10_000 };
        var keys = new ZipfKeys(settings.Keys, settings.Exponent, settings.Seed);
        var stream = HotKeySimulation.Stream(keys, settings.Requests);

        var local = SharedLoadSimulation.Run("local", settings, keys, stream, 1.25, shared: false, external: 30);
        var shared = SharedLoadSimulation.Run("shared", settings, keys, stream, 1.25, shared: true, external: 30);

        Assert.True(local.PeakToMean > 1.6, $"own counts {local.PeakToMean}");
        Assert.True(shared.PeakToMean < 1.35, $"shared {shared.PeakToMean}");
    }

    [Fact]
    public void A5_SmallRun_WritesItsChartsAndReportSection()
    {
        var settings = new A5Settings
        {
            Cache = new CacheJoinSettings { Keys = 3_000, CacheSize = 300, RequestsPerSecond = 1_000, SecondsBefore = 40, SecondsAfter = 60 },
            WarmUpSeconds = 20,
            WarmUpSweepSeconds = [10, 20],
            HotKeys = Small with { Requests = 60_000, WarmUpRequests = 10_000 },
            HotKeySeeds = [1],
            SharedRequests = 30_000,
            SharedScenarios = [(100, 0), (100, 10)],
        };
        var outDir = Directory.CreateTempSubdirectory("ringway-a5-").FullName;
        try
        {
            var result = A5LoadAware.RunOffline(settings);
            var context = new AnalysisContext(new AnalysisOptions { OutDirectory = outDir }, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) }));
            A5LoadAware.ReportOffline(context, result);

            Assert.Equal(4, result.CacheJoin.Rows.Count(r => r.WindowSeconds == 20)); // Ring, Maglev, Rendezvous, Jump
            Assert.Equal(2, result.HotKeys.Seeds.Count);
            Assert.Equal(3, result.HotKeys.Schemes.Count);
            Assert.Equal(2, result.SharedLoad.Count);
            foreach (var chart in new[] { "a5-cache-misses.png", "a5-load-per-replica.png", "a5-shared-load.png" })
            {
                Assert.True(new FileInfo(Path.Combine(outDir, chart)).Length > 10_000, chart);
            }

            var report = context.Report.ToString();
            Assert.Contains("## A-5: load-aware hashing", report, StringComparison.Ordinal);
            Assert.Contains("### A-5 (c)", report, StringComparison.Ordinal);
            Assert.Contains("water-filling minimum", report, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }
}
