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
    }
}
