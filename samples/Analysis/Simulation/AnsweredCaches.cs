using Ringway.Samples.Analysis.Cluster;

namespace Ringway.Samples.Analysis.Simulation;

/// <summary>
/// A per-replica LRU cache modelled from live answers: request i touches its key in the cache of the replica that
/// answered it (the replicas themselves cache nothing). Requests and misses are counted per second of the send time.
/// </summary>
internal static class AnsweredCaches
{
    /// <summary>
    /// Answered requests and misses per second for <paramref name="seconds"/> seconds from <paramref name="fromSecond"/>
    /// (on the send-time clock). <paramref name="stream"/> holds each request's key index; failed requests touch no cache.
    /// </summary>
    public static CacheSeconds PerSecond(int[] stream, KeyedAnswers answers, int keyCount, int cacheSize, double fromSecond, int seconds)
    {
        var caches = new Dictionary<string, LruCache>(StringComparer.Ordinal);
        var requests = new long[seconds];
        var misses = new long[seconds];
        for (var i = 0; i < stream.Length; i++)
        {
            if (answers.Replicas[i] is not { } replica) continue;
            if (!caches.TryGetValue(replica, out var cache)) caches[replica] = cache = new LruCache(cacheSize, keyCount);
            var hit = cache.Touch(stream[i]);
            var second = (int)Math.Floor(answers.SentAt[i] - fromSecond);
            if (second < 0 || second >= seconds) continue;
            requests[second]++;
            if (!hit) misses[second]++;
        }
        return new CacheSeconds(requests, misses);
    }
}

/// <summary>Answered requests and cache misses per second.</summary>
internal sealed record CacheSeconds(long[] Requests, long[] Misses)
{
    /// <summary>The share of second i's requests that missed (0 in a second without requests).</summary>
    public double MissRatio(int second) => Requests[second] == 0 ? 0 : (double)Misses[second] / Requests[second];
}
