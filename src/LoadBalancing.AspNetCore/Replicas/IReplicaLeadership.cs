namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// Whether this balancer acts on membership, when several balancers share one set of replicas. Only the acting balancer
/// starts, replaces and stops replicas and carries out <c>/add</c>, <c>/rm</c> and autoscaling; the others follow what the
/// provider lists, keep probing, and answer <c>/add</c> and <c>/rm</c> with 409 naming the acting balancer. Without a
/// registered leadership the balancer acts alone (the default: one balancer per set of replicas).
/// </summary>
public interface IReplicaLeadership
{
    /// <summary>This balancer's name among those sharing the replicas.</summary>
    string Name { get; }

    /// <summary>Whether this balancer may act on membership now.</summary>
    bool IsLeader { get; }

    /// <summary>The name of the balancer acting on membership as last seen, or null when none is known.</summary>
    string? Leader { get; }
}
