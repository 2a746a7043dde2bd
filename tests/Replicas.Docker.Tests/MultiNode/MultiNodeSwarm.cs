namespace Ringway.Replicas.Docker.Tests.MultiNode;

/// <summary>
/// A three-node swarm for the multi-node tests: this machine's engine as the manager and two worker engines in network
/// namespaces, made by scripts/swarm-nodes.sh (which cleans up earlier runs whose test process is gone first) and removed
/// again afterwards: the swarm, the workers' engines and data, their namespaces and links. The workers have the image
/// ringway/sample-server, copied from this machine's engine.
/// </summary>
public sealed class MultiNodeSwarm : IAsyncLifetime
{
    /// <summary>Containers the multi-node tests run on the manager (the balancers) carry it; a new fixture removes any left over.</summary>
    public const string SweptLabel = "io.ringway.test.multinode=true";

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(4);
    private string? _run;

    /// <summary>Why the swarm could not be made (the tests fail with it), or null.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>The manager, then the workers.</summary>
    public IReadOnlyList<SwarmMember> Nodes { get; private set; } = [];

    public SwarmMember Manager => Nodes[0];

    public IReadOnlyList<SwarmMember> Workers => [.. Nodes.Skip(1)];

    public Task InitializeAsync()
    {
        Unavailable = DockerEnvironment.Requirement.Missing ?? MultiNodeEnvironment.Unavailable;
        if (Unavailable is not null)
        {
            return Task.CompletedTask;
        }
        // First the sweep: an earlier run that crashed may have left its swarm (the engine keeps it across restarts).
        Script("clean");
        Unavailable = MultiNodeEnvironment.SwarmInTheWay();
        if (Unavailable is not null)
        {
            return Task.CompletedTask;
        }
        // Balancer containers of a run that crashed (the swarm, its services and overlays went with the swarm's removal).
        var leftovers = Cli.Run("ps", "-aq", "--filter", $"label={SweptLabel}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (leftovers.Length > 0)
        {
            Cli.TryRun(TimeSpan.FromMinutes(1), ["rm", "-f", .. leftovers]);
        }
        // The swarm's dispatcher heartbeat (a node is marked down after about three): Docker's default unless the long run sets one.
        var heartbeat = Environment.GetEnvironmentVariable("RINGWAY_MULTINODE_HEARTBEAT") is { Length: > 0 } value ? value : "5s";
        var (exit, output, errors) = Script("up", "--owner", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--workers", "2", "--images", DockerEnvironment.ServerImage, "--heartbeat", heartbeat);
        if (exit != 0)
        {
            Unavailable = $"scripts/swarm-nodes.sh up failed ({exit}): {errors}";
            return Task.CompletedTask;
        }
        _run = output.Trim().Split('\n')[^1].Trim();
        var ids = Cli.Run("node", "ls", "--format", "{{.Hostname}} {{.ID}} {{.Self}}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .ToList();
        Nodes = [.. Script("describe", _run).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .Select(f =>
            {
                // The manager is this machine's engine (its own hostname); worker K's engine has the hostname rwsn-RUN-wK.
                var node = f[0] == "manager" ? ids.Single(i => i[2] == "true") : ids.Single(i => i[0] == $"rwsn-{_run}-{f[0]}");
                return new SwarmMember(f[0], f[1], f[2], node[1], node[0]);
            })];
        return Task.CompletedTask;
    }

    /// <summary>Pulls a worker's cable: its port on the test network goes down (the node, its engine and containers run on, cut off).</summary>
    public void Cut(SwarmMember worker) => Check(Script("cut", _run!, worker.Name));

    /// <summary>Plugs the worker in again.</summary>
    public void Mend(SwarmMember worker) => Check(Script("mend", _run!, worker.Name));

    /// <summary>The node's status as the manager sees it (ready, down...).</summary>
    public static string Status(SwarmMember node) => Cli.Run("node", "inspect", "--format", "{{.Status.State}}", node.Id);

    /// <summary>Fails the test with the reason when the swarm could not be made.</summary>
    public void AssertAvailable() => Assert.True(Unavailable is null, Unavailable);

    public Task DisposeAsync()
    {
        if (_run is not null)
        {
            Script("down", _run);
        }
        return Task.CompletedTask;
    }

    private static (int ExitCode, string Output, string Errors) Script(params string[] args) =>
        Cli.TryRunProgram("bash", ScriptTimeout, [Path.Combine(MultiNodeEnvironment.RepositoryRoot!, "scripts", "swarm-nodes.sh"), .. args]);

    private static void Check((int ExitCode, string Output, string Errors) result) =>
        Assert.True(result.ExitCode == 0, result.Output + result.Errors);
}

/// <summary>One node of the test swarm: its name in the script (manager, w1, w2), engine endpoint, address, node id and hostname.</summary>
public sealed record SwarmMember(string Name, string Endpoint, string Address, string Id, string Hostname)
{
    /// <summary>Runs the docker CLI against this node's engine.</summary>
    public string Docker(params string[] args) => Cli.Run(["-H", Endpoint, .. args]);

    public override string ToString() => $"{Name} ({Hostname})";
}

/// <summary>What a multi-node swarm on this machine needs, besides the engine and image (<see cref="DockerEnvironment"/>).</summary>
public static class MultiNodeEnvironment
{
    public static readonly string? RepositoryRoot = FindRoot();

    private static readonly Lazy<string?> s_unavailable = new(Probe);

    /// <summary>Why a multi-node swarm cannot be made here, or null.</summary>
    public static string? Unavailable => s_unavailable.Value;

    private static string? Probe()
    {
        if (RepositoryRoot is null)
        {
            return "Runs from the repository only (scripts/swarm-nodes.sh not found above the test binaries).";
        }
        if (!File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0"))
        {
            return "A multi-node swarm on one machine needs root (network namespaces, more Docker engines).";
        }
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':');
        foreach (var tool in new[] { "ip", "nsenter", "unshare", "dockerd" })
        {
            if (!path.Any(dir => File.Exists(Path.Combine(dir, tool))))
            {
                return $"{tool} is missing (apt-get install -y iproute2 util-linux docker.io, as .ci/docker-setup.sh does).";
            }
        }
        return null;
    }

    /// <summary>Why the engine cannot host the test swarm (it is in another swarm), or null; asked after the leftover sweep.</summary>
    public static string? SwarmInTheWay()
    {
        var swarm = Cli.TryRun(TimeSpan.FromSeconds(15), "info", "--format", "{{.Swarm.LocalNodeState}}").Output.Trim();
        return swarm is "inactive" or ""
            ? null
            : $"The engine is in a swarm the tests did not make ({swarm}); the multi-node swarm needs it to be in none.";
    }

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "swarm-nodes.sh")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}

/// <summary>
/// A test on the three-node swarm. Skipped with the reason when it cannot be made here (no engine or image, not root, tools
/// missing), unless RINGWAY_REQUIRE_DOCKER=1 (CI), which makes the test run and fail with that reason instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MultiNodeFactAttribute : FactAttribute
{
    public MultiNodeFactAttribute()
    {
        if (!DockerEnvironment.Requirement.Required)
        {
            Skip = DockerEnvironment.Requirement.Missing ?? MultiNodeEnvironment.Unavailable;
        }
    }
}
