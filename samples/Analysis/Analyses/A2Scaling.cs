using Ringway.Samples.Analysis.Cluster;
using Ringway.Samples.Analysis.Reporting;

namespace Ringway.Samples.Analysis.Analyses;

/// <summary>A-2: N from 2 to 6 (via /add and /rm), the same number of requests at each N; average load per server and its spread.</summary>
internal static class A2Scaling
{
    public static async Task<IReadOnlyList<ScalingPoint>> RunAsync(AnalysisContext context, BalancerClient client, string chartName, string title, CancellationToken cancellationToken)
    {
        var original = (await client.GetReplicasAsync(cancellationToken).ConfigureAwait(false)).Count;
        var points = new List<ScalingPoint>();
        try
        {
            for (var n = context.Options.MinReplicas; n <= context.Options.MaxReplicas; n++)
            {
                string? note = null;
                IReadOnlyList<string> replicas;
                try
                {
                    replicas = await ReplicaSteering.SetCountAsync(client, n, context.Options.ReadyTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException e)
                {
                    // A badly skewed hash may never route to some replica: measure anyway, and say so.
                    note = e.Message;
                    replicas = await client.GetReplicasAsync(cancellationToken).ConfigureAwait(false);
                }
                var load = await context.RunLoadAsync(client, $"{title}: N = {n}", context.Options.Requests, cancellationToken).ConfigureAwait(false);
                var stats = LoadStatistics.From(load.Counts, replicas);
                points.Add(new ScalingPoint(n, stats.Mean, stats.Min, stats.Max, stats.PeakToMean, stats.StandardDeviation, load.Failed, note));
            }
        }
        finally
        {
            // Leave the system as we found it.
            await ReplicaSteering.SetCountAsync(client, original, context.Options.ReadyTimeout, CancellationToken.None)
                .ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        var xs = points.Select(p => (double)p.N).ToList();
        Charts.Lines(context.OutPath(chartName), $"{title}: load per server as N grows ({context.Options.Requests} requests each)", "N (replicas)", "requests per server", xs,
        [
            ("average", points.Select(p => p.Mean).ToArray()),
            ("min", points.Select(p => (double)p.Min).ToArray()),
            ("max", points.Select(p => (double)p.Max).ToArray()),
        ]);
        return points;
    }

    public static void Report(AnalysisContext context, IReadOnlyList<ScalingPoint> points, string chartName, string heading)
    {
        context.Report.Heading(2, heading)
            .Paragraph($"{context.Options.Requests} requests at each N; replicas added and removed through /add and /rm, then restored.")
            .Image(heading, chartName)
            .Table(["N", "average", "min", "max", "peak-to-mean", "std dev", "failed"], points.Select(p => (IReadOnlyList<string>)
            [
                p.N.ToString(System.Globalization.CultureInfo.InvariantCulture), MarkdownReport.Number(p.Mean), p.Min.ToString(System.Globalization.CultureInfo.InvariantCulture),
                p.Max.ToString(System.Globalization.CultureInfo.InvariantCulture), MarkdownReport.Number(p.PeakToMean, "0.000"), MarkdownReport.Number(p.StandardDeviation), p.Failed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ]));
        foreach (var p in points.Where(p => p.Note is not null)) context.Report.Paragraph($"N = {p.N}: {p.Note}");
    }
}

internal sealed record ScalingPoint(int N, double Mean, long Min, long Max, double PeakToMean, double StandardDeviation, long Failed, string? Note);
