namespace Ringway.Replicas.Docker;

/// <summary>
/// Several balancers in front of the same Swarm replicas (<see cref="SwarmReplicaOptions.Leadership"/>): they share one
/// lease, a Swarm service without tasks named <c>ringway-lease-INSTANCE</c>, and only its holder acts on membership.
/// </summary>
public sealed class SwarmLeadershipOptions
{
    /// <summary>
    /// Share the replicas with other balancers of the same <see cref="ContainerReplicaOptions.InstanceName"/>. Default false:
    /// this balancer alone owns its replicas. When true, replicas are kept when a balancer stops (the others still use them),
    /// whatever <see cref="ContainerReplicaOptions.OnShutdown"/> says.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// This balancer's name in the lease and in errors, unique among the balancers. Default: the machine's name (a container's
    /// id) and a random suffix.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// How long the lease holds without renewal. The holder renews it every third of this and stops acting when a renewal is
    /// overdue by more than a third; another balancer takes it over once it saw no renewal for this long by its own clock.
    /// Default 6 seconds.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(6);
}
