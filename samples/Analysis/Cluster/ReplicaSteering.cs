namespace Ringway.Samples.Analysis.Cluster;

/// <summary>Brings the balancer to a replica count with /add and /rm and waits until every replica answers.</summary>
internal static class ReplicaSteering
{
    public static async Task<IReadOnlyList<string>> SetCountAsync(BalancerClient client, int count, TimeSpan readyTimeout, CancellationToken cancellationToken = default)
    {
        var replicas = await client.GetReplicasAsync(cancellationToken).ConfigureAwait(false);
        ApiReply? reply = null;
        if (replicas.Count < count) reply = await client.AddAsync(count - replicas.Count, null, cancellationToken).ConfigureAwait(false);
        else if (replicas.Count > count) reply = await client.RemoveAsync(replicas.Count - count, null, cancellationToken).ConfigureAwait(false);
        if (reply is not null && reply.Status != System.Net.HttpStatusCode.OK)
        {
            throw new BalancerException($"Could not set {count} replicas: {(int)reply.Status} {reply.Body}");
        }
        return await WaitUntilServingAsync(client, count, exclude: null, readyTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until /rep lists <paramref name="count"/> replicas (none of them <paramref name="exclude"/>) and each of them
    /// has answered a routed /home request. Returns the replicas; throws TimeoutException when that does not happen in time.
    /// </summary>
    public static async Task<IReadOnlyList<string>> WaitUntilServingAsync(
        BalancerClient client, int count, string? exclude, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var answered = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            IReadOnlyList<string> replicas = [];
            try
            {
                replicas = await client.GetReplicasAsync(cancellationToken).ConfigureAwait(false);
                if (replicas.Count == count && (exclude is null || !replicas.Contains(exclude)))
                {
                    // A burst of routed requests: random keys reach every replica that is in the ring.
                    var burst = await LoadRunner.RunAsync(client, 20 * count, 8 * count, null, cancellationToken).ConfigureAwait(false);
                    answered.UnionWith(burst.Counts.Keys);
                    if (burst.Failed == 0 && replicas.All(answered.Contains)) return replicas;
                }
            }
            catch (HttpRequestException)
            {
                // the balancer itself is briefly busy: try again
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{count} serving replicas were not seen within {timeout.TotalSeconds:0.#} s (last /rep: {string.Join(", ", replicas)}).");
            }
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }
    }
}
