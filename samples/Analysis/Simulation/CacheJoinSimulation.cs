using Ringway.ConsistentHashing;

namespace Ringway.Samples.Analysis.Simulation;

/// <summary>
/// A-5 (a): cache misses over time when a replica joins. Every replica keeps an LRU cache; a request is a miss
/// when its replica does not hold the key. The same seeded stream is replayed three times: without a join (the
/// baseline), with an instant join, and with the newcomer warming up over a window. The join's cost is the misses
/// above the baseline.
/// </summary>
internal static class CacheJoinSimulation
{
    /// <summary>Replays the stream without a join, with an instant join and with a warm-up of each window.</summary>
    public static CacheJoinResult Run(CacheJoinSettings settings, ConsistentHashAlgorithm algorithm, IReadOnlyList<TimeSpan> windows)
    {
        var keys = new ZipfKeys(settings.Keys, settings.Exponent, settings.Seed);
        var stream = HotKeySimulation.Stream(keys, (int)((settings.SecondsBefore + settings.SecondsAfter) * settings.RequestsPerSecond));
        var before = ConsistentHash.Create(algorithm, Enumerable.Range(1, settings.Replicas).Select(i => new HashNode<int>($"replica-{i}", i - 1)));
        var after = before.Add(new HashNode<int>($"replica-{settings.Replicas + 1}", settings.Replicas));
        var joinedAt = DateTimeOffset.UnixEpoch.AddSeconds(settings.SecondsBefore);
        var joinTimes = after.Nodes.Select(n => n.Value == settings.Replicas ? joinedAt : DateTimeOffset.MinValue).ToArray();

        var baseline = Replay(settings, keys, stream, (key, _) => before.GetNode(key));
        var instant = Replay(settings, keys, stream, (key, now) => (now < joinedAt ? before : after).GetNode(key));
        var warmUps = new List<WarmUpRun>();
        foreach (var window in windows)
        {
            var schedule = new WarmUpSchedule<int>(after, window, joinTimes, joinedAt);
            var misses = Replay(settings, keys, stream, (key, now) => now < joinedAt ? before.GetNode(key) : after.Nodes[schedule.GetNodeIndex(key, now)].Value);

            // After the window every key is where the algorithm puts it.
            var misplaced = keys.Names.Count(k => after.Nodes[schedule.GetNodeIndex(k, joinedAt + window)].Value != after.GetNode(k));
            warmUps.Add(new WarmUpRun(window.TotalSeconds, misses, misplaced));
        }
        return new CacheJoinResult(algorithm.ToString(), settings.SecondsBefore, baseline, instant, warmUps);
    }

    /// <summary>Misses per second, from the first second to the last.</summary>
    private static long[] Replay(CacheJoinSettings settings, ZipfKeys keys, int[] stream, Func<string, DateTimeOffset, int> route)
    {
        var caches = Enumerable.Range(0, settings.Replicas + 1).Select(_ => new LruCache(settings.CacheSize, keys.Count)).ToArray();
        var seconds = (int)Math.Ceiling(stream.Length / settings.RequestsPerSecond);
        var misses = new long[seconds];
        for (var i = 0; i < stream.Length; i++)
        {
            var second = i / settings.RequestsPerSecond;
            var replica = route(keys.Names[stream[i]], DateTimeOffset.UnixEpoch.AddTicks((long)(second * TimeSpan.TicksPerSecond)));
            if (!caches[replica].Touch(stream[i])) misses[(int)second]++;
        }
        return misses;
    }
}

/// <summary>The simulated system of A-5 (a).</summary>
internal sealed record CacheJoinSettings
{
    public int Keys { get; init; } = 100_000;
    public double Exponent { get; init; } = 1.1;
    public int Replicas { get; init; } = 10;
    public int CacheSize { get; init; } = 10_000;
    public double RequestsPerSecond { get; init; } = 10_000;
    public int SecondsBefore { get; init; } = 300;
    public int SecondsAfter { get; init; } = 240;
    public int Seed { get; init; } = 2024;
}

/// <summary>Misses per second of the replays; second <see cref="JoinSecond"/> is the join.</summary>
internal sealed record CacheJoinResult(string Algorithm, int JoinSecond, long[] Baseline, long[] Instant, IReadOnlyList<WarmUpRun> WarmUps)
{
    /// <summary>The highest misses per second from the join on.</summary>
    public long Peak(long[] misses) => misses.Skip(JoinSecond).Max();

    /// <summary>The highest misses per second above the baseline from the join on.</summary>
    public long PeakExtra(long[] misses) => Extra(misses).Max();

    /// <summary>All misses above the baseline from the join to the end.</summary>
    public long TotalExtra(long[] misses) => Extra(misses).Sum();

    private IEnumerable<long> Extra(long[] misses) => misses.Skip(JoinSecond).Zip(Baseline.Skip(JoinSecond), (m, b) => m - b);
}

/// <summary>One warm-up replay: its window, misses per second, and keys not where the algorithm puts them once the window is over (0 expected).</summary>
internal sealed record WarmUpRun(double WindowSeconds, long[] Misses, int MisplacedAfterWindow);
