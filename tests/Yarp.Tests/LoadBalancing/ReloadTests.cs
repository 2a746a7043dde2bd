using Ringway.ConsistentHashing;
using Ringway.TestSupport.Waiting;
using Ringway.Yarp.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;

namespace Ringway.Yarp.Tests.LoadBalancing;

/// <summary>A running gateway whose configuration is reloaded with destinations added or removed.</summary>
public sealed class ReloadTests
{
    private const int KeyCount = 2000;

    public static TheoryData<string> Policies => Library.Policies;

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Reload_DestinationAddedThenRemoved_MovesOnlyTheOptimalShareOfKeys(string policy)
    {
        await using var backends = await Backends.StartAsync("a", "b", "c", "d", "e");
        // "a" joins last but sorts first: a rebuild in id order would shift every Jump bucket.
        await using var gateway = await Gateway.StartAsync(Clusters.Of(policy, backends.Where(b => b.Id != "a")));
        var keys = Clusters.Keys(KeyCount).ToList();
        var four = await gateway.OwnersAsync(keys);

        // Added: a takes about a fifth of the keys, from everyone, and no other key moves.
        await ReloadAsync(gateway, Clusters.Of(policy, backends), count: 5);
        var five = await gateway.OwnersAsync(keys);
        var moved = keys.Where(k => four[k] != five[k]).ToList();
        Assert.InRange(moved.Count, KeyCount * 0.15, KeyCount * (policy == ConsistentHashPolicies.Maglev ? 0.27 : 0.25));
        var toNew = moved.Count(k => five[k] == "a");
        if (policy == ConsistentHashPolicies.Maglev)
        {
            // Maglev refills its table: a few percent of keys move between the old destinations too.
            Assert.True(toNew >= moved.Count * 0.85, $"{toNew} of {moved.Count} moved keys went to the new destination");
        }
        else
        {
            Assert.Equal(moved.Count, toNew);
        }

        // Removed: only c's keys move (Jump: c's bucket is taken over by the last to join, a, whose keys move too).
        await ReloadAsync(gateway, Clusters.Of(policy, backends.Where(b => b.Id != "c")), count: 4);
        var without = await gateway.OwnersAsync(keys);
        moved = keys.Where(k => five[k] != without[k]).ToList();
        var allowed = policy == ConsistentHashPolicies.JumpHash ? new[] { "c", "a" } : ["c"];
        var fromRemoved = moved.Count(k => allowed.Contains(five[k]));
        if (policy == ConsistentHashPolicies.Maglev)
        {
            Assert.True(fromRemoved >= moved.Count * 0.85, $"{fromRemoved} of {moved.Count} moved keys were on the removed destination");
        }
        else
        {
            Assert.Equal(moved.Count, fromRemoved);
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Reload_SameDestinationsOtherSettings_HashKeptAndKeysStay(string policy)
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        var cluster = Clusters.Of(policy, backends);
        await using var gateway = await Gateway.StartAsync(cluster);
        var hash = gateway.CurrentHash();
        var keys = Clusters.Keys(100).ToList();
        var before = await gateway.OwnersAsync(keys);

        // A change YARP applies (a request timeout), with the same destinations.
        var changed = cluster with { HttpRequest = new global::Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(77) } };
        gateway.Reload(changed);
        await Eventually.AssertAsync(() => gateway.Cluster.Model.Config.HttpRequest?.ActivityTimeout == TimeSpan.FromSeconds(77), "the reload to apply", TimeSpan.FromSeconds(30));

        Assert.Same(hash, gateway.CurrentHash());
        Assert.Equal(before, await gateway.OwnersAsync(keys));
    }

    [Fact]
    public async Task Reload_AnotherPolicy_HashRebuiltWithItsAlgorithm()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c", "d");
        await using var gateway = await Gateway.StartAsync(Clusters.Of(ConsistentHashPolicies.RendezvousHash, backends));
        var keys = Clusters.Keys(200).ToList();
        await gateway.OwnersAsync(keys);

        gateway.Reload(Clusters.Of(ConsistentHashPolicies.Maglev, backends));
        await Eventually.AssertAsync(() => gateway.Cluster.Model.Config.LoadBalancingPolicy == ConsistentHashPolicies.Maglev, "the reload to apply", TimeSpan.FromSeconds(30));

        Assert.Equal(ConsistentHashAlgorithm.Maglev, gateway.CurrentHash().Algorithm);
        var maglev = Library.Hash(ConsistentHashAlgorithm.Maglev, backends.Select(b => b.Id));
        Assert.All(await gateway.OwnersAsync(keys), pair => Assert.Equal(maglev.GetNode(pair.Key), pair.Value));
    }

    private static async Task ReloadAsync(Gateway gateway, ClusterConfig cluster, int count)
    {
        gateway.Reload(cluster);
        await Eventually.AssertAsync(() => gateway.Cluster.DestinationsState.AllDestinations.Count == count, $"{count} destinations after the reload", TimeSpan.FromSeconds(30));
        Assert.Equal(count, gateway.CurrentHash().Count);
    }
}
