namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>A running replica the balancer can route to.</summary>
/// <param name="Hostname">The name users see in <c>/rep</c> and pass to <c>/add</c> and <c>/rm</c>; unique among replicas.</param>
/// <param name="Address">The base address requests are forwarded to, for example <c>http://127.0.0.1:5123/</c>.</param>
/// <param name="ProviderId">The provider's own id for it (a process id, a container id...), used to stop it.</param>
public sealed record Replica(string Hostname, Uri Address, string ProviderId)
{
    /// <summary>
    /// Where the replica runs, when its provider knows and it matters: the Swarm provider sets the hostname of the node that
    /// runs the replica's task. Default null (one machine, or unknown). Not part of <c>/rep</c>, whose shape is fixed.
    /// </summary>
    public string? Location { get; init; }
}
