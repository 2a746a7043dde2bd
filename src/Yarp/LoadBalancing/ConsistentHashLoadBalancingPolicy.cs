using Microsoft.AspNetCore.Http;
using Ringway.ConsistentHashing;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ringway.Yarp.LoadBalancing;

/// <summary>One of Ringway's YARP policies (<see cref="ConsistentHashPolicies"/>): the cluster's hash picks the destination.</summary>
internal sealed class ConsistentHashLoadBalancingPolicy(string name, ConsistentHashAlgorithm algorithm, ClusterHashes hashes) : ILoadBalancingPolicy
{
    public string Name => name;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count == 0)
        {
            return null;
        }

        // No hash only while the cluster has no destinations of its own (the request's list is from before a reload).
        return hashes.Get(cluster, algorithm) is { } hash
            ? hash.Pick(context, availableDestinations, cluster)
            : availableDestinations[0];
    }
}
