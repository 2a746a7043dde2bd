namespace Ringway.Replicas.Docker;

/// <summary>Options of the Swarm provider (<c>AddSwarmReplicas</c>): one single-task Swarm service per replica.</summary>
public sealed class SwarmReplicaOptions : ContainerReplicaOptions
{
    /// <summary>
    /// The attachable overlay network the replica services join; each is reachable there under its service name
    /// and its hostname (network alias). Default <c>ringway-overlay</c>.
    /// </summary>
    public string Network { get; set; } = "ringway-overlay";

    /// <summary>Create <see cref="Network"/> (an attachable overlay network) when it does not exist. Default true.</summary>
    public bool CreateNetwork { get; set; } = true;

    /// <summary>How long Swarm waits before restarting a failed task. Default 1 second (Swarm's own default is 5).</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Give each replica service a virtual IP (Swarm's <c>vip</c> endpoint mode, which needs IPVS on every node) instead of
    /// DNS round robin to its single task (<c>dnsrr</c>). Default false: with one task per service a virtual IP adds nothing.
    /// </summary>
    public bool UseVirtualIp { get; set; }

    /// <summary>
    /// The node attribute this balancer's replicas spread over, in Swarm's terms (<c>node.id</c>, <c>node.hostname</c>,
    /// <c>node.labels.KEY</c>...). Each new replica goes to a node that is ready, active and satisfies <see cref="Constraints"/>,
    /// in the group of nodes sharing a value of this attribute that runs the fewest of the balancer's replicas, on its node
    /// running the fewest; it is pinned there (a <c>node.id==</c> constraint), so Swarm restarts its task on that node and the
    /// replica's <c>Location</c> stays true. A replica whose node is lost fails its heartbeats and is replaced on another node.
    /// Default <c>node.id</c>: replicas spread over nodes. <c>node.labels.zone</c> spreads over zones first.
    /// Null or empty: no spreading and no pinning; Swarm places each replica (its scheduler then prefers the node with the
    /// fewest tasks of any service) and may move it to another node when its node fails.
    /// </summary>
    public string? SpreadOver { get; set; } = "node.id";

    /// <summary>
    /// Swarm placement constraints of every replica, <c>ATTRIBUTE==VALUE</c> or <c>ATTRIBUTE!=VALUE</c>, for example
    /// <c>node.role==worker</c> or <c>node.labels.ringway==true</c>. Default none.
    /// </summary>
    public IList<string> Constraints { get; } = new List<string>();

    /// <summary>
    /// How long a new replica's task may take until Swarm reports it running. When its node does not run it by then (the node
    /// is unreachable but not yet marked down), rejects it (the image is missing there) or cannot take it (a node that went
    /// down), the provider removes it and places the replica on the next node. Default 30 seconds.
    /// </summary>
    public TimeSpan TaskStartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Balancers sharing these replicas, of which one acts on membership at a time. Default: off (one balancer).</summary>
    public SwarmLeadershipOptions Leadership { get; } = new();

    /// <summary>The parsed <see cref="Constraints"/> (valid options only).</summary>
    internal List<NodeConstraint> ParsedConstraints() => [.. Constraints.Select(c => NodeConstraint.Parse(c, out _)!)];

    internal override IEnumerable<string> Validate()
    {
        foreach (var error in base.Validate())
        {
            yield return error;
        }
        if (string.IsNullOrWhiteSpace(Network))
        {
            yield return "Network is required.";
        }
        if (RestartDelay < TimeSpan.Zero)
        {
            yield return "RestartDelay must not be negative.";
        }
        if (!string.IsNullOrEmpty(SpreadOver) && !SwarmNode.IsAttribute(SpreadOver))
        {
            yield return $"SpreadOver must name a node attribute ({SwarmNode.KnownAttributes}), not \"{SpreadOver}\".";
        }
        foreach (var constraint in Constraints)
        {
            if (NodeConstraint.Parse(constraint ?? "", out var error) is null)
            {
                yield return error!;
            }
        }
        if (TaskStartTimeout <= TimeSpan.Zero)
        {
            yield return "TaskStartTimeout must be positive.";
        }
        if (Leadership.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            yield return "Leadership:LeaseDuration must be at least 1 second.";
        }
        if (Leadership.Name is { } name && !ResourceNames.IsValidLabelValue(name))
        {
            yield return $"Leadership:Name must be 1-63 letters, digits, '-', '_' or '.', not \"{name}\".";
        }
    }
}
