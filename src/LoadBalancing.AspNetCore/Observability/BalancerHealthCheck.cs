using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Observability;

/// <summary>
/// Healthy while at least one replica receives requests; registered as <c>ringway-balancer</c>. Its data: the ring's
/// size (<c>replicas</c>), membership epoch (<c>epoch</c>), the replicas still warming up (<c>warming</c>) and, with
/// hot-key spreading on, the hottest keys and their shares (<c>hot_keys</c>).
/// </summary>
internal sealed class BalancerHealthCheck(ReplicaTable table, ReplicaPicker picker, TimeProvider time) : IHealthCheck
{
    public const string Name = "ringway-balancer";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = table.Current;
        var count = snapshot.Count;
        var data = new Dictionary<string, object>
        {
            ["replicas"] = count,
            ["epoch"] = snapshot.EpochText,
            ["warming"] = Warming(snapshot, time.GetUtcNow()),
        };
        if (picker.HotKeys is { } hotKeys)
        {
            data["hot_keys"] = hotKeys.TopKeys().ToDictionary(k => k.Key, k => (object)Math.Round(k.Share, 4));
        }

        return Task.FromResult(count > 0
            ? HealthCheckResult.Healthy($"{count} replica(s) in the ring", data)
            : HealthCheckResult.Unhealthy("No replica is available", data: data));
    }

    /// <summary>The replicas still ramping up at <paramref name="now"/>, with the share of their keys they take.</summary>
    internal static string[] Warming(RoutingSnapshot snapshot, DateTimeOffset now)
        => snapshot.WarmUp is { } warmUp && warmUp.IsWarming(now)
            ? [.. warmUp.Warming.Where(i => warmUp.ShareOf(i, now) < 1).Select(i => snapshot.Replicas[i].Hostname)]
            : [];
}
