using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ringway.Yarp.LoadBalancing;

/// <summary>
/// One of Ringway's YARP policies (<see cref="ConsistentHashPolicies"/>): the cluster's hash picks the destination. The
/// four differ only in their names; the cluster's configuration names the algorithm its hash is built with.
/// </summary>
internal sealed class ConsistentHashLoadBalancingPolicy(string name, ClusterHashes hashes) : ILoadBalancingPolicy
{
    public string Name => name;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count == 0)
        {
            return null;
        }

        // No hash only for a request that started before a reload (its list of destinations, or its policy, is gone).
        return hashes.Get(cluster) is { } hash
            ? hash.Pick(context, availableDestinations, cluster)
            : availableDestinations[0];
    }
}
