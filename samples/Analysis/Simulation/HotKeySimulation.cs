using Ringway.ConsistentHashing;

namespace Ringway.Samples.Analysis.Simulation;

/// <summary>
/// A-5 (b): per-replica load under Zipf-distributed keys, replayed through <see cref="LoadAwarePlacement"/> with the
/// same seeded stream for every scheme. The load a balancer sees is requests in flight (<see cref="InFlightWindow"/>).
/// </summary>
internal static class HotKeySimulation
{
    /// <summary>Replays the stream with one set of rules and counts where each request went.</summary>
    public static SchemeResult Run(string scheme, HotKeySettings settings, ZipfKeys keys, int[] stream, LoadAwareOptions options)
    {
        var hash = Replicas(settings);
        var placement = new LoadAwarePlacement(options);
        var window = new InFlightWindow(settings.Replicas, settings.InFlight);
        var tally = new Tally(hash, keys);
        for (var i = 0; i < stream.Length; i++)
        {
            window.Finish();
            var replica = placement.GetNodeIndex(hash, keys.Names[stream[i]], window.Loads, settings.TimeOf(i));
            window.Send(replica);
            if (i >= settings.WarmUpRequests) tally.Count(stream[i], replica); // the sketch and the window fill first
        }

        return tally.Result(scheme, PeakToMean(tally.Counts), placement.HotKeys?.TopKeys().Take(8).Select(k => new HotKeyShare(k.Key, k.Share)).ToList());
    }

    /// <summary>The replicas, named replica-1 to replica-N.</summary>
    public static IConsistentHash<string> Replicas(HotKeySettings settings)
        => ConsistentHash.Create(settings.Algorithm, Enumerable.Range(1, settings.Replicas).Select(i => new HashNode<string>($"replica-{i}", $"replica-{i}")));

    /// <summary>
    /// The least traffic any scheme must move off its primaries to bring every replica to <paramref name="bound"/> x
    /// the mean, if requests could be split freely: pour each replica's excess into the others (water-filling), so
    /// exactly the sum of the excesses moves. A fraction of all requests.
    /// </summary>
    public static double WaterFillingMinimum(IReadOnlyList<long> plainCounts, double bound)
    {
        var total = plainCounts.Sum();
        var cap = bound * total / plainCounts.Count;
        return plainCounts.Sum(c => Math.Max(0, c - cap)) / total;
    }

    public static double PeakToMean(IReadOnlyList<long> counts) => counts.Max() / counts.Average();

    /// <summary>The seeded request stream: key indexes drawn from the Zipf distribution.</summary>
    public static int[] Stream(ZipfKeys keys, int requests)
    {
        var stream = new int[requests];
        for (var i = 0; i < stream.Length; i++) stream[i] = keys.Next();
        return stream;
    }
}

/// <summary>The simulated system of A-5 (b) and (c).</summary>
internal sealed record HotKeySettings
{
    public int Keys { get; init; } = 100_000;
    public double Exponent { get; init; } = 1.1;
    public int Replicas { get; init; } = 10;
    public int Requests { get; init; } = 1_100_000;
    public int WarmUpRequests { get; init; } = 100_000;
    public int InFlight { get; init; } = 1_000;
    public double RequestsPerSecond { get; init; } = 10_000;
    public double Bound { get; init; } = 1.15;
    public int Seed { get; init; } = 2024;
    public ConsistentHashAlgorithm Algorithm { get; init; } = ConsistentHashAlgorithm.Rendezvous;

    /// <summary>The time request i arrives.</summary>
    public DateTimeOffset TimeOf(int request) => DateTimeOffset.UnixEpoch.AddTicks((long)(request * TimeSpan.TicksPerSecond / RequestsPerSecond));
}

/// <summary>Where one scheme sent the measured requests.</summary>
internal sealed record SchemeResult(
    string Scheme, IReadOnlyList<long> Counts, IReadOnlyList<long> Shed, double PeakToMean, double ServedByPrimary, double KeysOnPrimaryOnly,
    int KeysThatLeftPrimary, IReadOnlyList<HotKeyShare>? HotKeys)
{
    public double Moved => 1 - ServedByPrimary;
}

internal sealed record HotKeyShare(string Key, double Share);
