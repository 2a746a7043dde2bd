using Ringway.Yarp.Tests.Infrastructure;
using Yarp.ReverseProxy.Model;

namespace Ringway.Yarp.Tests.LoadBalancing;

/// <summary>YARP's active health checks against real backends that start failing, and the keys that move.</summary>
public sealed class HealthTests
{
    public static TheoryData<string> Policies => Library.Policies;

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Pick_DestinationUnhealthy_OnlyItsKeysMoveToTheirNextInOrderAndReturnOnRecovery(string policy)
    {
        await using var backends = await Backends.StartAsync("a", "b", "c", "d");
        await using var gateway = await Gateway.StartAsync(Clusters.Of(policy, backends, activeHealthChecks: true));
        await gateway.WaitForHealthAsync(_ => DestinationHealth.Healthy);
        var algorithm = Library.AlgorithmOf(policy);
        var hash = gateway.CurrentHash();
        var keys = Clusters.Keys(300).ToList();
        var before = await gateway.OwnersAsync(keys);

        backends["b"].Healthy = false;
        await gateway.WaitForHealthAsync(id => id == "b" ? DestinationHealth.Unhealthy : DestinationHealth.Healthy);
        var during = await gateway.OwnersAsync(keys);

        var library = Library.Hash(algorithm, backends.Select(b => b.Id));
        Assert.Contains("b", before.Values);
        foreach (var key in keys)
        {
            var expected = before[key] == "b" ? Library.Order(library, key).First(id => id != "b") : before[key];
            Assert.Equal(expected, during[key]);
        }

        // A health change is not a change of destinations: the same hash serves throughout.
        Assert.Same(hash, gateway.CurrentHash());

        backends["b"].Healthy = true;
        await gateway.WaitForHealthAsync(_ => DestinationHealth.Healthy);
        Assert.Equal(before, await gateway.OwnersAsync(keys));
        Assert.Same(hash, gateway.CurrentHash());
    }

    [Fact]
    public async Task Pick_TwoUnhealthy_KeysSkipBothInPreferenceOrder()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c", "d", "e");
        await using var gateway = await Gateway.StartAsync(Clusters.Of(ConsistentHashPolicies.RendezvousHash, backends, activeHealthChecks: true));
        await gateway.WaitForHealthAsync(_ => DestinationHealth.Healthy);
        var keys = Clusters.Keys(300).ToList();

        backends["a"].Healthy = false;
        backends["c"].Healthy = false;
        await gateway.WaitForHealthAsync(id => id is "a" or "c" ? DestinationHealth.Unhealthy : DestinationHealth.Healthy);
        var during = await gateway.OwnersAsync(keys);

        var library = Library.Hash(Library.AlgorithmOf(ConsistentHashPolicies.RendezvousHash), backends.Select(b => b.Id));
        Assert.All(keys, key => Assert.Equal(Library.Order(library, key).First(id => id is not ("a" or "c")), during[key]));
    }
}
