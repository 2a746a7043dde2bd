using System.Diagnostics;
using System.Net;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests.Balancer;

/// <summary>The balancer and its replica supervisor with container replicas: the behaviour users see through /rep /add /rm.</summary>
[Collection(Containers.DockerCollection.Name)]
public sealed class DockerBalancerTests(ITestOutputHelper output)
{
    [DockerFact]
    public async Task Start_ThreeReplicasAsContainers_RoutesHome()
    {
        await using var test = new TestResources();
        await using (var balancer = await ContainerBalancer.StartAsync(test, output))
        {
            Assert.Equal(["Server 1", "Server 2", "Server 3"], await balancer.ReplicasAsync());
            Assert.Equal(3, test.RunningReplicaContainers().Count);
            using var home = await balancer.Client.GetAsync("/home");
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            Assert.Contains("Hello from Server: Server ", await home.Content.ReadAsStringAsync());
        }

        Assert.Empty(test.AllReplicaContainers());
    }

    [DockerFact]
    public async Task ContainerKilled_ReplacedUnderNewRandomName_NRestored()
    {
        await using var test = new TestResources();
        await using var balancer = await ContainerBalancer.StartAsync(test, output);
        var before = test.RunningReplicaContainers();
        var victim = before.Single(id => Cli.Run("inspect", "--format", "{{index .Config.Labels \"io.ringway.hostname\"}}", id) == "Server 2");

        var clock = Stopwatch.StartNew();
        Cli.Run("kill", victim);
        IReadOnlyList<string> replicas = [];
        var restored = await Eventually.TrueAsync(() =>
        {
            replicas = balancer.ReplicasAsync().GetAwaiter().GetResult();
            return replicas.Count == 3 && !replicas.Contains("Server 2");
        }, TimeSpan.FromSeconds(30), pollMilliseconds: 200);
        var inRing = clock.Elapsed;
        var running = await Eventually.TrueAsync(() => test.RunningReplicaContainers().Count == 3 && !test.RunningReplicaContainers().Contains(victim), TimeSpan.FromSeconds(30), pollMilliseconds: 200);
        foreach (var id in test.RunningReplicaContainers())
        {
            await Http.GetWhenUpAsync(new Uri($"http://{Cli.Run("port", id, "5000/tcp").Split('\n')[0].Trim()}/"), "/heartbeat");
        }
        var serving = clock.Elapsed;
        output.WriteLine($"docker kill -> /rep shows N = 3 again (new name {replicas.Except(["Server 1", "Server 3"]).FirstOrDefault()}): {inRing.TotalMilliseconds:F0} ms; " +
                         $"all 3 replicas answer /heartbeat: {serving.TotalMilliseconds:F0} ms");

        Assert.True(restored, $"/rep: {string.Join(", ", replicas)}");
        Assert.True(running);
        Assert.Contains("Server 1", replicas);
        Assert.Contains("Server 3", replicas);
        Assert.Empty(test.AllReplicaContainers().Except(test.RunningReplicaContainers())); // the dead container was removed
        using var home = await balancer.Client.GetAsync("/home");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    [DockerFact]
    public async Task AddThenRemove_ContainersFollowTheAdminApi()
    {
        await using var test = new TestResources();
        await using var balancer = await ContainerBalancer.StartAsync(test, output);

        using var added = await balancer.AddAsync(2, "S5", "Server With Spaces");
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(5, test.RunningReplicaContainers().Count);
        Assert.Equal(["Server 1", "Server 2", "Server 3", "S5", "Server With Spaces"], await balancer.ReplicasAsync());

        using var removed = await balancer.RemoveAsync(1, "S5");
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(["Server 1", "Server 2", "Server 3", "Server With Spaces"], await balancer.ReplicasAsync());
        Assert.True(await Eventually.TrueAsync(() => test.AllReplicaContainers().Count == 4, TimeSpan.FromSeconds(30), pollMilliseconds: 200));
    }

    [DockerFact]
    public async Task Restart_KeepBehavior_NewBalancerAdoptsReplicasWithoutDuplicates()
    {
        await using var test = new TestResources();
        IReadOnlyList<string> first;
        await using (var balancer = await ContainerBalancer.StartAsync(test, output, o => o.OnShutdown = ReplicaShutdownBehavior.Keep))
        {
            first = test.RunningReplicaContainers();
        }
        Assert.Equal(first.Order(), test.RunningReplicaContainers().Order());

        await using (var balancer = await ContainerBalancer.StartAsync(test, output))
        {
            Assert.Equal(["Server 1", "Server 2", "Server 3"], (await balancer.ReplicasAsync()).Order());
            Assert.Equal(first.Order(), test.RunningReplicaContainers().Order());
        }

        Assert.Empty(test.AllReplicaContainers());
    }

    [DockerFact]
    public async Task AddAsync_ImageMissing_JsonFailureAndRoutingContinues()
    {
        await using var test = new TestResources();
        await using var balancer = await ContainerBalancer.StartAsync(test, output);
        // Make the configured image vanish under the running balancer: its tag is removed, the running containers keep their image.
        var tag = $"ringway/sample-server:test-{test.Id}";
        Cli.Run("tag", DockerEnvironment.ServerImage, tag);
        await using var second = new TestResources();
        await using var missing = await ContainerBalancer.StartAsync(second, output, o => o.Image = tag);
        Cli.Run("rmi", tag);

        using var response = await missing.AddAsync(1, "S9");
        var body = await response.Content.ReadAsStringAsync();

        Assert.False(response.IsSuccessStatusCode);
        Assert.Contains("\"status\":\"failure\"", body.Replace(" ", ""));
        Assert.Contains($"image '{tag}' is not present", body);
        Assert.Equal(["Server 1", "Server 2", "Server 3"], await missing.ReplicasAsync());
        using var home = await missing.Client.GetAsync("/home");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }
}
