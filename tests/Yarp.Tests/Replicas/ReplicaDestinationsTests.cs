using System.Globalization;
using Ringway.ConsistentHashing;
using Ringway.TestSupport.Http;
using Ringway.TestSupport.Processes;
using Ringway.Yarp.Tests.Infrastructure;

namespace Ringway.Yarp.Tests.Replicas;

/// <summary>
/// Replicas that the balancer's supervisor starts, heartbeats, replaces and changes through /add and /rm, as a YARP
/// cluster's destinations: real YARP and Kestrel, real child processes of the sample server.
/// </summary>
public sealed class ReplicaDestinationsTests
{
    private static readonly string[] Keys = [.. Clusters.Keys(40)];

    [Fact]
    public async Task Replicas_Started_AreTheDestinationsAndKeysRouteAsTheHashingLibrarySays()
    {
        await using var gateway = await ReplicaGateway.StartAsync(replicas: 3);
        await gateway.WaitForDestinationsAsync(3);
        Assert.Equal(["Server 1", "Server 2", "Server 3"], gateway.DestinationIds);

        var hash = Library.Hash(ConsistentHashAlgorithm.Rendezvous, gateway.DestinationIds);
        var first = await gateway.OwnersAsync(Keys);
        Assert.All(Keys, key => Assert.Equal(hash.GetNode(key), first[key]));
        Assert.Equal(first, await gateway.OwnersAsync(Keys));
        Assert.Equal(3, first.Values.Distinct().Count());
    }

    [Fact]
    public async Task ReplicaKilled_ReplacedAndTheDestinationsFollow_OnlyItsKeysAndTheNewcomersMove()
    {
        await using var gateway = await ReplicaGateway.StartAsync(replicas: 3);
        await gateway.WaitForDestinationsAsync(3);
        var before = await gateway.OwnersAsync(Keys);
        var victim = gateway.Replicas.RoutableReplicas.Single(r => r.Hostname == "Server 2");

        Assert.True(ProcessTable.Signal(int.Parse(victim.ProviderId, CultureInfo.InvariantCulture), ProcessTable.SigKill));

        // Replaced under a new name: three destinations again, none of them the killed one.
        await gateway.WaitForDestinationsAsync(3, ids => !ids.Contains("Server 2"));
        var newcomer = gateway.DestinationIds.Single(id => id is not ("Server 1" or "Server 3"));
        var after = await gateway.OwnersAsync(Keys);
        var hash = Library.Hash(ConsistentHashAlgorithm.Rendezvous, gateway.DestinationIds);
        Assert.All(Keys, key => Assert.Equal(hash.GetNode(key), after[key]));

        // A key moved only if its replica died or the replacement took it.
        Assert.All(Keys.Where(k => before[k] != after[k]), key => Assert.True(before[key] == "Server 2" || after[key] == newcomer, key));
    }

    [Fact]
    public async Task AdminAddAndRemove_ChangeTheDestinations()
    {
        await using var gateway = await ReplicaGateway.StartAsync(replicas: 2);
        await gateway.WaitForDestinationsAsync(2);

        using (var added = await gateway.Client.AddReplicasAsync(1, "Extra"))
        {
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }

        await gateway.WaitForDestinationsAsync(3, ids => ids.Contains("Extra"));
        var withExtra = await gateway.OwnersAsync(Keys);
        Assert.Contains("Extra", withExtra.Values);

        using (var removed = await gateway.Client.RemoveReplicasAsync(1, "Server 1"))
        {
            Assert.True(removed.IsSuccessStatusCode, await removed.Content.ReadAsStringAsync());
        }

        await gateway.WaitForDestinationsAsync(2, ids => !ids.Contains("Server 1"));
        Assert.Equal(["Server 2", "Extra"], await gateway.Client.GetReplicasAsync());
        var after = await gateway.OwnersAsync(Keys);
        var hash = Library.Hash(ConsistentHashAlgorithm.Rendezvous, ["Extra", "Server 2"]);
        Assert.All(Keys, key => Assert.Equal(hash.GetNode(key), after[key]));

        // Only the removed replica's keys moved.
        Assert.All(Keys.Where(k => withExtra[k] != "Server 1"), key => Assert.Equal(withExtra[key], after[key]));
    }
}
