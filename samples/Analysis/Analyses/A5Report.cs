using System.Globalization;
using Ringway.Samples.Analysis.Reporting;

namespace Ringway.Samples.Analysis.Analyses;

/// <summary>The charts and the report section of A-5's offline simulations.</summary>
internal static class A5Report
{
    public static void Write(AnalysisContext context, A5Result result)
    {
        context.Report.Heading(2, "A-5: load-aware hashing (offline simulations)")
            .Paragraph("Exact, seeded simulations that route every request through Ringway.ConsistentHashing itself " +
                       "(`LoadAwarePlacement`, `WarmUpSchedule`, `ReportedLoad`); run again, they give the same numbers. " +
                       "Keys follow Zipf's law with s = 1.1 over 100,000 keys (random 16-character names), 10 replicas, Rendezvous unless stated. " +
                       "This section alone: `dotnet run -c Release --project samples/Analysis -- a5 --offline` (about two minutes).");
        CacheJoin(context, result.CacheJoin);
        HotKeys(context, result.HotKeys);
        SharedLoad(context, result.SharedLoad);
    }

    private static void CacheJoin(AnalysisContext context, CacheJoinSummary summary)
    {
        var s = summary.Settings;
        var window = summary.WarmUpSeconds;
        Charts.Lines(context.OutPath("a5-cache-misses.png"), $"A-5 (a): cache misses per second when an 11th replica joins (Rendezvous)",
            "seconds since the join", "misses per second", summary.Seconds,
            [("no join", summary.Baseline.Select(v => (double)v).ToArray()), ("instant join", summary.Instant.Select(v => (double)v).ToArray()),
             ($"warm-up over {window} s", summary.WarmUp.Select(v => (double)v).ToArray())], timeSeries: true);

        var main = summary.Rows.Where(r => r.WindowSeconds == window).ToList();
        var rendezvous = main.First(r => r.Algorithm == "Rendezvous");
        var sweep = summary.Rows.Where(r => r.Algorithm == "Rendezvous").OrderBy(r => r.WindowSeconds).ToList();
        context.Report.Heading(3, "A-5 (a): cache misses when a replica joins, instant against warm-up")
            .Paragraph($"{Int(s.RequestsPerSecond)} requests per second; every replica keeps an LRU cache of {Int(s.CacheSize)} keys (its share of the keys). " +
                       $"The caches warm for {s.SecondsBefore} s, then an 11th replica joins: at once, or ramping up over the window. The same stream is also " +
                       "replayed without the join; the join's cost is the misses above that baseline (\"extra\"). Misses are counted per second. " +
                       "Classic is left out: its skew overflows one replica's cache, so its misses say nothing about the join.")
            .Image("A-5 (a) cache misses per second", "a5-cache-misses.png")
            .Table(["algorithm", "misses/s before", "peak instant", $"peak warm-up {window} s", "peak cut", "extra peak instant", "extra peak warm-up", "extra peak cut",
                    "extra misses instant", "extra misses warm-up", "keys misplaced after the window"],
                main.Select(r => (IReadOnlyList<string>)[r.Algorithm, Number(r.BaselinePerSecond, "0"), Int(r.PeakInstant), Int(r.PeakWarmUp), Times(r.PeakCut),
                    Int(r.PeakExtraInstant), Int(r.PeakExtraWarmUp), Times(r.PeakExtraCut), Int(r.TotalExtraInstant), Int(r.TotalExtraWarmUp), Int(r.MisplacedAfterWindow)]))
            .Paragraph("The window decides how far the peak comes down (Rendezvous):")
            .Table(["window", "peak warm-up", "peak cut", "extra peak warm-up", "extra peak cut", "extra misses warm-up / instant"],
                sweep.Select(r => (IReadOnlyList<string>)[$"{r.WindowSeconds:0} s", Int(r.PeakWarmUp), Times(r.PeakCut), Int(r.PeakExtraWarmUp), Times(r.PeakExtraCut),
                    Number((double)r.TotalExtraWarmUp / r.TotalExtraInstant, "0.00")]));

        var allMet = main.All(r => r.PeakExtraCut >= A5LoadAware.WarmUpPeakCutTarget);
        var rawMet = main.All(r => r.PeakCut >= A5LoadAware.WarmUpPeakCutTarget);
        var shortest = sweep.FirstOrDefault(r => r.PeakExtraCut >= A5LoadAware.WarmUpPeakCutTarget);
        var shortestRaw = sweep.FirstOrDefault(r => r.PeakCut >= A5LoadAware.WarmUpPeakCutTarget);
        context.Report.Paragraph(
            $"Target: warm-up cuts the peak miss rate after a join at least {A5LoadAware.WarmUpPeakCutTarget:0}x, with about the same total extra misses. " +
            $"Counting the join's own misses (above the baseline), a {window} s window cuts the peak {Times(main.Min(r => r.PeakExtraCut))} to {Times(main.Max(r => r.PeakExtraCut))} " +
            $"({Met(allMet)} for every algorithm), and the extra misses stay the same within {Percent(main.Max(r => Math.Abs(1 - ((double)r.TotalExtraWarmUp / r.TotalExtraInstant))), "0")}. " +
            $"Counting every miss, baseline included, the cut is {Times(main.Min(r => r.PeakCut))} to {Times(main.Max(r => r.PeakCut))} ({Met(rawMet)})" +
            (shortestRaw is null ? "." : $"; Rendezvous reaches 4x that way from a {shortestRaw.WindowSeconds:0} s window.") +
            (shortest is null ? " No window in the sweep reaches the target." : $" The shortest window in the sweep that reaches the target on the join's own misses is {shortest.WindowSeconds:0} s: shorter windows cut less, because many keys of a Zipf stream are first asked for minutes after the join either way.") +
            (allMet && rawMet ? $" The table uses the {window} s window because it meets the target on both counts for every algorithm." : "") +
            " After the window every key is where the algorithm puts it (keys misplaced: 0).");
    }

    private static void HotKeys(AnalysisContext context, HotKeySummary summary)
    {
        var s = summary.Settings;
        var labels = Enumerable.Range(1, s.Replicas).Select(i => $"{i}").ToList();
        Charts.GroupedBars(context.OutPath("a5-load-per-replica.png"), "A-5 (b): requests per replica under Zipf keys (s = 1.1)", "requests",
            labels, summary.Schemes.Select(r => (r.Scheme, r.Counts.Select(c => (double)c).ToArray())).ToList(), "replica", legendLeft: true);
        var spread = summary.Schemes.Single(r => r.Scheme == "hot-key spreading");
        var bounded = summary.Schemes.Single(r => r.Scheme.StartsWith("bounded", StringComparison.Ordinal));
        context.Report.Heading(3, "A-5 (b): per-replica load under Zipf keys: plain hashing, bounded loads, hot-key spreading")
            .Paragraph($"{Int(s.Requests - s.WarmUpRequests)} requests measured (after {Int(s.WarmUpRequests)} that fill the sketch), seed {s.Seed}, " +
                       $"{Int(s.InFlight)} requests in flight (each takes the time of {Int(s.InFlight)} arrivals), {Int(s.RequestsPerSecond)} per second. " +
                       $"The load a balancer compares is requests in flight. Hot-key spreading uses a load factor of {A5LoadAware.PeakBound} and at most 8 replicas per key; " +
                       $"bounded loads alone is shown at the factor that gives the same peak (c = {Number(summary.BoundedFactor, "0.000")}). " +
                       $"The water-filling minimum is the traffic any scheme must move off its primaries to bring every replica to {A5LoadAware.PeakBound} x the mean, " +
                       $"if requests could be split freely: the sum of the excesses of plain hashing, here {Percent(summary.WaterFillingMinimum)} of all requests.")
            .Image("A-5 (b) requests per replica", "a5-load-per-replica.png")
            .Table(["scheme", "peak-to-mean", "served by their primary", "moved", "moved / minimum", "distinct keys on their primary only", "keys that left their primary"],
                summary.Schemes.Select(r => (IReadOnlyList<string>)[r.Scheme, Number(r.PeakToMean, "0.000"), Percent(r.ServedByPrimary), Percent(r.Moved),
                    r.Moved > 0 ? Number(r.MovedOverMinimum, "0.00") : "-", Percent(r.KeysOnPrimaryOnly, "0.000"), Int(r.KeysThatLeftPrimary)]))
            .Paragraph("Hottest keys as the sketch estimates them (share of requests): " + string.Join(", ", summary.HotKeys.Take(6).Select(k => Percent(k.Share))) + ".")
            .Paragraph("The same with other seeds (where the hot keys land changes):")
            .Table(["seed", "plain peak-to-mean", "spreading peak-to-mean", "minimum to move", "spreading moved", "moved / minimum", "keys on their primary only"],
                summary.Seeds.Select(r => (IReadOnlyList<string>)[r.Seed.ToString(CultureInfo.InvariantCulture), Number(r.PlainPeakToMean, "0.000"), Number(r.SpreadingPeakToMean, "0.000"),
                    Percent(r.WaterFillingMinimum), Percent(r.Moved), Number(r.MovedOverMinimum, "0.00"), Percent(r.KeysOnPrimaryOnly, "0.000")]));

        var peakMet = summary.Seeds.All(r => r.SpreadingPeakToMean <= A5LoadAware.PeakBound);
        var movedMet = summary.Seeds.All(r => r.MovedOverMinimum <= A5LoadAware.MovedOverMinimumTarget);
        var keysMet = summary.Seeds.All(r => r.KeysOnPrimaryOnly >= A5LoadAware.KeysOnPrimaryTarget);
        context.Report.Paragraph(
            $"Targets, over all {summary.Seeds.Count} seeds: peak-to-mean at most {A5LoadAware.PeakBound} ({Met(peakMet)}: {Number(summary.Seeds.Max(r => r.SpreadingPeakToMean), "0.000")} at worst); " +
            $"moved at most {A5LoadAware.MovedOverMinimumTarget} x the water-filling minimum ({Met(movedMet)}: {Number(summary.Seeds.Max(r => r.MovedOverMinimum), "0.00")} x at worst); " +
            $"at least {Percent(A5LoadAware.KeysOnPrimaryTarget, "0")} of distinct keys on their primary only ({Met(keysMet)}: {Percent(summary.Seeds.Min(r => r.KeysOnPrimaryOnly), "0.000")} at worst). " +
            $"Plain hashing peaks at {Number(summary.Seeds.Min(r => r.PlainPeakToMean), "0.00")} to {Number(summary.Seeds.Max(r => r.PlainPeakToMean), "0.00")} x the mean. " +
            $"Bounded loads alone reaches the same peak ({Number(bounded.PeakToMean, "0.000")}) only by moving {Percent(bounded.Moved)} of the requests and " +
            $"{Percent(1 - bounded.KeysOnPrimaryOnly)} of the distinct keys off their primary; spreading moves {Percent(spread.Moved)} and {Int(spread.KeysThatLeftPrimary)} keys.");
    }

    private static void SharedLoad(AnalysisContext context, IReadOnlyList<SharedLoadRow> rows)
    {
        var labels = rows.Select(r => r.External == 0 ? $"{r.InFlight}" : $"{r.InFlight} + {r.External} external").ToList();
        Charts.GroupedBars(context.OutPath("a5-shared-load.png"), "A-5 (c): three balancers with bounded loads (c = 1.25): busiest replica over the mean", "peak-to-mean (in flight)",
            labels, [("own counts only", rows.Select(r => r.LocalPeakToMean).ToArray()), ("shared reported load", rows.Select(r => r.SharedPeakToMean).ToArray())],
            "requests in flight (+ requests no balancer routes, on one replica)", legendLeft: true);
        context.Report.Heading(3, "A-5 (c): three balancers, a shared reported load against local counts only")
            .Paragraph("Three balancers take every third request of the same Zipf stream, all with bounded loads (c = 1.25). Each either bounds on its own requests in flight, " +
                       "or on the load each replica reports with every response (its requests in flight from all balancers, ORCA's `named_metrics.rif`), " +
                       "adjusted by the balancer's own sends since the report. In the last rows the first replica also serves requests no balancer routes. " +
                       "Peak-to-mean is over the time-averaged requests in flight per replica, those included.")
            .Image("A-5 (c) shared against local load", "a5-shared-load.png")
            .Table(["scenario", "peak-to-mean, own counts", "peak-to-mean, shared", "served by primary, own counts", "served by primary, shared",
                    "keys on primary only, own counts", "keys on primary only, shared"],
                rows.Select(r => (IReadOnlyList<string>)[Scenario(r), Number(r.LocalPeakToMean, "0.000"), Number(r.SharedPeakToMean, "0.000"),
                    Percent(r.LocalServedByPrimary), Percent(r.SharedServedByPrimary), Percent(r.LocalKeysOnPrimaryOnly), Percent(r.SharedKeysOnPrimaryOnly)]))
            .Paragraph("Bounded loads on local counts is additive: if each balancer keeps every replica within c x its own average, the sum stays within c x the overall " +
                       "average, up to rounding. So with equal traffic and many requests in flight local counts already bound the load, and the shared report, which " +
                       "lags the other balancers' sends by a response, does no better (it keeps more keys on their primary). It matters where local counts cannot see " +
                       "the load: few requests in flight per balancer, where each balancer's rounding adds up (at 30 in flight the shared bound is tighter, so it also " +
                       "moves more keys), and load that does not pass through these balancers, which own counts never see.");
    }

    private static string Scenario(SharedLoadRow r) => r.External == 0 ? $"{r.InFlight} in flight" : $"{r.InFlight} + {r.External} external on one replica";

    private static string Met(bool met) => met ? "met" : "not met";

    private static string Int(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Number(double value, string format) => MarkdownReport.Number(value, format);

    private static string Times(double value) => MarkdownReport.Number(value, "0.0") + "x";

    private static string Percent(double fraction, string format = "0.0") => (fraction * 100).ToString(format, CultureInfo.InvariantCulture) + " %";
}
