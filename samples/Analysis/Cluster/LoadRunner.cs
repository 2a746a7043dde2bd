namespace Ringway.Samples.Analysis.Cluster;

/// <summary>Sends many concurrent GET /home requests and counts which server answered each.</summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(
        BalancerClient client, int requests, int concurrency, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long failed = 0, done = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, requests),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken },
            async (_, ct) =>
            {
                string? server;
                try
                {
                    server = await client.GetHomeServerAsync(ct).ConfigureAwait(false);
                }
                catch (HttpRequestException)
                {
                    server = null;
                }
                if (server is null)
                {
                    Interlocked.Increment(ref failed);
                }
                else
                {
                    lock (counts) counts[server] = counts.GetValueOrDefault(server) + 1;
                }
                var n = Interlocked.Increment(ref done);
                if (n % 100 == 0 || n == requests) progress?.Report((int)n);
            }).ConfigureAwait(false);
        return new LoadResult(counts, failed, started.Elapsed);
    }
}

/// <summary>Requests per answering server, requests that failed, and how long the run took.</summary>
internal sealed record LoadResult(IReadOnlyDictionary<string, long> Counts, long Failed, TimeSpan Elapsed)
{
    public long Succeeded => Counts.Values.Sum();
}
