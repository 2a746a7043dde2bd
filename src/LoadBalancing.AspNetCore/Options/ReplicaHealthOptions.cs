namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// The heartbeat probes sent to every replica (configuration section <c>Health</c>): a replica joins the ring on its
/// first answer and leaves it after <see cref="FailureThreshold"/> failed probes in a row.
/// </summary>
public sealed class ReplicaHealthOptions
{
    /// <summary>The heartbeat path probed on every replica. Default <c>/heartbeat</c>.</summary>
    public string Path { get; set; } = "/heartbeat";

    /// <summary>How often every replica is probed. Default 1 second.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one probe may take. Default 2 seconds: a replica that is busy, not dead, must not be replaced (moving its
    /// keys) because two probes in a row waited in a long queue; a dead replica refuses at once and is found sooner.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive failed probes after which a replica leaves the ring and is replaced. Default 2.</summary>
    public int FailureThreshold { get; set; } = 2;
}
