namespace Ringway.Replicas.Docker;

/// <summary>Options of the Docker container provider (<c>AddDockerReplicas</c>): one container per replica.</summary>
public sealed class DockerReplicaOptions : ContainerReplicaOptions
{
    /// <summary>
    /// The user-defined network replicas join; each replica is reachable there under its hostname (network alias)
    /// and its container name. Default <c>net1</c>.
    /// </summary>
    public string Network { get; set; } = "net1";

    /// <summary>Create <see cref="Network"/> (a bridge network) when it does not exist. Default true.</summary>
    public bool CreateNetwork { get; set; } = true;

    /// <summary>The host address published ports bind to when <see cref="ContainerReplicaOptions.UsePublishedPorts"/> is set. Default <c>127.0.0.1</c>.</summary>
    public string PublishedPortHostIp { get; set; } = "127.0.0.1";

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
    }
}
