using System.Diagnostics;

namespace Ringway.Samples.Analysis.Cluster;

/// <summary>
/// Sends GET /home once per key of a stream, in the stream's order, with the key as the request's hash key, and
/// records which replica answered each request and when it was sent.
/// </summary>
internal static class KeyedLoad
{
    /// <summary>
    /// Sends the stream with at most <paramref name="concurrency"/> requests in flight and, when
    /// <paramref name="perSecond"/> is given, request i no earlier than i / perSecond seconds after
    /// <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp, which the send times are measured from too).
    /// </summary>
    public static async Task<KeyedAnswers> RunAsync(
        BalancerClient client, IReadOnlyList<string> keys, int concurrency, double? perSecond, long startedAt, CancellationToken cancellationToken)
    {
        var replicas = new string?[keys.Count];
        var sentAt = new double[keys.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, keys.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                if (perSecond is { } rate)
                {
                    var wait = TimeSpan.FromSeconds(i / rate) - Stopwatch.GetElapsedTime(startedAt);
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
                }
                sentAt[i] = Stopwatch.GetElapsedTime(startedAt).TotalSeconds;
                try
                {
                    replicas[i] = await client.GetHomeServerAsync(keys[i], ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
                {
                    replicas[i] = null; // failed or timed out: counted as failed
                }
            }).ConfigureAwait(false);
        return new KeyedAnswers(replicas, sentAt);
    }
}

/// <summary>Per request of a stream: the replica that answered (null when it failed) and when it was sent, in seconds.</summary>
internal sealed record KeyedAnswers(string?[] Replicas, double[] SentAt)
{
    public int Failed => Replicas.Count(r => r is null);
}
