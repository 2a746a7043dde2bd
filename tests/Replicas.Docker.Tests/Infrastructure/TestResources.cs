using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ringway.Replicas.Docker.Tests;

/// <summary>
/// One test's Docker resources: a unique balancer instance name and a private network. Everything the test or the
/// provider created is found by labels and removed on dispose.
/// </summary>
public sealed partial class TestResources : IAsyncDisposable
{
    public const string TestLabel = "io.ringway.test";

    public string Id { get; } = Guid.NewGuid().ToString("N")[..10];

    public string Instance => $"test-{Id}";

    public string Network => $"ringway-test-{Id}";

    public TestResources()
    {
        Cli.Run("network", "create", "--label", $"{TestLabel}={Id}", Network);
    }

    public DockerReplicaOptions Options(Action<DockerReplicaOptions>? configure = null)
    {
        var options = new DockerReplicaOptions();
        Apply(options);
        configure?.Invoke(options);
        return options;
    }

    /// <summary>This test's settings: the sample server image, the private network, published loopback ports.</summary>
    public void Apply(DockerReplicaOptions options)
    {
        options.Image = DockerEnvironment.ServerImage;
        options.Network = Network;
        options.CreateNetwork = false;
        options.InstanceName = Instance;
        options.UsePublishedPorts = true;
        options.StopTimeout = TimeSpan.FromSeconds(1);
    }

    internal DockerReplicaProvider Provider(Action<DockerReplicaOptions>? configure = null) =>
        new(Microsoft.Extensions.Options.Options.Create(Options(configure)), NullLogger<DockerReplicaProvider>.Instance);

    /// <summary>Ids of running containers with this test's balancer labels.</summary>
    public IReadOnlyList<string> RunningReplicaContainers() => Ids("ps", "-q", "--no-trunc", "--filter", $"label=io.ringway.instance={Instance}");

    /// <summary>Ids of all containers (any state) with this test's balancer labels.</summary>
    public IReadOnlyList<string> AllReplicaContainers() => Ids("ps", "-aq", "--no-trunc", "--filter", $"label=io.ringway.instance={Instance}");

    /// <summary>
    /// The sample host's arguments for this test's settings (those of <see cref="Apply"/>): the Docker provider as
    /// scripts/chaos.sh starts it for <c>--system docker</c> (the server image, published loopback ports), with this test's
    /// instance name and its network, created beforehand.
    /// </summary>
    public string[] SampleHostArguments() =>
    [
        "--Replicas:Provider=docker",
        $"--Replicas:Docker:Image={DockerEnvironment.ServerImage}",
        $"--Replicas:Docker:Network={Network}",
        "--Replicas:Docker:CreateNetwork=false",
        $"--Replicas:Docker:InstanceName={Instance}",
        "--Replicas:Docker:UsePublishedPorts=true",
        "--Replicas:Docker:StopTimeout=00:00:01",
    ];

    /// <summary>
    /// The running containers of this test's instance with their hostname label and the loopback address their port 5000
    /// is published on (null until the engine has published it), from one <c>docker ps</c>.
    /// </summary>
    public IReadOnlyList<ReplicaContainer> RunningReplicas() =>
        Cli.Run("ps", "--no-trunc", "--filter", $"label={ResourceNames.InstanceLabel}={Instance}",
                "--format", $"{{{{.ID}}}}\t{{{{.Label \"{ResourceNames.HostnameLabel}\"}}}}\t{{{{.Ports}}}}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t'))
            .Select(fields => new ReplicaContainer(fields[0], fields[1],
                PublishedPort().Match(fields.ElementAtOrDefault(2) ?? "") is { Success: true } port ? new Uri($"http://{port.Groups[1].Value}/") : null))
            .ToList();

    [GeneratedRegex(@"(\d+\.\d+\.\d+\.\d+:\d+)->5000/tcp")]
    private static partial Regex PublishedPort();

    /// <summary>
    /// The host's address on this test's bridge network (its gateway). A port published there is reached from the host
    /// through the kernel's NAT rules alone, without docker-proxy, so it keeps working while the engine is down (live-restore).
    /// </summary>
    public string Gateway() => Cli.Run("network", "inspect", "--format", "{{range .IPAM.Config}}{{.Gateway}}{{end}}", Network);

    /// <summary>A container's IPv4 address on this test's network, as the engine reports it.</summary>
    public string IpOnNetwork(string containerId) =>
        Cli.Run("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{Network}\").IPAddress}}}}", containerId).Trim();

    /// <summary>Starts a container that is not a replica (labelled only as this test's), running the sample server.</summary>
    public string RunUnlabelled(string name, params string[] extra)
    {
        var args = new List<string> { "run", "-d", "--name", name, "--label", $"{TestLabel}={Id}", "--network", Network };
        args.AddRange(extra);
        args.Add(DockerEnvironment.ServerImage);
        return Cli.Run([.. args]);
    }

    /// <summary>GETs a URL from inside the network, the way the balancer would when it runs in a container.</summary>
    public string GetFromNetwork(string host, int port, string path, string? network = null)
    {
        var script = $"exec 3<>/dev/tcp/{host}/{port} && printf 'GET {path} HTTP/1.0\\r\\nHost: {host}\\r\\n\\r\\n' >&3 && cat <&3";
        return Cli.Run("run", "--rm", "--label", $"{TestLabel}={Id}", "--network", network ?? Network, "--entrypoint", "bash",
            DockerEnvironment.ServerImage, "-c", script);
    }

    private static List<string> Ids(params string[] args) =>
        Cli.Run(args).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    public ValueTask DisposeAsync()
    {
        foreach (var filter in new[] { $"label=io.ringway.instance={Instance}", $"label={TestLabel}={Id}" })
        {
            var ids = Ids("ps", "-aq", "--filter", filter);
            if (ids.Count > 0)
            {
                Cli.TryRun(TimeSpan.FromMinutes(1), ["rm", "-f", .. ids]);
            }
        }
        Cli.TryRun(TimeSpan.FromMinutes(1), "network", "rm", Network);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A running replica container: its id, its <c>io.ringway.hostname</c> label, its published loopback address.</summary>
public sealed record ReplicaContainer(string Id, string Hostname, Uri? Address);
