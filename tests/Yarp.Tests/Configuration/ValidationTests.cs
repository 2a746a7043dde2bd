using Microsoft.Extensions.DependencyInjection;
using Ringway.TestSupport.Waiting;
using Ringway.Yarp.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration.ClusterValidators;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ringway.Yarp.Tests.Configuration;

/// <summary>Bad metadata is refused when YARP loads the configuration, at start and on a reload.</summary>
public sealed class ValidationTests
{
    public static TheoryData<string, string, string, string> BadMetadata => new()
    {
        { ConsistentHashPolicies.RendezvousHash, "Ringway.Factor", "2", "'Ringway.Factor' is not a parameter of load-balancing policy 'RendezvousHash'" },
        { ConsistentHashPolicies.RingHash, ConsistentHashMetadata.MaglevTableSize, "65537", "'Ringway.MaglevTableSize' is not a parameter of load-balancing policy 'RingHash'" },
        { ConsistentHashPolicies.RendezvousHash, ConsistentHashMetadata.KeySources, "header:X-User, hedaer:X-Tenant", "'hedaer:X-Tenant' is invalid" },
        { ConsistentHashPolicies.RendezvousHash, ConsistentHashMetadata.KeySources, "query:", "'query:' is invalid" },
        { ConsistentHashPolicies.Maglev, ConsistentHashMetadata.BoundedLoadFactor, "1", "'Ringway.BoundedLoadFactor' = '1'" },
        { ConsistentHashPolicies.JumpHash, ConsistentHashMetadata.BoundedLoadFactor, "0.9", "'Ringway.BoundedLoadFactor' = '0.9'" },
        { ConsistentHashPolicies.RingHash, ConsistentHashMetadata.BoundedLoadFactor, "fast", "'Ringway.BoundedLoadFactor' = 'fast'" },
        { ConsistentHashPolicies.RingHash, ConsistentHashMetadata.BoundedLoadFactor, "Infinity", "'Ringway.BoundedLoadFactor' = 'Infinity'" },
        { ConsistentHashPolicies.RingHash, ConsistentHashMetadata.PointsPerWeight, "0", "'Ringway.PointsPerWeight' = '0'" },
        { ConsistentHashPolicies.Maglev, ConsistentHashMetadata.MaglevTableSize, "65536", "65536 is not" },
        { ConsistentHashPolicies.Maglev, ConsistentHashMetadata.MaglevTableSize, "307", "it is 307" },
    };

    [Theory]
    [MemberData(nameof(BadMetadata))]
    public async Task Start_BadMetadata_RefusedNamingTheClusterAndTheValue(string policy, string key, string value, string expected)
    {
        await using var backends = await Backends.StartAsync("a", "b", "c", "d");
        var metadata = new Dictionary<string, string> { [ConsistentHashMetadata.KeySources] = "query:key", [key] = value };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Gateway.StartAsync(Clusters.Of(policy, backends, metadata)));

        var messages = Flatten(error).Select(e => e.Message).ToList();
        Assert.Contains(messages, m => m.Contains($"Cluster '{Gateway.ClusterId}'", StringComparison.Ordinal) && m.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_RingwayMetadataOnAnotherPolicy_NotRead()
    {
        await using var backends = await Backends.StartAsync("a", "b");
        var metadata = new Dictionary<string, string> { [ConsistentHashMetadata.KeySources] = "hedaer:X", ["Ringway.Factor"] = "2" };

        await using var gateway = await Gateway.StartAsync(Clusters.Of(LoadBalancingPolicies.PowerOfTwoChoices, backends, metadata));

        Assert.Contains(await gateway.OwnerAsync("k"), new[] { "a", "b" });
    }

    [Fact]
    public async Task Start_MetadataKeysAnyCase_Read()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        var metadata = new Dictionary<string, string> { ["ringway.keysources"] = "header:X-User", ["RINGWAY.BOUNDEDLOADFACTOR"] = "1.5" };
        await using var gateway = await Gateway.StartAsync(Clusters.Of("rendezvoushash", backends, metadata));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.Add("X-User", "user-7");
        using var response = await gateway.Client.SendAsync(request);

        var library = Library.Hash(Library.AlgorithmOf(ConsistentHashPolicies.RendezvousHash), backends.Select(b => b.Id));
        Assert.Equal(library.GetNode("user-7"), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Reload_BadMetadata_GatewayKeepsItsLastGoodConfiguration()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        await using var gateway = await Gateway.StartAsync(Clusters.Of(ConsistentHashPolicies.RendezvousHash, backends));
        var keys = Clusters.Keys(100).ToList();
        var before = await gateway.OwnersAsync(keys);

        // Bad: a malformed key source, together with a change of destinations that must not happen either.
        var bad = Clusters.Of(ConsistentHashPolicies.RendezvousHash, backends.Take(2), new Dictionary<string, string> { [ConsistentHashMetadata.KeySources] = "hedaer:X-User" });
        gateway.Reload(bad);
        await Eventually.AssertAsync(() => gateway.FailedReloads.Count == 1, "YARP to report the refused configuration", TimeSpan.FromSeconds(30));

        Assert.Contains(Flatten(gateway.FailedReloads[0]), e => e.Message.Contains("Cluster 'backends'", StringComparison.Ordinal) && e.Message.Contains("'hedaer:X-User'", StringComparison.Ordinal));
        Assert.Equal(3, gateway.Cluster.Destinations.Count);
        Assert.Equal(before, await gateway.OwnersAsync(keys));

        // A good configuration after it applies.
        gateway.Reload(Clusters.Of(ConsistentHashPolicies.RendezvousHash, backends.Take(2)));
        await Eventually.AssertAsync(() => gateway.Cluster.DestinationsState.AllDestinations.Count == 2, "the good configuration to apply", TimeSpan.FromSeconds(30));
        Assert.All((await gateway.OwnersAsync(keys)).Values, owner => Assert.NotEqual("c", owner));
    }

    [Fact]
    public void AddConsistentHashing_CalledTwice_RegistersOnce()
    {
        var once = new ServiceCollection();
        once.AddReverseProxy().AddConsistentHashing();
        var twice = new ServiceCollection();
        twice.AddReverseProxy().AddConsistentHashing().AddConsistentHashing();

        Assert.Equal(once.Count, twice.Count);
        using var provider = twice.AddLogging().BuildServiceProvider();
        var names = provider.GetServices<ILoadBalancingPolicy>().Select(p => p.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Subset(names.ToHashSet(), new HashSet<string> { "RingHash", "Maglev", "RendezvousHash", "JumpHash" });
        Assert.Single(provider.GetServices<IClusterValidator>(), v => v.GetType().Name == "ConsistentHashClusterValidator");
        Assert.Single(provider.GetServices<IClusterChangeListener>(), l => l.GetType().Name == "ClusterHashes");
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
