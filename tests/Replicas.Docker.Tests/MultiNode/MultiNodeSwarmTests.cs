using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.TestSupport.Logging;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests.MultiNode;

/// <summary>
/// The Swarm provider on a real three-node swarm (<see cref="MultiNodeSwarm"/>): where replicas go, traffic across nodes, and
/// (in the other parts of this class) a node lost under load. One class, so the swarm is made once for all of them; in the
/// Docker collection, so no other Docker test (the one-node swarm, engine restarts) runs meanwhile.
/// </summary>
[Collection(Containers.DockerCollection.Name)]
public sealed partial class MultiNodeSwarmTests(MultiNodeSwarm swarm, ITestOutputHelper output) : IClassFixture<MultiNodeSwarm>, IAsyncLifetime
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..10];
    private readonly ConcurrentQueue<(int EventId, string Message)> _logs = new();

    private string Instance => $"test-{_id}";

    private string Overlay => $"ringway-test-ov-{_id}";

    private SwarmReplicaProvider Provider(Action<SwarmReplicaOptions>? configure = null)
    {
        var options = new SwarmReplicaOptions
        {
            Image = DockerEnvironment.ServerImage,
            Network = Overlay,
            CreateNetwork = false,
            InstanceName = Instance,
            StopTimeout = TimeSpan.FromSeconds(1),
            RestartDelay = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        return new SwarmReplicaProvider(Options.Create(options), new TestOutputLogger<SwarmReplicaProvider>(output, _logs));
    }

    /// <summary>
    /// With another workload on one worker (two tasks), Swarm alone places three one-task replicas on the other two nodes: its
    /// scheduler spreads the tasks of one service, and across services prefers the node with the fewest tasks of any kind.
    /// With SpreadOver (the default) every node gets one, each replica's Location names it, and replicas on different nodes
    /// reach each other over the overlay.
    /// </summary>
    [MultiNodeFact]
    public async Task Start_AnotherWorkloadOnAWorker_SwarmAloneSkipsItSpreadPutsOneReplicaOnEveryNode()
    {
        swarm.AssertAvailable();
        var busy = swarm.Workers[0];
        var ballast = Cli.Run("service", "create", "-d", "-q", "--name", $"ringway-test-ballast-{_id}", "--label", $"{TestResources.TestLabel}={_id}",
            "--replicas", "2", "--constraint", $"node.id=={busy.Id}", "--endpoint-mode", "dnsrr", "--network", Overlay, DockerEnvironment.ServerImage);
        Assert.True(await Eventually.TrueAsync(() => RunningTaskNodes(ballast).Count == 2, TimeSpan.FromMinutes(1), pollMilliseconds: 200), "the other workload did not start");

        IReadOnlyList<Replica> placedBySwarm;
        await using (var swarmAlone = Provider(o => o.SpreadOver = null))
        {
            placedBySwarm = await swarmAlone.StartAsync(["A", "B", "C"], CancellationToken.None);
            AssertLocationsAreTaskNodes(placedBySwarm);
        }
        output.WriteLine($"Swarm alone: {Describe(placedBySwarm)}");
        Assert.DoesNotContain(busy.Hostname, placedBySwarm.Select(r => r.Location));

        await using var provider = Provider();
        var clock = Stopwatch.StartNew();
        var spread = await provider.StartAsync(["A", "B", "C"], CancellationToken.None);
        output.WriteLine($"SpreadOver node.id: {Describe(spread)}; all three running after {clock.ElapsedMilliseconds} ms");

        Assert.Equal(swarm.Nodes.Select(n => n.Hostname).Order(), spread.Select(r => r.Location).Order());
        AssertLocationsAreTaskNodes(spread);
        Assert.All(spread, r => Assert.Contains(_logs, e => e.EventId == 4050 && e.Message.Contains($"Started replica {r.Hostname} ", StringComparison.Ordinal)
                                                          && e.Message.Contains($" on node {r.Location} ", StringComparison.Ordinal)));
        Assert.Equal(spread.OrderBy(r => r.Hostname), (await provider.ListAsync(CancellationToken.None)).OrderBy(r => r.Hostname));

        // Across nodes: from the manager to every replica, and from one worker's replica to the other's.
        foreach (var replica in spread)
        {
            Assert.Contains($"Hello from Server: {replica.Hostname}", await OverlayProbe.GetHomeAsync(_id, Overlay, replica.Address.Host));
        }
        var (first, second) = (OnNode(spread, swarm.Workers[0]), OnNode(spread, swarm.Workers[1]));
        var container = swarm.Workers[0].Docker("ps", "-q", "--filter", $"label=com.docker.swarm.service.id={first.ProviderId}");
        var answer = swarm.Workers[0].Docker("exec", container, "bash", "-c",
            $"exec 3<>/dev/tcp/{second.Address.Host}/5000 && printf 'GET /home HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3");
        Assert.Contains($"Hello from Server: {second.Hostname}", answer);
    }

    /// <summary>
    /// An image only the manager has: the workers reject the task ("No such image"), the provider removes it and places the
    /// replica on the next node, so every replica ends on the manager. Allowed only on workers, it cannot start at all: a
    /// clear error that names each node and why, and nothing left behind.
    /// </summary>
    [MultiNodeFact]
    public async Task Start_ImageOnlyOnTheManager_WorkersRejectedAndSkippedClearErrorWhenNoNodeCanRunIt()
    {
        swarm.AssertAvailable();
        var image = $"ringway/sample-server:test-{_id}";
        Cli.Run("tag", DockerEnvironment.ServerImage, image);
        try
        {
            await using (var workersOnly = Provider(o => { o.Image = image; o.Constraints.Add("node.role==worker"); }))
            {
                var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => workersOnly.StartAsync(["A"], CancellationToken.None));
                output.WriteLine(error.Message);
                Assert.StartsWith("Cannot start replica 'A': it did not run on any node (", error.Message);
                Assert.All(swarm.Workers, w => Assert.Contains($"{w.Hostname}: its task did not run (rejected: ", error.Message));
                Assert.Contains("No such image", error.Message);
                Assert.Empty(OwnServices());
            }

            await using var provider = Provider(o => o.Image = image);
            var replicas = await provider.StartAsync(["A", "B", "C"], CancellationToken.None);
            output.WriteLine(Describe(replicas));

            Assert.All(replicas, r => Assert.Equal(swarm.Manager.Hostname, r.Location));
            AssertLocationsAreTaskNodes(replicas);
            Assert.Contains(_logs, e => e.EventId == 4062 && swarm.Workers.Any(w => e.Message.Contains($"did not run on node {w.Hostname}", StringComparison.Ordinal)));
            Assert.Equal(3, OwnServices().Length);
        }
        finally
        {
            await RemoveOwnAsync();
            Cli.TryRun(TimeSpan.FromMinutes(1), "rmi", image);
        }
    }

    private Replica OnNode(IEnumerable<Replica> replicas, SwarmMember node) => replicas.Single(r => r.Location == node.Hostname);

    private static string Describe(IEnumerable<Replica> replicas) => string.Join(", ", replicas.Select(r => $"{r.Hostname} on {r.Location}"));

    /// <summary>Each replica's Location is the node Swarm runs its task on.</summary>
    private static void AssertLocationsAreTaskNodes(IEnumerable<Replica> replicas) =>
        Assert.All(replicas, r => Assert.Equal([r.Location!], RunningTaskNodes(r.ProviderId)));

    /// <summary>The hostnames of the nodes running a service's tasks now.</summary>
    private static List<string> RunningTaskNodes(string service) =>
        [.. Cli.Run("service", "ps", "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}", service)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Split(' ')[1] == "Running")
            .Select(line => line.Split(' ')[0])];

    private string[] OwnServices() =>
        Cli.Run("service", "ls", "-q", "--filter", $"label={ResourceNames.InstanceLabel}={Instance}").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Containers of this test's replicas on every node, any state.</summary>
    private List<(SwarmMember Node, string Id)> OwnContainers() =>
        [.. swarm.Nodes.SelectMany(n => n.Docker("ps", "-aq", "--filter", $"label={ResourceNames.InstanceLabel}={Instance}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(id => (n, id)))];

    public Task InitializeAsync()
    {
        if (swarm.Unavailable is null)
        {
            Cli.Run("network", "create", "--driver", "overlay", "--attachable", "--label", $"{TestResources.TestLabel}={_id}", Overlay);
        }
        return Task.CompletedTask;
    }

    /// <summary>Removes this test's services (replicas and others) and waits until no node runs their containers any more.</summary>
    private async Task RemoveOwnAsync()
    {
        foreach (var filter in new[] { $"label={ResourceNames.InstanceLabel}={Instance}", $"label={SwarmLeadership.LeaseLabel}={Instance}", $"label={TestResources.TestLabel}={_id}" })
        {
            var services = Cli.Run("service", "ls", "-q", "--filter", filter).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (services.Length > 0)
            {
                Cli.TryRun(TimeSpan.FromMinutes(1), ["service", "rm", .. services]);
            }
        }
        await Eventually.TrueAsync(() => OwnContainers().Count == 0, TimeSpan.FromMinutes(1), pollMilliseconds: 200);
    }

    public async Task DisposeAsync()
    {
        if (swarm.Unavailable is not null)
        {
            return;
        }
        await RemoveOwnAsync();
        var containers = Cli.Run("ps", "-aq", "--filter", $"label={TestResources.TestLabel}={_id}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (containers.Length > 0)
        {
            Cli.TryRun(TimeSpan.FromMinutes(1), ["rm", "-f", .. containers]);
        }
        // Task containers leave the overlay a moment after their service is removed.
        await Eventually.TrueAsync(() => Cli.TryRun(TimeSpan.FromSeconds(30), "network", "rm", Overlay).ExitCode == 0
                                         || Cli.TryRun(TimeSpan.FromSeconds(30), "network", "inspect", Overlay).ExitCode != 0, TimeSpan.FromMinutes(1), pollMilliseconds: 200);
    }
}
