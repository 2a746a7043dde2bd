using System.Net;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests.Balancer;

/// <summary>
/// A restarted balancer lists the replicas it adopts oldest first, as the first balancer listed them (SPEC.md: /rep
/// keeps the order replicas were added), even when they were created within the same second.
/// </summary>
[Collection(Containers.DockerCollection.Name)]
public sealed class AdoptionOrderTests(ITestOutputHelper output)
{
    [DockerFact]
    public async Task Restart_KeepBehavior_AdoptedReplicasListedInCreationOrder()
    {
        await using var test = new TestResources();
        IReadOnlyList<string> first;
        await using (var balancer = await TestBalancer.StartAsync(test, output, o => o.OnShutdown = ReplicaShutdownBehavior.Keep))
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
        await using var second = await TestBalancer.StartAsync(test, output);
        var adopted = await second.ReplicasAsync();
        output.WriteLine($"first balancer: {string.Join(", ", first)}; created: {string.Join(", ", created)}; adopted: {string.Join(", ", adopted)}");

        Assert.Equal(created, adopted);
        Assert.Equal(["S5", "S4"], adopted.Skip(3)); // added one after the other: the same order as before the restart
        Assert.Equal(first.Order(), adopted.Order());
    }
}
