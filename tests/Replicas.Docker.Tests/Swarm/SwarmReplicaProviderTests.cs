using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.TestSupport.Logging;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests.Swarm;

[Collection(Containers.DockerCollection.Name)]
public sealed class SwarmReplicaProviderTests(SwarmFixture swarm, ITestOutputHelper output) : IClassFixture<SwarmFixture>, IAsyncLifetime
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..10];

    private string Instance => $"test-{_id}";

    private string Overlay => $"ringway-test-ov-{_id}";

    private SwarmReplicaProvider Provider(Action<SwarmReplicaOptions>? configure = null)
    {
        _ = swarm;
        var options = new SwarmReplicaOptions
        {
            Image = DockerEnvironment.ServerImage,
            Network = Overlay,
            InstanceName = Instance,
            StopTimeout = TimeSpan.FromSeconds(1),
            RestartDelay = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        return new SwarmReplicaProvider(Options.Create(options), new TestOutputLogger<SwarmReplicaProvider>(output));
    }

    [DockerFact]
    public async Task StartAsync_OneTaskService_LabelledAndReachableOverTheOverlayByNameAndAlias()
    {
        var provider = Provider();
        var replica = Assert.Single(await provider.StartAsync(["Server 1"], CancellationToken.None));

        var serviceName = Cli.Run("service", "inspect", "--format", "{{.Spec.Name}}", replica.ProviderId);
        Assert.Equal($"http://{serviceName}:5000/", replica.Address.ToString());
        Assert.Contains($"\"io.ringway.instance\":\"{Instance}\"", Cli.Run("service", "inspect", "--format", "{{json .Spec.Labels}}", replica.ProviderId));
        Assert.Equal("1", Cli.Run("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", replica.ProviderId));
        Assert.Contains("Hello from Server: Server 1", await GetOverOverlayAsync(serviceName));
        Assert.Contains("Hello from Server: Server 1", await GetOverOverlayAsync("server-1"));

        await provider.DisposeAsync();

        Assert.Empty(OwnServices());
        // The manager deletes the overlay at once; the node drops its local copy a moment later.
        Assert.True(await Eventually.TrueAsync(() => Cli.TryRun(TimeSpan.FromSeconds(30), "network", "inspect", Overlay).ExitCode != 0, TimeSpan.FromSeconds(30), pollMilliseconds: 200));
    }

    [DockerFact]
    public async Task KilledTask_SwarmStartsANewOne_ReplicaAnswersAgainAtTheSameAddress()
    {
        await using var provider = Provider(o => o.UsePublishedPorts = true);
        var replica = Assert.Single(await provider.StartAsync(["A"], CancellationToken.None));
        var (status, _) = await Http.GetWhenUpAsync(replica.Address, "/home", TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, status);
        var first = TaskContainer(replica.ProviderId);

        var clock = Stopwatch.StartNew();
        Cli.Run("kill", first);

        Assert.True(await Eventually.TrueAsync(() => TaskContainer(replica.ProviderId) is { Length: > 0 } c && c != first, TimeSpan.FromSeconds(60), pollMilliseconds: 200));
        (status, var body) = await Http.GetWhenUpAsync(replica.Address, "/home", TimeSpan.FromSeconds(60));
        output.WriteLine($"task answered again {clock.ElapsedMilliseconds} ms after docker kill");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Hello from Server: A", body);
        Assert.Equal([replica], await provider.ListAsync(CancellationToken.None));
    }

    [DockerFact]
    public async Task StopAsync_ServiceWithoutLabels_IsRefusedAndLeftRunning()
    {
        await using var provider = Provider();
        var replica = Assert.Single(await provider.StartAsync(["A"], CancellationToken.None));
        var stranger = Cli.Run("service", "create", "-d", "-q", "--name", $"ringway-a-{_id[..6]}", "--label", $"{TestResources.TestLabel}={_id}",
            DockerEnvironment.ServerImage);

        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => provider.StopAsync(replica with { ProviderId = stranger }, CancellationToken.None));
        await provider.StopAsync(replica, CancellationToken.None);

        Assert.Contains("does not carry this balancer's labels", error.Message);
        Assert.Empty(OwnServices());
        Assert.Equal(stranger, Cli.Run("service", "inspect", "--format", "{{.ID}}", stranger));
        Assert.DoesNotContain(stranger, (await provider.ListAsync(CancellationToken.None)).Select(r => r.ProviderId));
    }

    [DockerFact]
    public async Task ListAsync_NewProviderSameInstance_AdoptsServices()
    {
        IReadOnlyList<Replica> started;
        await using (var first = Provider(o => o.OnShutdown = ReplicaShutdownBehavior.Keep))
        {
            started = await first.StartAsync(["A", "B"], CancellationToken.None);
        }
        await using var second = Provider();

        var adopted = await second.ListAsync(CancellationToken.None);

        Assert.Equal(started.OrderBy(r => r.Hostname), adopted.OrderBy(r => r.Hostname));
    }

    [DockerFact]
    public async Task StartAsync_OverlayMissingAndCreationOff_ThrowsClearError()
    {
        await using var provider = Provider(o => o.CreateNetwork = false);

        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => provider.StartAsync(["A"], CancellationToken.None));

        Assert.Contains($"overlay network '{Overlay}' does not exist", error.Message);
        Assert.Empty(OwnServices());
        Assert.NotEqual(0, Cli.TryRun(TimeSpan.FromSeconds(30), "network", "inspect", Overlay).ExitCode);
    }

    [DockerFact]
    public async Task StartAsync_NetworkIsABridge_ThrowsClearErrorAndLeavesTheNetworkAlone()
    {
        // Named like the overlay, so this class's clean-up removes it.
        Cli.Run("network", "create", "--driver", "bridge", "--label", $"{TestResources.TestLabel}={_id}", Overlay);
        var provider = Provider();

        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => provider.StartAsync(["A"], CancellationToken.None));
        await provider.DisposeAsync();

        Assert.Contains($"network '{Overlay}' is a bridge network, not an overlay network", error.Message);
        Assert.Empty(OwnServices());
        Assert.Equal("bridge", Cli.Run("network", "inspect", "--format", "{{.Driver}}", Overlay));
    }

    private string[] OwnServices() =>
        Cli.Run("service", "ls", "-q", "--filter", $"label=io.ringway.instance={Instance}").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string TaskContainer(string serviceId) =>
        Cli.Run("ps", "-q", "--no-trunc", "--filter", $"label=com.docker.swarm.service.id={serviceId}", "--filter", "status=running").Split('\n')[0].Trim();

    private Task<string> GetOverOverlayAsync(string host) => OverlayProbe.GetHomeAsync(_id, Overlay, host);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (DockerEnvironment.Requirement.Missing is not null)
        {
            return Task.CompletedTask;
        }
        foreach (var filter in new[] { $"label=io.ringway.instance={Instance}", $"label={TestResources.TestLabel}={_id}" })
        {
            var services = Cli.Run("service", "ls", "-q", "--filter", filter).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (services.Length > 0)
            {
                Cli.TryRun(TimeSpan.FromMinutes(1), ["service", "rm", .. services]);
            }
            var containers = Cli.Run("ps", "-aq", "--filter", filter).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (containers.Length > 0)
            {
                Cli.TryRun(TimeSpan.FromMinutes(1), ["rm", "-f", .. containers]);
            }
        }
        // Task containers leave the overlay shortly after their service is removed.
        for (var attempt = 0; attempt < 30 && Cli.TryRun(TimeSpan.FromSeconds(30), "network", "inspect", Overlay).ExitCode == 0; attempt++)
        {
            if (Cli.TryRun(TimeSpan.FromSeconds(30), "network", "rm", Overlay).ExitCode == 0)
            {
                break;
            }
            Thread.Sleep(500);
        }
        return Task.CompletedTask;
    }
}
