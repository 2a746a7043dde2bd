using Ringway.Samples.Analysis.Cluster;
using Ringway.Samples.Analysis.Reporting;

namespace Ringway.Samples.Analysis.Analyses;

/// <summary>A-1: many asynchronous requests at the current N; how many each server handled.</summary>
internal static class A1Distribution
{
    public static async Task<LoadSummary> RunAsync(AnalysisContext context, BalancerClient client, string chartName, string title, CancellationToken cancellationToken)
    {
        var replicas = await client.GetReplicasAsync(cancellationToken).ConfigureAwait(false);
        var load = await context.RunLoadAsync(client, $"{title}: {context.Options.Requests} requests", context.Options.Requests, cancellationToken).ConfigureAwait(false);
        var stats = LoadStatistics.From(load.Counts, replicas);
        Charts.Bars(context.OutPath(chartName), $"{title}: requests per server (N = {replicas.Count}, {context.Options.Requests} requests)", "requests",
            stats.Servers.Select(s => s.Server).ToList(), stats.Servers.Select(s => (double)s.Count).ToList());
        context.ShowLoad(title, stats);
        return LoadSummary.From(stats, load);
    }

    public static void Report(AnalysisContext context, LoadSummary summary, string chartName)
    {
        var report = context.Report;
        report.Heading(2, "A-1: requests per server at N = " + summary.Servers.Count)
            .Paragraph($"{summary.Requests} asynchronous GET /home requests, {context.Options.Concurrency} at a time, in {MarkdownReport.Number(summary.ElapsedSeconds, "0.00")} s; {summary.Failed} failed.")
            .Image("A-1 requests per server", chartName);
        report.LoadTable(summary.ToStatistics());
    }
}

/// <summary>The machine-readable outcome of one load run.</summary>
internal sealed record LoadSummary(
    int Requests, long Failed, double ElapsedSeconds, IReadOnlyList<ServerCount> Servers,
    double Mean, long Min, long Max, double PeakToMean, double StandardDeviation)
{
    public static LoadSummary From(LoadStatistics stats, LoadResult load) => new(
        (int)(load.Succeeded + load.Failed), load.Failed, load.Elapsed.TotalSeconds, stats.Servers,
        stats.Mean, stats.Min, stats.Max, stats.PeakToMean, stats.StandardDeviation);

    public LoadStatistics ToStatistics() => new(Servers);
}
