using System.Diagnostics;
using System.Globalization;
using Ringway.TestSupport;
using Ringway.TestSupport.Chaos;
using Ringway.TestSupport.Waiting;

namespace Ringway.Replicas.Docker.Tests.MultiNode;

public sealed partial class MultiNodeSwarmTests
{
    /// <summary>
    /// A worker is cut off (its cable pulled: the node, its engine and its replica keep running, unreachable) while the sample
    /// balancer, a container on the manager attached to the overlay, serves a steady GET load. No GET sent after the cut may
    /// fail: requests to the lost replica fail over. Its replica leaves the ring once heartbeats fail, N = 3 is restored on
    /// the two remaining nodes, and when the node comes back, Swarm removes the old task there: exactly one container per
    /// replica runs, none elsewhere. The short CI version of <c>scripts/multinode.sh</c>.
    /// </summary>
    [MultiNodeFact]
    public async Task WorkerCutOffUnderLoad_GetsSentAfterTheCutSucceedNRestoredOnTheOthersNothingTwiceWhenItReturns()
    {
        swarm.AssertAvailable();
        var clients = Settings.Int("RINGWAY_MULTINODE_CLIENTS", 8);
        var after = TimeSpan.FromSeconds(Settings.Int("RINGWAY_MULTINODE_SECONDS_AFTER", 3));
        var victim = swarm.Workers[0];
        await using var balancer = await BalancerContainer.StartAsync($"ringway-test-lb-{_id}", _id, Overlay, replicas: 3,
            tcpRetries: Settings.Int("RINGWAY_MULTINODE_TCP_RETRIES", 4),
            $"--Replicas:Swarm:Image={DockerEnvironment.ServerImage}", $"--Replicas:Swarm:Network={Overlay}", "--Replicas:Swarm:CreateNetwork=false",
            $"--Replicas:Swarm:InstanceName={Instance}", "--Replicas:Swarm:StopTimeout=00:00:01");
        var placed = ReplicaNodes();
        output.WriteLine($"replicas: {string.Join(", ", placed.Select(p => $"{p.Key} on {p.Value}"))}");
        Assert.Equal(swarm.Nodes.Select(n => n.Hostname).Order(), placed.Values.Order());
        var lost = placed.Single(p => p.Value == victim.Hostname).Key;
        Assert.Contains($"Started replica {lost} as Swarm service", balancer.Logs());
        Assert.Contains($"on node {victim.Hostname} at", balancer.Logs());
        Assert.True(await ServingAsync(balancer, [.. placed.Keys]), "the balancer does not reach all three replicas");

        using var stop = new CancellationTokenSource();
        var load = new LoadGenerator(balancer.Client, clients, postShare: 0, seed: 20261206);
        var running = load.RunAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(3));

        var clock = Stopwatch.StartNew();
        var cutAt = load.Elapsed;
        var cutUtc = DateTime.UtcNow;
        swarm.Cut(victim);
        TimeSpan? left = null, down = null, restored = null;
        while (restored is null && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var replicas = await balancer.ReplicasAsync();
            left ??= replicas.Contains(lost) ? null : clock.Elapsed;
            down ??= MultiNodeSwarm.Status(victim) == "down" ? clock.Elapsed : null;
            if (left is not null && replicas.Count == 3 && await ServingAsync(balancer, replicas))
            {
                restored = clock.Elapsed;
            }
            await Task.Delay(250);
        }
        var now = ReplicaNodes();
        output.WriteLine($"after the cut: {string.Join(", ", now.Select(p => $"{p.Key} on {p.Value}"))}");
        await Task.Delay(after);

        swarm.Mend(victim);
        var mended = Stopwatch.StartNew();
        var ready = await Eventually.TrueAsync(() => MultiNodeSwarm.Status(victim) == "ready", TimeSpan.FromMinutes(2), pollMilliseconds: 200) ? mended.Elapsed : (TimeSpan?)null;
        // Swarm tells the returning node its task is gone (its service was removed), and the node stops and removes it.
        var cleared = await Eventually.TrueAsync(() => Running(victim).Count == 0, TimeSpan.FromMinutes(2), pollMilliseconds: 200) ? mended.Elapsed : (TimeSpan?)null;
        await stop.CancelAsync();
        await running;

        // From the balancer's own log: when the lost replica left the ring, and when its replacement joined it.
        var leftRing = balancer.Logged($"Replica {lost} left the ring").Select(t => t - cutUtc).FirstOrDefault();
        var replacement = now.Keys.Except(placed.Keys).FirstOrDefault() ?? "";
        var taskRunning = balancer.Logged($"Started replica {replacement} as Swarm service").Select(t => t - cutUtc).FirstOrDefault();
        var joined = balancer.Logged($"Replica {replacement} joined the ring").Select(t => t - cutUtc).FirstOrDefault();
        var startedLate = load.FailedGetStarts.Count(s => s >= cutAt);
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"node failure (swarm of 3, tcp_retries2 {Settings.Int("RINGWAY_MULTINODE_TCP_RETRIES", 4)}): {victim.Name} cut off under {clients} clients; " +
            $"{load.Gets} GETs, {load.FailedGets} failed ({startedLate} of them sent after the cut); replica {lost} left the ring after {Seconds(leftRing)}, " +
            $"node marked down after {Seconds(down)}, replacement's task running after {Seconds(taskRunning)} and in the ring after {Seconds(joined)}, " +
            $"N = 3 serving again (probed) after {Seconds(restored)}; " +
            $"node back: ready after {Seconds(ready)}, its old task gone after {Seconds(cleared)}");
        ChaosReport.Write(output, figures, load);
        output.WriteLine(string.Join('\n', balancer.Logs().Split('\n').Where(l => l.Contains("Replica ", StringComparison.Ordinal) || l.Contains("replica ", StringComparison.Ordinal))));

        Assert.NotNull(restored);
        Assert.DoesNotContain(victim.Hostname, now.Values);
        Assert.Equal(3, now.Count);
        Assert.NotNull(cleared);
        Assert.True(load.Gets > 0);
        // Requests sent after the cut all succeed: to the lost replica they fail over. One the replica had received (its
        // acknowledgement came back) but not answered when its node vanished waits for a response that never comes, until
        // the client gives up: that can happen to requests in flight at the cut only (docs/docker.md, "A node lost").
        Assert.Equal(0, startedLate);
        Assert.True(load.FailedGets <= clients, $"{load.FailedGets} failed GETs, more than were in flight at the cut");

        // Nothing twice, nothing orphaned: every service of the balancer runs one task, and the nodes run exactly those containers.
        var final = await balancer.ReplicasAsync();
        Assert.Equal(final.Order(), ReplicaNodes().Keys.Order());
        var containers = swarm.Nodes.SelectMany(Running).ToList();
        Assert.Equal(3, containers.Count);
        Assert.Equal(final.Order(), containers.Select(c => c.Hostname).Order());
    }

    private static string Seconds(TimeSpan time) => Seconds((TimeSpan?)(time == default ? null : time));

    private static string Seconds(TimeSpan? time) =>
        time is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:F1} s") : "never";

    /// <summary>This test's replicas (services) by hostname label, with the node running each one's task.</summary>
    private Dictionary<string, string> ReplicaNodes() =>
        Cli.Run("service", "ls", "--filter", $"label={ResourceNames.InstanceLabel}={Instance}", "--format", $"{{{{.ID}}}} {{{{.Name}}}}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')[0])
            .ToDictionary(
                id => Cli.Run("service", "inspect", "--format", $"{{{{index .Spec.Labels \"{ResourceNames.HostnameLabel}\"}}}}", id),
                id => string.Join(",", RunningTaskNodes(id)));

    /// <summary>The running replica containers of this test on one node, with their hostname label.</summary>
    private List<(string Id, string Hostname)> Running(SwarmMember node) =>
        [.. node.Docker("ps", "--filter", $"label={ResourceNames.InstanceLabel}={Instance}", "--format", $"{{{{.ID}}}} {{{{.Label \"{ResourceNames.HostnameLabel}\"}}}}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => (line[..line.IndexOf(' ', StringComparison.Ordinal)], line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]))];

    /// <summary>GET /home with 30 random keys through the balancer reaches exactly <paramref name="replicas"/>.</summary>
    private static async Task<bool> ServingAsync(BalancerContainer balancer, IReadOnlyList<string> replicas)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 30; i++)
        {
            try
            {
                if (await balancer.ServerForAsync(Guid.NewGuid().ToString("N")) is { } server)
                {
                    seen.Add(server);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }
        return seen.SetEquals(replicas);
    }
}
