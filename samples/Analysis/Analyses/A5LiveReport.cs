using System.Globalization;
using Ringway.Samples.Analysis.Reporting;
using Ringway.Samples.Analysis.Simulation;

namespace Ringway.Samples.Analysis.Analyses;

/// <summary>The charts and the report section of A-5's live run against the sample host.</summary>
internal static class A5LiveReport
{
    public static void Write(AnalysisContext context, A5LiveResult result)
    {
        var s = result.Settings;
        context.Report.Heading(2, "A-5 live: the load-aware options on the sample host")
            .Paragraph($"The sample host (samples/LoadBalancer with {s.Replicas} local replica processes of samples/Server, Rendezvous), started once per scheme " +
                       "with the options set on its command line, and driven with Zipf keys (s = 1.1) in the `X-Ringway-Key` header; every replica names itself " +
                       "in its answer, so each request is counted where it was served. Scaled down from the offline simulations to fit about two to three minutes " +
                       "on a 2-core machine that also runs the balancer and the replicas; the figures move a little from run to run. " +
                       "This section with the offline one: `dotnet build -c Release samples/LoadBalancer && dotnet run -c Release --project samples/Analysis -- a5` " +
                       "(`--offline` skips it). Part (c), three balancers sharing reported load, is measured offline only.");
        Schemes(context, result);
        Joins(context, result);
    }

    private static void Schemes(AnalysisContext context, A5LiveResult result)
    {
        var s = result.Settings;
        var rows = result.Schemes;
        var plain = rows[0];
        var minimum = HotKeySimulation.WaterFillingMinimum(plain.Counts, s.LoadFactor);
        Charts.GroupedBars(context.OutPath("a5-live-load-per-replica.png"), $"A-5 live (b): requests per replica of the sample host under Zipf keys (s = 1.1)", "requests",
            plain.Replicas, rows.Select(r => (r.Scheme, r.Counts.Select(c => (double)c).ToArray())).ToList(), "replica", legendLeft: true);
        context.Report.Heading(3, "A-5 live (b): per-replica load under Zipf keys")
            .Paragraph($"{Int(s.Requests - s.WarmUpRequests)} requests measured after {Int(s.WarmUpRequests)} that fill the hot-key sketch, over {Int(s.Keys)} keys, " +
                       $"{s.Concurrency} in flight, as fast as the machine answers. Bounded loads and hot-key spreading use a factor of {s.LoadFactor} and the load " +
                       "the replicas report (`Hashing:ReportedLoad:Enabled`, the sample server's requests in flight). A key's primary is the replica plain hashing " +
                       "picks for it: Ringway.ConsistentHashing with the balancer's replica ids (the plain run serves every key there). The water-filling minimum " +
                       $"of plain hashing's counts at {s.LoadFactor} x the mean is {Percent(minimum)} of the requests.")
            .Image("A-5 live (b) requests per replica", "a5-live-load-per-replica.png")
            .Table(["scheme", "requests per replica", "peak-to-mean", "served by their primary", "moved", "moved / minimum", "distinct keys on their primary only",
                    "replicas serving the hottest key", "failed"],
                rows.Select(r => (IReadOnlyList<string>)[r.Scheme, string.Join(" / ", r.Counts.Select(c => Int(c))), MarkdownReport.Number(r.PeakToMean, "0.000"),
                    Percent(r.ServedByPrimary), Percent(1 - r.ServedByPrimary), minimum > 0 && r.ServedByPrimary < 1 ? MarkdownReport.Number((1 - r.ServedByPrimary) / minimum, "0.00") : "-",
                    Percent(r.KeysOnPrimaryOnly, "0.00"), r.HottestKeyReplicas.ToString(CultureInfo.InvariantCulture), Int(r.Failed)]));
        var bounded = rows[1];
        var spread = rows[2];
        context.Report.Paragraph(
            $"Plain hashing peaks at {MarkdownReport.Number(plain.PeakToMean, "0.00")}x the mean; bounded loads brings that to {MarkdownReport.Number(bounded.PeakToMean, "0.00")} " +
            $"by moving {Percent(1 - bounded.KeysOnPrimaryOnly)} of the distinct keys off their primary, hot-key spreading to {MarkdownReport.Number(spread.PeakToMean, "0.00")} " +
            $"while {Percent(spread.KeysOnPrimaryOnly, "0.00")} of the keys stay on their primary only ({Int(spread.KeysThatLeftPrimary)} hot keys spread). Live, both move " +
            $"far more traffic than the minimum, unlike offline: the loads they compare are a few requests in flight per replica ({s.Concurrency} over {s.Replicas}), " +
            "so their noise, not only the real excess, sends requests away.");
    }

    private static void Joins(AnalysisContext context, A5LiveResult result)
    {
        var s = result.Settings;
        var instant = result.Joins.Single(j => j.WarmUpSeconds == 0);
        var warm = result.Joins.Single(j => j.WarmUpSeconds > 0);
        // Both series from the same second before the /add on, as long as both last.
        var from = Math.Min(instant.SecondsBeforeJoin, warm.SecondsBeforeJoin);
        var length = Math.Min(instant.Seconds - instant.SecondsBeforeJoin, warm.Seconds - warm.SecondsBeforeJoin) + from;
        double[] Series(LiveJoinRun run) => Enumerable.Range(run.SecondsBeforeJoin - from, length).Select(i => 100 * run.Counts.MissRatio(i)).ToArray();
        Charts.Lines(context.OutPath("a5-live-cache-misses.png"), $"A-5 live (a): modelled cache miss ratio per second when replica {s.Replicas + 1} is added",
            "seconds since the /add", "misses (% of the second's requests)", Enumerable.Range(-from, length).Select(x => (double)x).ToList(),
            [("instant join", Series(instant)), ($"warm-up over {warm.WarmUpSeconds} s", Series(warm))], timeSeries: true);
        context.Report.Heading(3, "A-5 live (a): cache misses when a replica is added, instant against warm-up")
            .Paragraph($"{Int(s.JoinPerSecond)} requests per second (paced; fewer when the machine falls behind) over {Int(s.JoinKeys)} keys, {s.JoinConcurrency} in flight at most; " +
                       $"after {s.SecondsBeforeJoin} s one replica is added with `POST /add`, to a balancer without warm-up and to one with `Hashing:WarmUp` = {warm.WarmUpSeconds} s, " +
                       $"and the run goes on for {s.SecondsAfterJoin} s. The replicas cache nothing: the cache is modelled from the answering replica, an LRU of " +
                       $"{Int(s.CacheSize)} keys (its share of the keys) per replica that each request touches where it was served. The same seeded stream drives both runs. " +
                       "Shown is the miss ratio per second (the cache hit ratio's complement), which does not depend on how steadily the machine kept the pace.")
            .Image("A-5 live (a) modelled cache miss ratio per second", "a5-live-cache-misses.png")
            .Table(["join", "miss ratio before (last 5 s)", "peak miss ratio after the /add", "peak misses/s after the /add", "misses from the /add on",
                    "requests from the /add on", "newcomer's first answer after the /add", "newcomer's share of the last 5 s", "failed"],
                result.Joins.Select(j => (IReadOnlyList<string>)[j.WarmUpSeconds == 0 ? "instant" : $"warm-up {j.WarmUpSeconds} s", Percent(j.MissRatioBefore),
                    Percent(j.PeakMissRatioAfter), Int(j.PeakMissesAfter), Int(j.TotalMissesAfter), Int(j.RequestsAfter),
                    j.FirstAnswerAfter is { } f ? MarkdownReport.Number(f, "0.0") + " s" : "never", Percent(j.NewcomerShare), Int(j.Failed)]))
            .Paragraph($"Warm-up cuts the peak miss ratio after the /add {MarkdownReport.Number(instant.PeakMissRatioAfter / Math.Max(1e-9, warm.PeakMissRatioAfter), "0.0")}x " +
                       $"({Percent(instant.PeakMissRatioAfter)} against {Percent(warm.PeakMissRatioAfter)}, the misses of keys never asked for before included) and the peak " +
                       $"misses per second {MarkdownReport.Number((double)instant.PeakMissesAfter / Math.Max(1, warm.PeakMissesAfter), "0.0")}x, with " +
                       $"{MarkdownReport.Number((double)warm.TotalMissesAfter / Math.Max(1, instant.TotalMissesAfter), "0.00")} times the misses from the /add on. The newcomer answers once its process has " +
                       "started and passed a heartbeat. The live run is short and its keys few, so keys never asked for before still miss before the join; " +
                       "the offline section measures the cut on a warm system.");
    }

    private static string Int(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Percent(double fraction, string format = "0.0") => (fraction * 100).ToString(format, CultureInfo.InvariantCulture) + " %";
}
