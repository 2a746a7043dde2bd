using Ringway.ConsistentHashing;
using Ringway.Samples.Analysis.Cluster;
using Ringway.Samples.Analysis.Reporting;
using Spectre.Console;

namespace Ringway.Samples.Analysis.Analyses;

/// <summary>
/// the classic ring's hash functions next to the modern algorithms. Offline straight from
/// Ringway.ConsistentHashing (random 6-digit request ids, N = 2..6), and live (a balancer started with each
/// algorithm, A-1 and A-2 repeated).
/// </summary>
internal static class A4HashComparison
{
    public static readonly ConsistentHashAlgorithm[] Algorithms =
    [
        ConsistentHashAlgorithm.Classic, ConsistentHashAlgorithm.Ring, ConsistentHashAlgorithm.Maglev,
        ConsistentHashAlgorithm.Rendezvous, ConsistentHashAlgorithm.Jump,
    ];

    /// <summary>Distribution and movement of random 6-digit ids for every algorithm and N.</summary>
    public static IReadOnlyList<OfflinePoint> RunOffline(int keyCount, int minN, int maxN, int seed)
    {
        var random = new Random(seed);
        var keys = new ulong[keyCount];
        for (var i = 0; i < keys.Length; i++) keys[i] = (ulong)random.Next(100_000, 1_000_000); // random 6-digit request ids, as the contract's keyless requests get

        var points = new List<OfflinePoint>();
        foreach (var algorithm in Algorithms)
        {
            for (var n = minN; n <= maxN; n++)
            {
                var names = Enumerable.Range(1, n).Select(i => $"Server {i}").ToList();
                var hash = ConsistentHash.Create(algorithm, names.Select(s => new HashNode<string>(s, s)));
                var grown = hash.Add(new HashNode<string>($"Server {n + 1}", $"Server {n + 1}"));
                var counts = names.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
                long moved = 0;
                foreach (var key in keys)
                {
                    var node = hash.GetNode(key);
                    counts[node]++;
                    if (!string.Equals(grown.GetNode(key), node, StringComparison.Ordinal)) moved++;
                }
                var stats = LoadStatistics.From(counts, names);
                var movedFraction = (double)moved / keys.Length;
                points.Add(new OfflinePoint(algorithm.ToString(), n, stats.Servers, stats.PeakToMean, movedFraction, movedFraction * (n + 1)));
            }
        }
        return points;
    }

    public static void ReportOffline(AnalysisContext context, IReadOnlyList<OfflinePoint> points)
    {
        var ns = points.Select(p => p.N).Distinct().Order().ToList();
        var byAlgorithm = points.GroupBy(p => p.Algorithm).ToList();
        Charts.Lines(context.OutPath("a4-peak-to-mean.png"), "A-4: busiest server over the average (1.0 = even)", "N (servers)", "peak-to-mean",
            ns.Select(n => (double)n).ToList(), byAlgorithm.Select(g => (g.Key, g.OrderBy(p => p.N).Select(p => p.PeakToMean).ToArray())).ToList());
        Charts.Lines(context.OutPath("a4-moved.png"), "A-4: keys moved when server N+1 joins, over the optimum 1/(N+1)", "N (servers before)", "moved / optimum",
            ns.Select(n => (double)n).ToList(), byAlgorithm.Select(g => (g.Key, g.OrderBy(p => p.N).Select(p => p.MovedOverOptimum).ToArray())).ToList());
        var atThree = points.Where(p => p.N == 3).ToList();
        if (atThree.Count > 0)
        {
            var labels = atThree[0].Servers.Select(s => s.Server).ToList();
            Charts.GroupedBars(context.OutPath("a4-distribution-n3.png"), $"A-4: {context.Options.OfflineKeys} random request ids over 3 servers", "requests",
                labels, atThree.Select(p => (p.Algorithm, p.Servers.Select(s => (double)s.Count).ToArray())).ToList());
        }

        context.Report.Heading(2, "A-4: the classic hash functions against the modern algorithms")
            .Paragraph($"Offline, straight from Ringway.ConsistentHashing: {context.Options.OfflineKeys} random 6-digit request ids (seed {context.Options.Seed}) " +
                       "hashed onto servers named `Server 1..N`, for N = " + $"{ns[0]}..{ns[^1]}.")
            .Image("A-4 distribution at N = 3", "a4-distribution-n3.png")
            .Image("A-4 peak-to-mean", "a4-peak-to-mean.png")
            .Image("A-4 keys moved", "a4-moved.png")
            .Table(["algorithm", .. ns.Select(n => $"peak-to-mean N={n}"), .. ns.Select(n => $"moved/optimum {n}->{n + 1}")],
                byAlgorithm.Select(g => (IReadOnlyList<string>)[g.Key,
                    .. g.OrderBy(p => p.N).Select(p => MarkdownReport.Number(p.PeakToMean, "0.000")),
                    .. g.OrderBy(p => p.N).Select(p => MarkdownReport.Number(p.MovedOverOptimum, "0.00"))]));
    }

    /// <summary>Starts a balancer per algorithm and repeats against it.</summary>
    public static async Task<IReadOnlyList<LiveRun>> RunLiveAsync(AnalysisContext context, CancellationToken cancellationToken)
    {
        var runs = new List<LiveRun>();
        foreach (var algorithm in Algorithms)
        {
            context.Ui.MarkupLine($"[bold]A-4 live:[/] starting a balancer with the {algorithm} algorithm");
            await using var balancer = await BalancerProcess.StartAsync(context.Options.BalancerCommand!, algorithm.ToString(), cancellationToken).ConfigureAwait(false);
            using var client = new BalancerClient(balancer.Url, context.Options.Concurrency);
            await ReplicaSteering.WaitUntilServingAsync(client, 3, null, TimeSpan.FromSeconds(60), cancellationToken)
                .ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false); // a skewed hash may never reach every replica
            var name = algorithm.ToString().ToLowerInvariant();
            var a1 = await A1Distribution.RunAsync(context, client, $"a4-live-{name}-a1.png", $"A-4 live {algorithm}", cancellationToken).ConfigureAwait(false);
            var a2 = await A2Scaling.RunAsync(context, client, $"a4-live-{name}-a2.png", $"A-4 live {algorithm}", cancellationToken).ConfigureAwait(false);
            runs.Add(new LiveRun(algorithm.ToString(), a1, a2));
        }
        return runs;
    }

    public static void ReportLive(AnalysisContext context, IReadOnlyList<LiveRun> runs)
    {
        if (runs.Count == 0) return;
        Charts.Lines(context.OutPath("a4-live-peak-to-mean.png"), "A-4 live: peak-to-mean as N grows, per algorithm", "N (replicas)", "peak-to-mean",
            runs[0].A2.Select(p => (double)p.N).ToList(), runs.Select(r => (r.Algorithm, r.A2.Select(p => p.PeakToMean).ToArray())).ToList());
        context.Report.Heading(3, "A-4 live: the balancer started with each algorithm")
            .Paragraph($"Each balancer started with 3 local replicas; A-1 ({context.Options.Requests} requests at N = 3) and A-2 (N = {context.Options.MinReplicas}..{context.Options.MaxReplicas}) repeated.")
            .Image("A-4 live peak-to-mean", "a4-live-peak-to-mean.png")
            .Table(["algorithm", "A-1 requests per server", "A-1 peak-to-mean", .. runs[0].A2.Select(p => $"A-2 peak-to-mean N={p.N}")],
                runs.Select(r => (IReadOnlyList<string>)[r.Algorithm, string.Join(" / ", r.A1.Servers.Select(s => s.Count)),
                    MarkdownReport.Number(r.A1.PeakToMean, "0.000"), .. r.A2.Select(p => MarkdownReport.Number(p.PeakToMean, "0.000"))]));
        foreach (var run in runs) context.Report.Image($"A-4 live {run.Algorithm} A-1", $"a4-live-{run.Algorithm.ToLowerInvariant()}-a1.png");
    }
}

internal sealed record OfflinePoint(string Algorithm, int N, IReadOnlyList<ServerCount> Servers, double PeakToMean, double MovedFraction, double MovedOverOptimum);

internal sealed record LiveRun(string Algorithm, LoadSummary A1, IReadOnlyList<ScalingPoint> A2);
