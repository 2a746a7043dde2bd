namespace Ringway.Yarp.Replicas;

/// <summary>The YARP cluster whose destinations are the balancer's replicas (<c>AddRingwayReplicas</c>); one per application.</summary>
internal sealed record ReplicaCluster(string ClusterId)
{
    public bool Is(string clusterId) => string.Equals(ClusterId, clusterId, StringComparison.OrdinalIgnoreCase);
}
