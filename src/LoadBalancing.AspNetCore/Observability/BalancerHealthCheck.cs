using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Observability;

/// <summary>Healthy while at least one replica receives requests; registered as <c>ringway-balancer</c>.</summary>
internal sealed class BalancerHealthCheck(ReplicaTable table) : IHealthCheck
{
    public const string Name = "ringway-balancer";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var count = table.Current.Count;
        return Task.FromResult(count > 0
            ? HealthCheckResult.Healthy($"{count} replica(s) in the ring")
            : HealthCheckResult.Unhealthy("No replica is available"));
    }
}
