using System.Diagnostics;
using System.Globalization;
using Ringway.ConsistentHashing;
using Ringway.Samples.Analysis.Cluster;
using Ringway.Samples.Analysis.Simulation;
using Spectre.Console;

namespace Ringway.Samples.Analysis.Analyses;

/// <summary>
/// A-5 live: the sample host started with the load-aware options set through configuration, driven with Zipf keys.
/// (b) one balancer per scheme (plain hashing, bounded loads, hot-key spreading), counting which replica answers each
/// request; (a) a replica added during a paced run, at once or warming up, with a per-replica LRU cache modelled from
/// the answering replica. Part (c), three balancers sharing reported load, is offline only.
/// </summary>
internal static class A5Live
{
    /// <summary>The schemes of part (b) and the options each balancer is started with.</summary>
    public static IReadOnlyList<(string Scheme, string Options)> Schemes(A5LiveSettings s) =>
    [
        ("plain hashing", ""),
        ($"bounded loads (c = {Factor(s)})", $"--Balancer:Hashing:BoundedLoadFactor={Factor(s)} --Balancer:Hashing:ReportedLoad:Enabled=true"),
        ("hot-key spreading", $"--Balancer:Hashing:HotKeys:Enabled=true --Balancer:Hashing:HotKeys:LoadFactor={Factor(s)} --Balancer:Hashing:ReportedLoad:Enabled=true"),
    ];

    public static async Task<A5LiveResult> RunAsync(AnalysisContext context, A5LiveSettings settings, CancellationToken cancellationToken)
    {
        var keys = new ZipfKeys(settings.Keys, settings.Exponent, settings.Seed);
        var stream = HotKeySimulation.Stream(keys, settings.Requests);
        var schemes = new List<LiveSchemeRow>();
        foreach (var (scheme, options) in Schemes(settings))
        {
            context.Ui.MarkupLineInterpolated($"[bold]A-5 live (b):[/] {scheme}, {settings.Requests} requests with Zipf keys");
            schemes.Add(await SchemeAsync(context.Options.BalancerCommand!, settings, scheme, options, keys, stream, cancellationToken).ConfigureAwait(false));
        }

        var joinKeys = new ZipfKeys(settings.JoinKeys, settings.Exponent, settings.Seed);
        var joinStream = HotKeySimulation.Stream(joinKeys, (int)(settings.JoinPerSecond * (settings.SecondsBeforeJoin + settings.SecondsAfterJoin)));
        var joins = new List<LiveJoinRun>();
        foreach (var warmUp in new[] { 0, settings.WarmUpSeconds })
        {
            context.Ui.MarkupLineInterpolated($"[bold]A-5 live (a):[/] a replica joins {(warmUp == 0 ? "at once" : $"with a {warmUp} s warm-up")}");
            joins.Add(await JoinAsync(context.Options.BalancerCommand!, settings, warmUp, joinKeys, joinStream, cancellationToken).ConfigureAwait(false));
        }
        return new A5LiveResult(settings, schemes, joins);
    }

    /// <summary>Starts the sample host with <paramref name="options"/>, sends the stream and tallies where each measured request went.</summary>
    public static async Task<LiveSchemeRow> SchemeAsync(
        string balancerCommand, A5LiveSettings s, string scheme, string options, ZipfKeys keys, int[] stream, CancellationToken cancellationToken)
    {
        await using var balancer = await StartAsync(balancerCommand, s.Replicas, options, cancellationToken).ConfigureAwait(false);
        using var client = new BalancerClient(balancer.Url, s.Concurrency);
        var replicas = await ReplicaSteering.WaitUntilServingAsync(client, s.Replicas, null, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        var answers = await KeyedLoad.RunAsync(client, stream.Select(k => keys.Names[k]).ToArray(), s.Concurrency, null, Stopwatch.GetTimestamp(), cancellationToken).ConfigureAwait(false);

        // The primary of a key is where plain hashing puts it: the library with the balancer's replica ids (their hostnames).
        var hash = ConsistentHash.Create(ConsistentHashAlgorithm.Rendezvous, replicas.Select(r => new HashNode<string>(r, r)));
        var index = Enumerable.Range(0, hash.Count).ToDictionary(i => hash.Nodes[i].Value, StringComparer.Ordinal);
        var tally = new Tally(hash, keys);
        var hottest = new HashSet<string>(StringComparer.Ordinal);
        for (var i = s.WarmUpRequests; i < stream.Length; i++) // the first requests fill the hot-key sketch
        {
            if (answers.Replicas[i] is not { } replica) continue;
            tally.Count(stream[i], index.TryGetValue(replica, out var n) ? n : throw new BalancerException($"An answer came from '{replica}', which /rep did not list."));
            if (stream[i] == 0) hottest.Add(replica);
        }
        var result = tally.Result(scheme, HotKeySimulation.PeakToMean(tally.Counts));
        return new LiveSchemeRow(scheme, hash.Nodes.Select(n => n.Value).ToList(), result.Counts, answers.Failed, result.PeakToMean,
            result.ServedByPrimary, result.KeysOnPrimaryOnly, result.KeysThatLeftPrimary, hottest.Count, hash.GetNode(keys.Names[0]));
    }

    /// <summary>A paced run during which one replica is added (/add), at once or warming up over the window.</summary>
    public static async Task<LiveJoinRun> JoinAsync(
        string balancerCommand, A5LiveSettings s, int warmUpSeconds, ZipfKeys keys, int[] stream, CancellationToken cancellationToken)
    {
        var options = warmUpSeconds > 0 ? $"--Balancer:Hashing:WarmUp={TimeSpan.FromSeconds(warmUpSeconds).ToString("c", CultureInfo.InvariantCulture)}" : "";
        await using var balancer = await StartAsync(balancerCommand, s.Replicas, options, cancellationToken).ConfigureAwait(false);
        using var client = new BalancerClient(balancer.Url, s.JoinConcurrency);
        using var admin = new BalancerClient(balancer.Url);
        var initial = await ReplicaSteering.WaitUntilServingAsync(client, s.Replicas, null, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);

        var started = Stopwatch.GetTimestamp();
        var load = KeyedLoad.RunAsync(client, stream.Select(k => keys.Names[k]).ToArray(), s.JoinConcurrency, s.JoinPerSecond, started, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(s.SecondsBeforeJoin), cancellationToken).ConfigureAwait(false);
        var addedAt = Stopwatch.GetElapsedTime(started).TotalSeconds;
        // Named, so both runs move the same keys (an /add without a name gets a random one).
        var reply = await admin.AddAsync(1, [$"Server {s.Replicas + 1}"], cancellationToken).ConfigureAwait(false);
        if (reply.Status != System.Net.HttpStatusCode.OK) throw new BalancerException($"POST /add answered {(int)reply.Status}: {reply.Body}");
        var answers = await load.ConfigureAwait(false);

        // Whole seconds counted back from the /add, so every request before it falls in one and second 0 starts at the /add;
        // the last, partial second is left out (a ratio over a few requests would be noise).
        var before = (int)Math.Ceiling(addedAt);
        var end = answers.SentAt.Max();
        var counts = AnsweredCaches.PerSecond(stream, answers, keys.Count, s.CacheSize, addedAt - before, before + (int)Math.Floor(end - addedAt));
        var first = Array.FindIndex(answers.Replicas, r => r is not null && !initial.Contains(r));
        var lastSeconds = Enumerable.Range(0, stream.Length).Where(i => answers.SentAt[i] >= end - 5 && answers.Replicas[i] is not null).ToList();
        var newcomerShare = first < 0 ? 0 : (double)lastSeconds.Count(i => answers.Replicas[i] == answers.Replicas[first]) / lastSeconds.Count;
        return new LiveJoinRun(warmUpSeconds, before, counts, answers.Failed, first < 0 ? null : answers.SentAt[first] - addedAt, newcomerShare);
    }

    /// <summary>The sample host with <paramref name="replicas"/> local replicas, room for one more, Rendezvous and <paramref name="options"/>.</summary>
    private static Task<BalancerProcess> StartAsync(string balancerCommand, int replicas, string options, CancellationToken cancellationToken)
        => BalancerProcess.StartAsync($"{balancerCommand} --Balancer:Replicas:Count={replicas} {options}".TrimEnd(), "Rendezvous", replicas + 1, cancellationToken);

    private static string Factor(A5LiveSettings s) => s.LoadFactor.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What A-5 live runs; the defaults are the report's (about two to three minutes on two cores).</summary>
internal sealed record A5LiveSettings
{
    public int Replicas { get; init; } = 5;
    public double Exponent { get; init; } = 1.1;
    public int Seed { get; init; } = 2024;

    /// <summary>(b): distinct keys, requests, the first requests not measured (they fill the hot-key sketch), requests in flight.</summary>
    public int Keys { get; init; } = 10_000;
    public int Requests { get; init; } = 18_000;
    public int WarmUpRequests { get; init; } = 3_000;
    public int Concurrency { get; init; } = 32;
    public double LoadFactor { get; init; } = 1.15;

    /// <summary>(a): distinct keys, each replica's cache (its share of the keys), the paced rate, and the timeline around the /add.</summary>
    public int JoinKeys { get; init; } = 1_000;
    public int CacheSize { get; init; } = 200;
    public double JoinPerSecond { get; init; } = 800;
    public int JoinConcurrency { get; init; } = 32;
    public int SecondsBeforeJoin { get; init; } = 15;
    public int SecondsAfterJoin { get; init; } = 30;
    public int WarmUpSeconds { get; init; } = 20;
}

internal sealed record A5LiveResult(A5LiveSettings Settings, IReadOnlyList<LiveSchemeRow> Schemes, IReadOnlyList<LiveJoinRun> Joins);

/// <summary>Where one scheme's measured requests went (counts in the order of <see cref="Replicas"/>), against each key's primary.</summary>
internal sealed record LiveSchemeRow(
    string Scheme, IReadOnlyList<string> Replicas, IReadOnlyList<long> Counts, int Failed, double PeakToMean, double ServedByPrimary,
    double KeysOnPrimaryOnly, int KeysThatLeftPrimary, int HottestKeyReplicas, string HottestKeyPrimary);

/// <summary>
/// One join run: requests and misses per second of the modelled caches from <see cref="SecondsBeforeJoin"/> before the
/// /add; when the newcomer first answered (seconds after the /add) and its share of the last five seconds.
/// </summary>
internal sealed record LiveJoinRun(int WarmUpSeconds, int SecondsBeforeJoin, CacheSeconds Counts, int Failed, double? FirstAnswerAfter, double NewcomerShare)
{
    public int Seconds => Counts.Misses.Length;

    /// <summary>The miss ratio of the last five seconds before the /add.</summary>
    public double MissRatioBefore
        => (double)Counts.Misses[Math.Max(0, SecondsBeforeJoin - 5)..SecondsBeforeJoin].Sum() / Math.Max(1, Counts.Requests[Math.Max(0, SecondsBeforeJoin - 5)..SecondsBeforeJoin].Sum());

    /// <summary>The highest miss ratio of a second from the /add on.</summary>
    public double PeakMissRatioAfter => Enumerable.Range(SecondsBeforeJoin, Seconds - SecondsBeforeJoin).Max(Counts.MissRatio);

    public long PeakMissesAfter => Counts.Misses[SecondsBeforeJoin..].Max();

    public long TotalMissesAfter => Counts.Misses[SecondsBeforeJoin..].Sum();

    public long RequestsAfter => Counts.Requests[SecondsBeforeJoin..].Sum();
}
