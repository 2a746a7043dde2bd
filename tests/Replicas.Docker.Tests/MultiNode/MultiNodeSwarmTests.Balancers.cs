using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Ringway.TestSupport.Waiting;

namespace Ringway.Replicas.Docker.Tests.MultiNode;

public sealed partial class MultiNodeSwarmTests
{
    // 10,000 in CI; scripts/multinode.sh --balancers --keys N checks more.
    private static int Keys => Ringway.TestSupport.Settings.Int("RINGWAY_MULTINODE_KEYS", 10_000);

    /// <summary>
    /// Three sample balancers (containers on the manager, on the overlay) share one instance's replicas with
    /// Leadership:Enabled. Exactly three replica services exist: only the lease holder started them, the others found them
    /// in the engine. All three send each of 10,000 keys to the same replica. A follower answers /add with 409 naming the
    /// leader; /add on the leader reaches every balancer. The leader is killed (no hand-back): another takes the lease over
    /// within the lease and a few seconds, starts nothing twice, and replaces a replica removed behind its back; every node
    /// then runs exactly one container per replica.
    /// </summary>
    [MultiNodeFact]
    public async Task ThreeBalancers_SameReplicaForEveryKeyOneLeaderAnotherTakesOverWhenItIsKilled()
    {
        swarm.AssertAvailable();
        var names = new[] { "lb0", "lb1", "lb2" };
        var clock = Stopwatch.StartNew();
        var balancers = (await Task.WhenAll(names.Select(name => BalancerContainer.StartAsync($"ringway-test-{name}-{_id}", _id, Overlay, replicas: 3,
            tcpRetries: 4,
            $"--Replicas:Swarm:Image={DockerEnvironment.ServerImage}", $"--Replicas:Swarm:Network={Overlay}", "--Replicas:Swarm:CreateNetwork=false",
            $"--Replicas:Swarm:InstanceName={Instance}", "--Replicas:Swarm:StopTimeout=00:00:01",
            "--Replicas:Swarm:Leadership:Enabled=true", $"--Replicas:Swarm:Leadership:Name={name}")))).ToList();
        await using var cleanup = new AsyncDisposables(balancers);
        var allListed = clock.Elapsed;

        // One leader started the three replicas; the others adopted them from the engine.
        Assert.Equal(3, OwnServices().Length);
        var leaderName = LeaseHolder();
        Assert.Contains(leaderName, names);
        var leader = balancers[Array.IndexOf(names, leaderName)];
        Assert.Single(balancers, b => b.Logs().Contains("Started replica ", StringComparison.Ordinal));
        Assert.Contains("Started replica ", leader.Logs());
        var replicas = await leader.ReplicasAsync();
        foreach (var balancer in balancers)
        {
            Assert.Equal(replicas.Order(), (await balancer.ReplicasAsync()).Order());
            Assert.True(await Eventually.TrueAsync(() => ServingAsync(balancer, replicas), TimeSpan.FromMinutes(1), pollMilliseconds: 500),
                $"{balancer.Name} does not reach all three replicas");
        }

        // The same replica for every key, on every balancer.
        var agreeClock = Stopwatch.StartNew();
        var routes = await Task.WhenAll(balancers.Select(b => RoutesAsync(b, Keys)));
        var agreeTime = agreeClock.Elapsed;
        Assert.All(routes, r => Assert.Equal(Keys, r.Count(s => s is not null)));
        Assert.Equal(routes[0], routes[1]);
        Assert.Equal(routes[0], routes[2]);
        Assert.Equal(replicas.Order(), routes[0].Distinct().Order()!);

        // Only the leader acts: a follower refuses /add naming it; /add on the leader reaches every balancer.
        var follower = balancers.First(b => b != leader);
        using (var refused = await follower.Client.PostAsJsonAsync("/add", new { n = 1 }))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains($"send /add and /rm to the leader: {leaderName}", await refused.Content.ReadAsStringAsync());
        }
        using (var added = await leader.Client.PostAsJsonAsync("/add", new { n = 1, hostnames = new[] { "Added1" } }))
        {
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }
        foreach (var balancer in balancers)
        {
            Assert.True(await Eventually.TrueAsync(async () => (await balancer.ReplicasAsync()).Contains("Added1"), TimeSpan.FromSeconds(30), pollMilliseconds: 250),
                $"{balancer.Name} did not follow /add");
        }
        Assert.Equal(4, OwnServices().Length);

        // The leader dies without handing the lease back: another takes it over.
        Cli.Run("kill", leader.Name);
        var killed = Stopwatch.StartNew();
        var survivors = balancers.Where(b => b != leader).ToList();
        Assert.True(await Eventually.TrueAsync(() => LeaseHolder() is var h && h != leaderName && names.Contains(h), TimeSpan.FromSeconds(60), pollMilliseconds: 100),
            $"no balancer took the lease over (holder: {LeaseHolder()})");
        var takeover = killed.Elapsed;
        var newLeaderName = LeaseHolder();
        var newLeader = balancers[Array.IndexOf(names, newLeaderName)];
        Assert.True(await Eventually.TrueAsync(() => newLeader.Logs().Contains($"took the lease over from {leaderName}", StringComparison.Ordinal), TimeSpan.FromSeconds(10)));
        // It adopted what ran: nothing started twice.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(4, OwnServices().Length);
        Assert.DoesNotContain("Started replica ", newLeader.Logs());

        // A replica removed behind its back is replaced by the new leader (heartbeats fail), and followed by the other.
        var victim = replicas[0];
        var removed = Stopwatch.StartNew();
        Cli.Run("service", "rm", ServiceOf(victim));
        var expected = 4;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            var lists = await Task.WhenAll(survivors.Select(b => b.ReplicasAsync()));
            return lists.All(l => l.Count == expected && !l.Contains(victim)) && lists.Skip(1).All(l => l.Order().SequenceEqual(lists[0].Order()));
        }, TimeSpan.FromMinutes(2), pollMilliseconds: 250), "the new leader did not restore N, or the follower did not follow");
        var restoredAfter = removed.Elapsed;
        Assert.Contains("Started replica ", newLeader.Logs());
        var final = await newLeader.ReplicasAsync();
        foreach (var balancer in survivors)
        {
            Assert.True(await Eventually.TrueAsync(() => ServingAsync(balancer, final), TimeSpan.FromMinutes(1), pollMilliseconds: 500),
                $"{balancer.Name} does not reach all replicas after the takeover");
        }
        var after = await Task.WhenAll(survivors.Select(b => RoutesAsync(b, 2_000)));
        Assert.Equal(after[0], after[1]);

        // Nothing twice, nothing orphaned: one service and one running container per replica, across the nodes.
        Assert.Equal(final.Order(), ReplicaNodes().Keys.Order());
        Assert.True(await Eventually.TrueAsync(() => swarm.Nodes.SelectMany(Running).Select(c => c.Hostname).Order().SequenceEqual(final.Order()),
            TimeSpan.FromMinutes(1), pollMilliseconds: 500), "the nodes do not run exactly one container per replica");

        var figures = string.Create(CultureInfo.InvariantCulture,
            $"three balancers: all listed 3 replicas after {allListed.TotalSeconds:F1} s; {Keys} keys on each, same replica on all three ({agreeTime.TotalSeconds:F1} s for {3 * Keys} GETs); " +
            $"leader {leaderName} killed: {newLeaderName} took the lease over after {takeover.TotalSeconds:F1} s; " +
            $"a replica removed: N = {expected} listed by both survivors again after {restoredAfter.TotalSeconds:F1} s");
        output.WriteLine(figures);
        Ringway.TestSupport.Settings.Record(figures);
        foreach (var balancer in balancers)
        {
            output.WriteLine($"--- {balancer.Name}\n{string.Join('\n', balancer.Logs().Split('\n').Where(l => l.Contains("lease", StringComparison.Ordinal) || l.Contains("eplica ", StringComparison.Ordinal)))}");
        }
    }

    /// <summary>The balancer named in the lease service's leader label, or "" when there is none.</summary>
    private string LeaseHolder() =>
        Cli.TryRun(TimeSpan.FromSeconds(30), "service", "ls", "--filter", $"label={SwarmLeadership.LeaseLabel}={Instance}",
            "--format", $"{{{{.Name}}}}") is (0, var lease) && lease.Trim().Length > 0
            && Cli.TryRun(TimeSpan.FromSeconds(30), "service", "inspect", "--format", $"{{{{index .Spec.Labels \"{SwarmLeadership.LeaderLabel}\"}}}}", lease.Trim())
                is (0, var holder)
            ? holder.Trim()
            : "";

    private string ServiceOf(string hostname) =>
        Cli.Run("service", "ls", "-q", "--filter", $"label={ResourceNames.InstanceLabel}={Instance}", "--filter", $"label={ResourceNames.HostnameLabel}={hostname}");

    /// <summary>The replica answering GET /home for each of <paramref name="count"/> fixed keys (null where none answered).</summary>
    private static async Task<string?[]> RoutesAsync(BalancerContainer balancer, int count)
    {
        var routes = new string?[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            routes[i] = await balancer.ServerForAsync(string.Create(CultureInfo.InvariantCulture, $"key-{i}")));
        return routes;
    }

    /// <summary>Disposes the balancers (removing their containers) at the end of the test, whatever happened.</summary>
    private sealed class AsyncDisposables(IEnumerable<IAsyncDisposable> items) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var item in items)
            {
                await item.DisposeAsync();
            }
        }
    }
}
