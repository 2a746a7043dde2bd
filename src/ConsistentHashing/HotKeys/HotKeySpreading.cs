namespace Ringway.ConsistentHashing;

/// <summary>
/// How widely a hot key is spread, and over which node: the rules behind <see cref="LoadAwarePlacement"/>'s hot keys.
/// </summary>
internal static class HotKeySpreading
{
    /// <summary>The most nodes one key can be spread over (the candidates live on the stack).</summary>
    public const int MaxReplicasLimit = 64;

    /// <summary>
    /// k, the number of nodes a key with share <paramref name="share"/> is spread over. If every node carried the
    /// average of the other keys, <c>(1 - share) / n</c>, k nodes would have room for <c>k x (factor - 1 + share) / n</c>
    /// more, so <c>share x n / (factor - 1 + share)</c> nodes would do. Hash placement is uneven and a hot key's
    /// candidates carry hot keys of their own, so k counts on half that room:
    /// <c>k = ceil(2 x share x n / (factor - 1 + share))</c>, at least 1, at most <paramref name="maxReplicas"/> and n.
    /// A key with a share up to <c>(factor - 1) / (2n - 1)</c> gets k = 1 (0.79 % at n = 10 and factor 1.15).
    /// Without the factor 2, A-5 measured needless moves of 10 to 40 % beyond the minimum (cascades through candidates
    /// that are full); with it, 2 to 4 %.
    /// </summary>
    public static int ReplicasFor(double share, int nodes, double factor, int maxReplicas)
    {
        if (!(share > 0) || nodes <= 1)
        {
            return 1;
        }

        double needed = Math.Ceiling(2 * share * nodes / (factor - 1 + share));
        return (int)Math.Clamp(needed, 1, Math.Min(maxReplicas, nodes));
    }

    /// <summary>
    /// How fast a hot key's spill fraction follows its first node's load: per request, per unit of relative excess.
    /// Small enough to average out the noise of in-flight counts, large enough to settle within about a thousand of
    /// the key's requests.
    /// </summary>
    internal const double Gain = 0.003;

    /// <summary>
    /// The node that takes one request of a hot key whose first k candidates (<paramref name="candidates"/>, k &gt;= 2) share it.
    /// </summary>
    /// <remarks>
    /// The first candidate keeps what the bound allows and the rest goes to the least loaded of the other k - 1, so
    /// only the traffic the bound requires moves. With the key in the sketch's list (<paramref name="slot"/> &gt;= 0)
    /// the fraction to send away is learned: it grows while the first candidate is over its allowance and shrinks
    /// while it is under (integral control), so that candidate sits at the bound on average and the noise of
    /// instantaneous loads does not move requests needlessly; the <paramref name="count"/>-th request is sent away
    /// when <c>frac(count x 0.618...)</c> (an evenly spread sequence) is below that fraction. Otherwise a request is
    /// sent away when the first candidate is over its allowance.
    /// </remarks>
    public static int Choose<TNode>(ReadOnlySpan<int> candidates, LoadBound<TNode> bound, double factor, double[] spills, int slot, int count)
    {
        int first = candidates[0];
        double allowance = bound.Allowance(first, factor);
        double excess = (bound.Loads[first] + 1 - allowance) / allowance;
        bool away;
        if (slot >= 0)
        {
            double spill = Math.Clamp(spills[slot] + (Gain * excess), 0, 1);
            spills[slot] = spill;
            away = Fraction(count) < spill;
        }
        else
        {
            away = excess > 0;
        }

        if (!away)
        {
            return first;
        }

        int best = candidates[1];
        for (int i = 2; i < candidates.Length; i++)
        {
            if (bound.Relative(candidates[i]) < bound.Relative(best))
            {
                best = candidates[i];
            }
        }

        return best;
    }

    /// <summary>frac(count x golden ratio): consecutive counts spread evenly over [0, 1).</summary>
    private static double Fraction(int count) => (count * 0.6180339887498949) % 1.0;
}
