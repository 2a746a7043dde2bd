using Ringway.LoadBalancing.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace Ringway.Yarp.Replicas;

/// <summary>
/// Gives the replica cluster its destinations each time YARP applies its configuration: one per replica that receives
/// requests now, with the replica's hostname as destination id and its address. The rest of the cluster (policy,
/// metadata, health checks, HTTP client) stays as configured. <see cref="ReplicaChangeSignal"/> makes YARP apply again
/// when the replicas change.
/// </summary>
internal sealed class ReplicaDestinationsFilter(ReplicaCluster replicaCluster, IReplicaSet replicas) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        if (!replicaCluster.Is(cluster.ClusterId))
        {
            return new(cluster);
        }

        // Configured destinations beside the replicas would be routed to without supervision, under ids that could
        // collide with replica names: refused, and YARP keeps its last good configuration.
        if (cluster.Destinations is { Count: > 0 })
        {
            throw new InvalidOperationException(
                $"Cluster '{cluster.ClusterId}' takes its destinations from Ringway's replicas (AddRingwayReplicas): remove its 'Destinations' from the configuration.");
        }

        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (var replica in replicas.RoutableReplicas)
        {
            destinations[replica.Hostname] = new DestinationConfig { Address = replica.Address.ToString() };
        }

        return new(cluster with { Destinations = destinations });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) => new(route);
}
