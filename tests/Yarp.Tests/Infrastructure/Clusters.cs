using Yarp.ReverseProxy.Configuration;

namespace Ringway.Yarp.Tests.Infrastructure;

/// <summary>Cluster configurations as a user would write them, over real backends (destination id = backend id).</summary>
internal static class Clusters
{
    public static ClusterConfig Of(string policy, IEnumerable<Backend> backends, IReadOnlyDictionary<string, string>? metadata = null, bool activeHealthChecks = false)
        => new()
        {
            ClusterId = Gateway.ClusterId,
            LoadBalancingPolicy = policy,
            Destinations = backends.ToDictionary(b => b.Id, b => new DestinationConfig { Address = b.Address }),
            Metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string> { [ConsistentHashMetadata.KeySources] = "query:key" })
            {
                // YARP's own metadata passes through untouched: one failed probe marks a destination unhealthy.
                ["ConsecutiveFailuresHealthPolicy.Threshold"] = "1",
            },
            HealthCheck = activeHealthChecks
                ? new HealthCheckConfig
                {
                    Active = new ActiveHealthCheckConfig
                    {
                        Enabled = true,
                        Interval = TimeSpan.FromMilliseconds(250),
                        Timeout = TimeSpan.FromSeconds(5),
                        Policy = "ConsecutiveFailures",
                        Path = "/heartbeat",
                    },
                }
                : null,
        };

    public static IEnumerable<string> Keys(int count, string prefix = "user-") => Enumerable.Range(0, count).Select(i => $"{prefix}{i}");
}
