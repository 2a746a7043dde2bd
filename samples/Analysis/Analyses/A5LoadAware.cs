using Ringway.ConsistentHashing;
using Ringway.Samples.Analysis.Reporting;
using Ringway.Samples.Analysis.Simulation;

namespace Ringway.Samples.Analysis.Analyses;

/// <summary>
/// the load-aware options of Ringway.ConsistentHashing, measured offline by exact, seeded simulations that call
/// the library itself: (a) cache misses when a replica joins, instant against warm-up; (b) per-replica load under
/// Zipf keys, plain hashing against bounded loads and hot-key spreading; (c) three balancers bounding on a shared
/// reported load against their own counts. The live run against the sample host is <see cref="A5Live"/>.
/// </summary>
internal static class A5LoadAware
{
    /// <summary>The targets the analysis checks.</summary>
    public const double PeakBound = 1.15;
    public const double MovedOverMinimumTarget = 1.25;
    public const double KeysOnPrimaryTarget = 0.99;
    public const double WarmUpPeakCutTarget = 4;

    public static A5Result RunOffline(A5Settings settings)
    {
        var cache = CacheJoin(settings);
        var hotKeys = HotKeys(settings);
        var shared = SharedLoad(settings);
        return new A5Result(cache, hotKeys, shared);
    }

    private static CacheJoinSummary CacheJoin(A5Settings settings)
    {
        var main = TimeSpan.FromSeconds(settings.WarmUpSeconds);
        var rows = new List<CacheJoinRow>();
        CacheJoinResult? shown = null;
        // Classic is left out: its skew overflows one replica's cache, so its misses say nothing about joining.
        foreach (var algorithm in A4HashComparison.Algorithms.Where(a => a != ConsistentHashAlgorithm.Classic))
        {
            var windows = algorithm == ConsistentHashAlgorithm.Rendezvous ? settings.WarmUpSweepSeconds.Select(s => TimeSpan.FromSeconds(s)).ToList() : [main];
            if (!windows.Contains(main)) windows.Add(main);
            var result = CacheJoinSimulation.Run(settings.Cache with { SecondsAfter = (int)windows.Max().TotalSeconds + 120 }, algorithm, windows);
            if (algorithm == ConsistentHashAlgorithm.Rendezvous) shown = result;
            rows.AddRange(result.WarmUps.Select(w => Row(result, w)).Where(r => algorithm == ConsistentHashAlgorithm.Rendezvous || r.WindowSeconds == main.TotalSeconds));
        }

        var series = shown!;
        var from = series.JoinSecond - 30;
        var mainRun = series.WarmUps.First(w => w.WindowSeconds == main.TotalSeconds);
        return new CacheJoinSummary(settings.Cache, settings.WarmUpSeconds, rows,
            Enumerable.Range(-30, series.Baseline.Length - from).Select(s => (double)s).ToList(),
            series.Baseline[from..], series.Instant[from..], mainRun.Misses[from..]);
    }

    private static CacheJoinRow Row(CacheJoinResult result, WarmUpRun warm)
    {
        var before = result.Baseline[(result.JoinSecond - 30)..result.JoinSecond].Average();
        return new CacheJoinRow(result.Algorithm, warm.WindowSeconds, before,
            result.Peak(result.Instant), result.Peak(warm.Misses), (double)result.Peak(result.Instant) / result.Peak(warm.Misses),
            result.PeakExtra(result.Instant), result.PeakExtra(warm.Misses), (double)result.PeakExtra(result.Instant) / result.PeakExtra(warm.Misses),
            result.TotalExtra(result.Instant), result.TotalExtra(warm.Misses), warm.MisplacedAfterWindow);
    }

    private static HotKeySummary HotKeys(A5Settings settings)
    {
        var spreading = new LoadAwareOptions { HotKeys = new HotKeyOptions { LoadFactor = PeakBound } };
        SchemeRow[]? schemes = null;
        double boundedFactor = 0, minimum = 0;
        IReadOnlyList<HotKeyShare>? hot = null;
        var seeds = new List<SeedRow>();
        foreach (var seed in settings.HotKeySeeds.Prepend(settings.HotKeys.Seed).Distinct())
        {
            var run = settings.HotKeys with { Seed = seed };
            var keys = new ZipfKeys(run.Keys, run.Exponent, seed);
            var stream = HotKeySimulation.Stream(keys, run.Requests);
            var plain = HotKeySimulation.Run("plain hashing", run, keys, stream, new LoadAwareOptions());
            var spread = HotKeySimulation.Run("hot-key spreading", run, keys, stream, spreading);
            var min = HotKeySimulation.WaterFillingMinimum(plain.Counts, PeakBound);
            seeds.Add(new SeedRow(seed, plain.PeakToMean, spread.PeakToMean, min, spread.Moved, spread.Moved / min, spread.KeysOnPrimaryOnly));
            if (seed != settings.HotKeys.Seed) continue;

            // Bounded loads alone at the same peak: the factor whose peak-to-mean matches spreading's.
            var (factor, bounded) = BoundedAtPeak(run, keys, stream, spread.PeakToMean);
            boundedFactor = factor;
            minimum = min;
            hot = spread.HotKeys;
            schemes = [SchemeRow.From(plain, min), SchemeRow.From(bounded, min), SchemeRow.From(spread, min)];
        }
        return new HotKeySummary(settings.HotKeys, minimum, boundedFactor, schemes!, seeds, hot ?? []);
    }

    private static (double Factor, SchemeResult Result) BoundedAtPeak(HotKeySettings settings, ZipfKeys keys, int[] stream, double peak)
    {
        double low = 1, high = 1.5;
        SchemeResult? best = null;
        double bestFactor = high;
        for (var step = 0; step < 8; step++)
        {
            var factor = (low + high) / 2;
            var result = HotKeySimulation.Run($"bounded loads (c = {factor:0.000})", settings, keys, stream, new LoadAwareOptions { BoundedLoadFactor = factor });
            if (result.PeakToMean <= peak)
            {
                (best, bestFactor, low) = (result, factor, factor);
            }
            else
            {
                high = factor;
            }
        }
        return (bestFactor, best ?? HotKeySimulation.Run("bounded loads (c = 1)", settings, keys, stream, new LoadAwareOptions { BoundedLoadFactor = 1 }));
    }

    private static IReadOnlyList<SharedLoadRow> SharedLoad(A5Settings settings)
    {
        var rows = new List<SharedLoadRow>();
        var keys = new ZipfKeys(settings.HotKeys.Keys, settings.HotKeys.Exponent, settings.HotKeys.Seed);
        var stream = HotKeySimulation.Stream(keys, settings.SharedRequests);
        foreach (var (inFlight, external) in settings.SharedScenarios)
        {
            var run = settings.HotKeys with { InFlight = inFlight, Requests = settings.SharedRequests };
            var local = SharedLoadSimulation.Run("local counts", run, keys, stream, BoundedLoads.DefaultFactor, shared: false, external);
            var shared = SharedLoadSimulation.Run("shared reported load", run, keys, stream, BoundedLoads.DefaultFactor, shared: true, external);
            rows.Add(new SharedLoadRow(inFlight, external, local.PeakToMean, shared.PeakToMean, local.ServedByPrimary, shared.ServedByPrimary, local.KeysOnPrimaryOnly, shared.KeysOnPrimaryOnly));
        }
        return rows;
    }

    public static void ReportOffline(AnalysisContext context, A5Result result) => A5Report.Write(context, result);
}

/// <summary>What A-5 simulates; the defaults are the report's.</summary>
internal sealed record A5Settings
{
    public CacheJoinSettings Cache { get; init; } = new();
    public int WarmUpSeconds { get; init; } = 300;
    public IReadOnlyList<int> WarmUpSweepSeconds { get; init; } = [30, 60, 120, 300];
    public HotKeySettings HotKeys { get; init; } = new();
    /// <summary>Seeds replayed besides <see cref="HotKeySettings.Seed"/> (plain and spreading only).</summary>
    public IReadOnlyList<int> HotKeySeeds { get; init; } = [1, 2, 3, 4, 5];
    public int SharedRequests { get; init; } = 600_000;
    public IReadOnlyList<(int InFlight, int External)> SharedScenarios { get; init; } = [(30, 0), (100, 0), (300, 0), (1000, 0), (300, 15), (300, 30)];
}

internal sealed record A5Result(CacheJoinSummary CacheJoin, HotKeySummary HotKeys, IReadOnlyList<SharedLoadRow> SharedLoad);

internal sealed record CacheJoinSummary(
    CacheJoinSettings Settings, int WarmUpSeconds, IReadOnlyList<CacheJoinRow> Rows,
    IReadOnlyList<double> Seconds, long[] Baseline, long[] Instant, long[] WarmUp);

internal sealed record CacheJoinRow(
    string Algorithm, double WindowSeconds, double BaselinePerSecond,
    long PeakInstant, long PeakWarmUp, double PeakCut,
    long PeakExtraInstant, long PeakExtraWarmUp, double PeakExtraCut,
    long TotalExtraInstant, long TotalExtraWarmUp, int MisplacedAfterWindow);

internal sealed record HotKeySummary(
    HotKeySettings Settings, double WaterFillingMinimum, double BoundedFactor, IReadOnlyList<SchemeRow> Schemes,
    IReadOnlyList<SeedRow> Seeds, IReadOnlyList<HotKeyShare> HotKeys);

internal sealed record SchemeRow(
    string Scheme, IReadOnlyList<long> Counts, double PeakToMean, double ServedByPrimary, double Moved,
    double MovedOverMinimum, double KeysOnPrimaryOnly, int KeysThatLeftPrimary)
{
    public static SchemeRow From(SchemeResult r, double minimum) => new(
        r.Scheme, r.Counts, r.PeakToMean, r.ServedByPrimary, r.Moved, minimum > 0 ? r.Moved / minimum : 0, r.KeysOnPrimaryOnly, r.KeysThatLeftPrimary);
}

internal sealed record SeedRow(int Seed, double PlainPeakToMean, double SpreadingPeakToMean, double WaterFillingMinimum, double Moved, double MovedOverMinimum, double KeysOnPrimaryOnly);

internal sealed record SharedLoadRow(
    int InFlight, int External, double LocalPeakToMean, double SharedPeakToMean,
    double LocalServedByPrimary, double SharedServedByPrimary, double LocalKeysOnPrimaryOnly, double SharedKeysOnPrimaryOnly);
