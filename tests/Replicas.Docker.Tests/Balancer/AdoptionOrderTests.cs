using System.Net;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests.Balancer;

/// <summary>
/// A restarted balancer lists the replicas it adopts in the order the first balancer listed them (docs/contract.md: /rep keeps
/// the order replicas were added), even for replicas created concurrently within the same second (the order label).
/// </summary>
[Collection(Containers.DockerCollection.Name)]
public sealed class AdoptionOrderTests(ITestOutputHelper output)
{
    [DockerFact]
    public async Task Restart_KeepBehavior_AdoptedReplicasListedInCreationOrder()
    {
        await using var test = new TestResources();
        IReadOnlyList<string> first;
        await using (var balancer = await ContainerBalancer.StartAsync(test, output, o => o.OnShutdown = ReplicaShutdownBehavior.Keep))
        {
            foreach (var hostname in new[] { "S5", "S4" })
            {
                using var added = await balancer.AddAsync(1, hostname);
                Assert.Equal(HttpStatusCode.OK, added.StatusCode);
            }
            first = await balancer.ReplicasAsync();
        }

        // The engine's own creation order (docker ps lists newest first, to the nanosecond).
        var created = test.RunningReplicaContainers()
            .Select(id => Cli.Run("inspect", "--format", "{{index .Config.Labels \"io.ringway.hostname\"}}", id))
            .Reverse()
            .ToList();
        await using var second = await ContainerBalancer.StartAsync(test, output);
        var adopted = await second.ReplicasAsync();
        output.WriteLine($"first balancer: {string.Join(", ", first)}; created: {string.Join(", ", created)}; adopted: {string.Join(", ", adopted)}");

        // Exactly the first balancer's order, including Server 1..3, which were created concurrently.
        Assert.Equal(["Server 1", "Server 2", "Server 3", "S5", "S4"], first);
        Assert.Equal(first, adopted);
    }
}
