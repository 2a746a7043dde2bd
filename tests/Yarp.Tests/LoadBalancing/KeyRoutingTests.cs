using Ringway.Yarp.Tests.Infrastructure;

namespace Ringway.Yarp.Tests.LoadBalancing;

/// <summary>Requests through a real YARP gateway with a Ringway policy, to real backends.</summary>
public sealed class KeyRoutingTests
{
    public static TheoryData<string> Policies => Library.Policies;

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Pick_SameKey_SameDestinationEveryTime(string policy)
    {
        await using var backends = await Backends.StartAsync("a", "b", "c", "d");
        await using var gateway = await Gateway.StartAsync(Clusters.Of(policy, backends));

        var first = await gateway.OwnersAsync(Clusters.Keys(60));
        var second = await gateway.OwnersAsync(Clusters.Keys(60));

        Assert.Equal(first, second);
        Assert.True(first.Values.Distinct().Count() >= 3, "60 keys should reach most of 4 destinations");
    }

    [Theory]
    [InlineData("header:X-User", "/whoami", "X-User")]
    [InlineData("cookie:session", "/whoami", "Cookie")]
    [InlineData("route:userId", "/users/{0}/profile", null)]
    [InlineData("path", "/users/{0}/profile", null)]
    public async Task Pick_EachKeySource_SameKeySameDestination(string source, string path, string? header)
    {
        await using var backends = await Backends.StartAsync("a", "b", "c", "d");
        var metadata = new Dictionary<string, string> { [ConsistentHashMetadata.KeySources] = $"header:X-Absent, {source}" };
        await using var gateway = await Gateway.StartAsync(Clusters.Of(ConsistentHashPolicies.RendezvousHash, backends, metadata));
        var hash = Library.Hash(Library.AlgorithmOf(ConsistentHashPolicies.RendezvousHash), backends.Select(b => b.Id));

        foreach (var key in Clusters.Keys(20))
        {
            var uri = string.Format(System.Globalization.CultureInfo.InvariantCulture, path, key);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (header is not null)
            {
                request.Headers.Add(header, header == "Cookie" ? $"other=1; session={key}" : key);
            }

            using var response = await gateway.Client.SendAsync(request);
            var hashed = source == "path" ? uri : key;
            Assert.Equal(hash.GetNode(hashed), await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Pick_NoKey_RandomIdSpreadsRequests()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c", "d");
        await using var gateway = await Gateway.StartAsync(Clusters.Of(ConsistentHashPolicies.RendezvousHash, backends));

        var owners = new HashSet<string>();
        for (var i = 0; i < 60; i++)
        {
            owners.Add(await gateway.Client.GetStringAsync("/whoami"));
        }

        Assert.True(owners.Count >= 3, string.Join(",", owners));
    }

    [Theory]
    [InlineData(ConsistentHashPolicies.RingHash, 0.25)]
    [InlineData(ConsistentHashPolicies.Maglev, 0.12)]
    [InlineData(ConsistentHashPolicies.RendezvousHash, 0.12)]
    [InlineData(ConsistentHashPolicies.JumpHash, 0.12)]
    public async Task Pick_RandomKeys_SpreadWithinTheAlgorithmsBalance(string policy, double tolerance)
    {
        // Ring's shares vary by about 1/sqrt(160 points); the others are balanced up to sampling noise (about 4% here).
        // Fixed pseudo-random keys, so the test gives the same answer on every run.
        await using var backends = await Backends.StartAsync("a", "b", "c", "d");
        await using var gateway = await Gateway.StartAsync(Clusters.Of(policy, backends));
        var random = new Random(2024);
        var keys = Enumerable.Range(0, 2000).Select(_ => random.NextInt64().ToString("x", System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var owners = await gateway.OwnersAsync(keys);

        var mean = keys.Count / 4.0;
        foreach (var backend in backends)
        {
            var share = owners.Values.Count(o => o == backend.Id);
            Assert.InRange(share, mean * (1 - tolerance), mean * (1 + tolerance));
        }
    }
}
