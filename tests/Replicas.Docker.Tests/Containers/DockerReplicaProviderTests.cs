using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Ringway.LoadBalancing.AspNetCore;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests.Containers;

[Collection(DockerCollection.Name)]
public sealed partial class DockerReplicaProviderTests(ITestOutputHelper output)
{
    [GeneratedRegex("^ringway-[a-z0-9-]+-[0-9a-f]{6}$")]
    private static partial Regex ContainerName();

    [DockerFact]
    public async Task StartAsync_TwoHostnames_RunsLabelledContainersThatAnswerWithTheirHostname()
    {
        await using var test = new TestResources();
        await using var provider = test.Provider();

        var replicas = await provider.StartAsync(["Server 1", "S2"], CancellationToken.None);

        Assert.Equal(["Server 1", "S2"], replicas.Select(r => r.Hostname));
        Assert.Equal(replicas.Select(r => r.ProviderId).Order(), test.RunningReplicaContainers().Order());
        foreach (var replica in replicas)
        {
            var labels = Cli.Run("inspect", "--format", "{{json .Config.Labels}}", replica.ProviderId);
            Assert.Contains("\"io.ringway.managed\":\"true\"", labels);
            Assert.Contains($"\"io.ringway.instance\":\"{test.Instance}\"", labels);
            Assert.Contains($"\"io.ringway.hostname\":\"{replica.Hostname}\"", labels);
            Assert.Matches(ContainerName(), Cli.Run("inspect", "--format", "{{.Name}}", replica.ProviderId).TrimStart('/'));
            Assert.Equal("127.0.0.1", replica.Address.Host);

            var (status, body) = await Http.GetWhenUpAsync(replica.Address, "/home");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains($"Hello from Server: {replica.Hostname}", body);
        }
    }

    [DockerFact]
    public async Task StartAsync_NetworkMode_ReplicaAddressedByItsIpOnTheNetworkAndReachableUnderItsHostname()
    {
        await using var test = new TestResources();
        await using var provider = test.Provider(o => o.UsePublishedPorts = false);

        var replica = Assert.Single(await provider.StartAsync(["Server 1"], CancellationToken.None));

        // By the container's address on the network, not its name: no lookup through dockerd's DNS per connection.
        Assert.Equal(5000, replica.Address.Port);
        Assert.Equal(test.IpOnNetwork(replica.ProviderId), replica.Address.Host);
        var aliases = Cli.Run("inspect", "--format", $"{{{{json (index .NetworkSettings.Networks \"{test.Network}\").Aliases}}}}", replica.ProviderId);
        Assert.Contains("\"Server 1\"", aliases);
        Assert.Contains("\"server-1\"", aliases);
        var name = Cli.Run("inspect", "--format", "{{.Name}}", replica.ProviderId).Trim().TrimStart('/');
        await WaitUntilListeningAsync(test, name);
        Assert.Contains("Hello from Server: Server 1", test.GetFromNetwork("server-1", 5000, "/home"));
        Assert.Contains("Hello from Server: Server 1", test.GetFromNetwork(name, 5000, "/home"));
        Assert.Contains("Hello from Server: Server 1", test.GetFromNetwork(replica.Address.Host, 5000, "/home"));

        // A bridge network's addresses are routed from the Docker host, so a balancer running there reaches the replica too.
        var (status, body) = await Http.GetWhenUpAsync(replica.Address, "/home");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Hello from Server: Server 1", body);
    }

    [DockerFact]
    public async Task ListAsync_NewProviderSameInstance_AdoptsRunningReplicasWithoutDuplicates()
    {
        await using var test = new TestResources();
        IReadOnlyList<Replica> started;
        await using (var first = test.Provider(o => o.OnShutdown = ReplicaShutdownBehavior.Keep))
        {
            started = await first.StartAsync(["A", "B"], CancellationToken.None);
        }
        await using var second = test.Provider();

        var adopted = await second.ListAsync(CancellationToken.None);

        Assert.Equal(started.OrderBy(r => r.Hostname), adopted.OrderBy(r => r.Hostname));
        Assert.Equal(2, test.RunningReplicaContainers().Count);
        var (status, _) = await Http.GetWhenUpAsync(adopted[0].Address, "/home");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [DockerFact]
    public async Task ListAsync_NetworkMode_AdoptsReplicasAtTheAddressTheyWereStartedWith()
    {
        await using var test = new TestResources();
        Replica started;
        await using (var first = test.Provider(o => { o.UsePublishedPorts = false; o.OnShutdown = ReplicaShutdownBehavior.Keep; }))
        {
            started = Assert.Single(await first.StartAsync(["A"], CancellationToken.None));
        }
        await using var second = test.Provider(o => o.UsePublishedPorts = false);

        var adopted = Assert.Single(await second.ListAsync(CancellationToken.None));

        Assert.Equal(started, adopted);
        Assert.True(IPAddress.TryParse(adopted.Address.Host, out _), adopted.Address.ToString());
    }

    [DockerFact]
    public async Task ListAsync_ExitedLabelledContainer_IsRemovedNotAdopted()
    {
        await using var test = new TestResources();
        await using var provider = test.Provider();
        var replicas = await provider.StartAsync(["A", "B"], CancellationToken.None);
        Cli.Run("stop", "-t", "1", replicas[0].ProviderId);

        var listed = await provider.ListAsync(CancellationToken.None);

        Assert.Equal("B", Assert.Single(listed).Hostname);
        Assert.Equal([replicas[1].ProviderId], test.AllReplicaContainers());
    }

    [DockerFact]
    public async Task StopAsync_RunningReplica_RemovesItsContainerOnly()
    {
        await using var test = new TestResources();
        await using var provider = test.Provider();
        var replicas = await provider.StartAsync(["A", "B"], CancellationToken.None);

        await provider.StopAsync(replicas[0], CancellationToken.None);
        await provider.StopAsync(replicas[0], CancellationToken.None); // gone already: still succeeds

        Assert.Equal([replicas[1].ProviderId], test.AllReplicaContainers());
    }

    [DockerFact]
    public async Task DisposeAsync_RemoveBehavior_RemovesOwnReplicasAndLeavesOtherInstancesAlone()
    {
        await using var test = new TestResources();
        await using var other = new TestResources();
        await using var neighbour = other.Provider(o => o.OnShutdown = ReplicaShutdownBehavior.Keep);
        var kept = await neighbour.StartAsync(["A"], CancellationToken.None);
        var provider = test.Provider();
        await provider.StartAsync(["A", "B"], CancellationToken.None);

        await provider.DisposeAsync();

        Assert.Empty(test.AllReplicaContainers());
        Assert.Equal(kept.Select(r => r.ProviderId), other.RunningReplicaContainers());
    }

    [DockerFact]
    public async Task UnlabelledContainer_CollidingNameAndAlias_IsNeverTouched()
    {
        await using var test = new TestResources();
        // A stranger on the same network using the name and alias a replica will have.
        var stranger = test.RunUnlabelled($"ringway-s1-{test.Id[..6]}", "--network-alias", "S1", "--network-alias", "s1");
        var provider = test.Provider();
        var replica = Assert.Single(await provider.StartAsync(["S1"], CancellationToken.None));

        Assert.DoesNotContain(stranger, (await provider.ListAsync(CancellationToken.None)).Select(r => r.ProviderId));
        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() =>
            provider.StopAsync(new Replica("S1", replica.Address, stranger), CancellationToken.None));
        Assert.Contains("does not carry this balancer's labels", error.Message);
        await provider.StopAsync(replica, CancellationToken.None);
        await provider.DisposeAsync();

        Assert.Equal("true", Cli.Run("inspect", "--format", "{{.State.Running}}", stranger));
    }

    [DockerFact]
    public async Task ListAsync_LabelledContainerOfAnotherImage_IsNeitherAdoptedNorRemoved()
    {
        await using var test = new TestResources();
        // Labels anyone can set: this instance's, under another image label, and with none. Both really run (the server
        // image, port published like a replica's), so only the image label tells them apart from replicas.
        string RunLabelled(string hostname, params string[] imageLabel) => test.RunUnlabelled($"ringway-{hostname}-{test.Id[..6]}",
            ["--label", "io.ringway.managed=true", "--label", $"io.ringway.instance={test.Instance}", "--label", $"io.ringway.hostname={hostname}",
             .. imageLabel, "-p", "127.0.0.1::5000"]);
        var otherImage = RunLabelled("other", "--label", "io.ringway.image=ringway/privileged-tool");
        var noImage = RunLabelled("none");
        var provider = test.Provider();
        var replica = Assert.Single(await provider.StartAsync(["A"], CancellationToken.None));

        var listed = await provider.ListAsync(CancellationToken.None);
        await provider.DisposeAsync();

        Assert.Equal([replica], listed);
        Assert.Equal("true", Cli.Run("inspect", "--format", "{{.State.Running}}", otherImage));
        Assert.Equal("true", Cli.Run("inspect", "--format", "{{.State.Running}}", noImage));
        Assert.Equal(new[] { otherImage, noImage }.Order(), test.RunningReplicaContainers().Order()); // the replica itself was removed
    }

    [DockerFact]
    public async Task StartAsync_Replica_CreatedFromConfiguredImageUnprivilegedWithoutBindMounts()
    {
        await using var test = new TestResources();
        await using var provider = test.Provider();

        var replica = Assert.Single(await provider.StartAsync(["A"], CancellationToken.None));

        string Inspect(string format) => Cli.Run("inspect", "--format", format, replica.ProviderId);
        Assert.Equal(DockerEnvironment.ServerImage, Inspect("{{.Config.Image}}"));
        Assert.Equal(DockerEnvironment.ServerImage, Inspect("{{index .Config.Labels \"io.ringway.image\"}}"));
        Assert.Equal("false", Inspect("{{.HostConfig.Privileged}}"));
        Assert.Equal("", Inspect("{{range .HostConfig.Binds}}{{.}} {{end}}"));
        Assert.DoesNotContain("bind", Inspect("{{range .Mounts}}{{.Type}} {{end}}"));
    }

    [DockerFact]
    public async Task WatchExitsAsync_ContainerKilled_YieldsThatReplica()
    {
        await using var test = new TestResources();
        await using var provider = test.Provider();
        var replicas = await provider.StartAsync(["A", "B"], CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var exits = provider.WatchExitsAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);
        var next = exits.MoveNextAsync().AsTask();
        await Task.Delay(500); // let the event stream open (missed events would still come from reconciliation)

        var clock = Stopwatch.StartNew();
        Cli.Run("kill", replicas[1].ProviderId);

        Assert.True(await next);
        output.WriteLine($"die noticed {clock.ElapsedMilliseconds} ms after docker kill was issued");
        Assert.Equal(replicas[1], exits.Current);
    }

    [DockerFact]
    public async Task WatchExitsAsync_StoppedByProvider_IsNotReportedAsFailure()
    {
        await using var test = new TestResources();
        await using var provider = test.Provider();
        var replicas = await provider.StartAsync(["A", "B"], CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var exits = provider.WatchExitsAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);
        var next = exits.MoveNextAsync().AsTask();
        await Task.Delay(500);

        await provider.StopAsync(replicas[0], CancellationToken.None);
        Cli.Run("kill", replicas[1].ProviderId);

        Assert.True(await next);
        Assert.Equal(replicas[1], exits.Current);
    }

    [DockerFact]
    public async Task StartAsync_ImageMissing_ThrowsClearErrorAndLeavesNothing()
    {
        await using var test = new TestResources();
        await using var provider = test.Provider(o => o.Image = "ringway/no-such-image:missing");

        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => provider.StartAsync(["A", "B"], CancellationToken.None));

        Assert.Contains("image 'ringway/no-such-image:missing' is not present", error.Message);
        Assert.Empty(test.AllReplicaContainers());
    }

    [DockerFact]
    public async Task StartAsync_NetworkMissingAndCreationOff_ThrowsClearError()
    {
        await using var test = new TestResources();
        await using var provider = test.Provider(o => o.Network = $"{test.Network}-missing");

        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => provider.StartAsync(["A"], CancellationToken.None));

        Assert.Contains($"network '{test.Network}-missing' does not exist", error.Message);
        Assert.Empty(test.AllReplicaContainers());
    }

    [DockerFact]
    public async Task StartAsync_NetworkMissing_CreatesItAndRemovesItOnShutdown()
    {
        await using var test = new TestResources();
        var network = $"{test.Network}-made";
        var provider = test.Provider(o => { o.Network = network; o.CreateNetwork = true; });

        var replica = Assert.Single(await provider.StartAsync(["A"], CancellationToken.None));
        Assert.Contains("io.ringway.managed", Cli.Run("network", "inspect", "--format", "{{json .Labels}}", network));
        await provider.DisposeAsync();

        Assert.NotEqual(0, Cli.TryRun(TimeSpan.FromSeconds(30), "network", "inspect", network).ExitCode);
        Assert.Empty(test.AllReplicaContainers());
        _ = replica;
    }

    private static async Task WaitUntilListeningAsync(TestResources test, string host)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (Cli.TryRun(TimeSpan.FromSeconds(30), "run", "--rm", "--label", $"{TestResources.TestLabel}={test.Id}", "--network", test.Network,
                    "--entrypoint", "bash", DockerEnvironment.ServerImage, "-c", $"exec 3<>/dev/tcp/{host}/5000").ExitCode == 0)
            {
                return;
            }
            await Task.Delay(200);
        }
    }
}

/// <summary>Docker tests run one at a time: they share one engine on a 2-core machine.</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection
{
    public const string Name = "Docker engine";
}
