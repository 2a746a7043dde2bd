using Ringway.Samples.Analysis.Cluster;

namespace Ringway.Samples.Analysis.Simulation;

/// <summary>
/// A per-replica LRU cache modelled from live answers: request i touches its key in the cache of the replica that
/// answered it (the replicas themselves cache nothing). Misses are counted per second of the send time.
/// </summary>
internal static class AnsweredCaches
{
    /// <summary>
    /// Misses per second for <paramref name="seconds"/> seconds from <paramref name="fromSecond"/> (on the send-time clock).
    /// <paramref name="stream"/> holds each request's key index; failed requests touch no cache.
    /// </summary>
    public static long[] MissesPerSecond(int[] stream, KeyedAnswers answers, int keyCount, int cacheSize, double fromSecond, int seconds)
    {
        var caches = new Dictionary<string, LruCache>(StringComparer.Ordinal);
        var misses = new long[seconds];
        for (var i = 0; i < stream.Length; i++)
        {
            if (answers.Replicas[i] is not { } replica) continue;
            if (!caches.TryGetValue(replica, out var cache)) caches[replica] = cache = new LruCache(cacheSize, keyCount);
            if (cache.Touch(stream[i])) continue;
            var second = (int)Math.Floor(answers.SentAt[i] - fromSecond);
            if (second >= 0 && second < seconds) misses[second]++;
        }
        return misses;
    }
}
