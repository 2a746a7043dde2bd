namespace Ringway.ConsistentHashing;

/// <summary>
/// How widely a hot key is spread, and over which node: the rules behind <see cref="LoadAwarePlacement"/>'s hot keys.
/// </summary>
internal static class HotKeySpreading
{
    /// <summary>The most nodes one key can be spread over (the candidates live on the stack).</summary>
    public const int MaxReplicasLimit = 64;

    /// <summary>
    /// k, the number of nodes a key with share <paramref name="share"/> needs: if every node carries the average
    /// of the other keys, <c>(1 - share) / n</c>, then k nodes have room for <c>k x (factor - 1 + share) / n</c>
    /// more, so <c>k = ceil(share x n / (factor - 1 + share))</c>, at least 1, at most
    /// <paramref name="maxReplicas"/> and n. A key with a share up to <c>(factor - 1) / (n - 1)</c> gets k = 1.
    /// </summary>
    public static int ReplicasFor(double share, int nodes, double factor, int maxReplicas)
    {
        if (!(share > 0) || nodes <= 1)
        {
            return 1;
        }

        double needed = Math.Ceiling(share * nodes / (factor - 1 + share));
        return (int)Math.Clamp(needed, 1, Math.Min(maxReplicas, nodes));
    }

    /// <summary>
    /// The node among <paramref name="candidates"/> (the key's first k) that takes it: the first candidate while it
    /// stays within the bound with this request, otherwise the least loaded (per unit of weight; earlier wins ties).
    /// Keeping the first candidate while it has room moves only the traffic the bound requires.
    /// </summary>
    public static int Choose<TNode>(ReadOnlySpan<int> candidates, LoadBound<TNode> bound, double factor)
    {
        int first = candidates[0];
        if (bound.Loads[first] + 1 <= bound.Allowance(first, factor))
        {
            return first;
        }

        int best = first;
        double bestLoad = bound.Relative(first);
        for (int i = 1; i < candidates.Length; i++)
        {
            double load = bound.Relative(candidates[i]);
            if (load < bestLoad)
            {
                best = candidates[i];
                bestLoad = load;
            }
        }

        return best;
    }
}
