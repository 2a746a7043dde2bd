using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.Benchmarks;

/// <summary>
/// What the routing benchmarks route over: a <see cref="ReplicaTable"/> of replicas named as the sample host names them
/// (server-1, server-2... at 127.0.0.1:5001...), and 1,024 different keys per invocation, so cache effects are included.
/// </summary>
internal static class RoutingSetup
{
    public const int KeyCount = 1024;

    /// <summary>The keys every invocation routes (seeded: every run measures the same ones).</summary>
    public static string[] Keys() => RandomKeys.Create(KeyCount);

    /// <summary>
    /// A table of <paramref name="count"/> replicas, in the ring at their full share from the start except the last when
    /// <paramref name="lastWarmingUp"/> (it joins now and ramps up over Hashing:WarmUp).
    /// </summary>
    public static ReplicaTable Table(ConsistentHashBalancerOptions options, int count, TimeProvider? time = null, bool lastWarmingUp = false)
    {
        var table = new ReplicaTable(Options.Create(options), time);
        for (var i = 1; i <= count; i++)
        {
            table.Join(new ReplicaState(new Replica($"server-{i}", new Uri($"http://127.0.0.1:{5000 + i}/"), $"{i}")), warmUp: lastWarmingUp && i == count);
        }

        return table;
    }
}
