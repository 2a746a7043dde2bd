namespace Ringway.Replicas.Docker;

/// <summary>Settings shared by the container provider (<see cref="DockerReplicaOptions"/>) and the Swarm provider (<see cref="SwarmReplicaOptions"/>).</summary>
public abstract class ContainerReplicaOptions
{
    /// <summary>
    /// The image every replica runs, for example <c>ringway/sample-server</c>. Required; replicas added through
    /// <c>/add</c> always use this image (a request cannot name one). The image must be present on the engine
    /// (or, for Swarm, on every node): the providers never pull.
    /// </summary>
    public string Image { get; set; } = "";

    /// <summary>The port the replica listens on inside its container. Default 5000 (the sample server's port).</summary>
    public int ContainerPort { get; set; } = 5000;

    /// <summary>
    /// Environment variables given to every replica. <c>SERVER_ID</c> is always set to the replica's hostname
    /// and cannot be overridden here. Default: none.
    /// </summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Memory limit per replica in bytes; null (the default) sets none.</summary>
    public long? MemoryLimitBytes { get; set; }

    /// <summary>CPU limit per replica in cores, for example 0.5; null (the default) sets none.</summary>
    public double? CpuLimit { get; set; }

    /// <summary>
    /// The Docker engine to talk to, for example <c>unix:///var/run/docker.sock</c> or <c>tcp://socket-proxy:2375</c>.
    /// Default null: <c>DOCKER_HOST</c> when set, else the current Docker context, else the local socket.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// Names this balancer in the <c>io.ringway.instance</c> label of everything it creates. Balancers that share
    /// an engine need different names; a balancer restarted with the same name adopts its replicas. Default <c>default</c>.
    /// </summary>
    public string InstanceName { get; set; } = "default";

    /// <summary>
    /// What happens to this balancer's replicas when it stops. Default <see cref="ReplicaShutdownBehavior.Remove"/>:
    /// stopping the balancer leaves nothing behind. <see cref="ReplicaShutdownBehavior.Keep"/> leaves them running so
    /// that the next balancer with the same <see cref="InstanceName"/> adopts them.
    /// </summary>
    public ReplicaShutdownBehavior OnShutdown { get; set; } = ReplicaShutdownBehavior.Remove;

    /// <summary>
    /// Reach replicas through ports published on the host's loopback interface (<c>http://127.0.0.1:&lt;port&gt;/</c>)
    /// instead of their address on the network. Use it when the balancer runs outside Docker (on the host, in tests).
    /// Default false: the balancer runs on the replicas' network and forwards to their IP addresses there (containers;
    /// on Linux the Docker host reaches a bridge network's addresses too) or to their service names (Swarm). With Swarm,
    /// the port is published in host mode on the node that runs the task, so this suits a one-node swarm (development, tests).
    /// </summary>
    public bool UsePublishedPorts { get; set; }

    /// <summary>How long a replica gets to stop gracefully before it is killed. Default 5 seconds.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time limit for one engine request (create, start, list...). Default 30 seconds.</summary>
    public TimeSpan EngineTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait between attempts to reconnect to the engine's event stream (the wait doubles from 250 ms up to this). Default 10 seconds.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    internal virtual IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Image))
        {
            yield return "Image is required (for example \"ringway/sample-server\").";
        }
        if (ContainerPort is < 1 or > 65535)
        {
            yield return $"ContainerPort must be 1-65535, not {ContainerPort}.";
        }
        if (!ResourceNames.IsValidLabelValue(InstanceName))
        {
            yield return $"InstanceName must be 1-63 letters, digits, '-', '_' or '.', not \"{InstanceName}\".";
        }
        if (MemoryLimitBytes is <= 0)
        {
            yield return "MemoryLimitBytes must be positive.";
        }
        if (CpuLimit is <= 0)
        {
            yield return "CpuLimit must be positive.";
        }
        if (StopTimeout < TimeSpan.Zero || EngineTimeout <= TimeSpan.Zero || MaxReconnectDelay <= TimeSpan.Zero)
        {
            yield return "StopTimeout, EngineTimeout and MaxReconnectDelay must be positive.";
        }
    }
}

/// <summary>What a Docker provider does with its replicas when the balancer stops.</summary>
public enum ReplicaShutdownBehavior
{
    /// <summary>Stop and remove every replica this balancer instance created or adopted.</summary>
    Remove,

    /// <summary>Leave the replicas running; a balancer restarted with the same instance name adopts them.</summary>
    Keep,
}
