using System.Diagnostics;
using System.Net;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests.Balancer;

/// <summary>
/// The engine restarts under a running balancer: routing carries on where it can, the provider reconnects, and N replicas
/// run again afterwards. Restarts only an engine that .ci/docker-setup.sh started (it leaves /run/ringway-dockerd.args).
/// </summary>
[Collection(Containers.DockerCollection.Name)]
public sealed class EngineRestartTests(ITestOutputHelper output)
{
    [LocalEngineFact]
    public async Task EngineRestart_WhileBalancerRuns_NReplicasRunAgain()
    {
        await using var test = new TestResources();
        await using var balancer = await ContainerBalancer.StartAsync(test, output);
        Assert.Equal(3, test.RunningReplicaContainers().Count);

        var clock = Stopwatch.StartNew();
        LocalEngine.Restart(); // SIGTERM, as a service manager would, then the same arguments again
        var engineBack = clock.Elapsed;

        var restored = await Eventually.TrueAsync(() => test.RunningReplicaContainers().Count == 3, TimeSpan.FromSeconds(60), pollMilliseconds: 200);
        var replicas = await balancer.ReplicasAsync();
        output.WriteLine($"engine down and up again in {engineBack.TotalMilliseconds:F0} ms; 3 replicas running again after {clock.Elapsed.TotalMilliseconds:F0} ms: {string.Join(", ", replicas)}");

        Assert.True(restored);
        Assert.Equal(3, replicas.Count);
        // The dead ones are removed, not left behind (once the provider is back on the engine's event stream).
        Assert.True(await Eventually.TrueAsync(() => test.AllReplicaContainers().Count == 3, TimeSpan.FromSeconds(30), pollMilliseconds: 200));
        HttpStatusCode status = 0;
        Assert.True(await Eventually.TrueAsync(() =>
        {
            using var home = balancer.Client.GetAsync("/home").GetAwaiter().GetResult();
            status = home.StatusCode;
            return status == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), pollMilliseconds: 200), $"/home answered {status}");
    }
}
