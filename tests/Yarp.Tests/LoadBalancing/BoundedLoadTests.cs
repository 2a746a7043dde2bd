using Ringway.TestSupport.Waiting;
using Ringway.Yarp.Tests.Infrastructure;

namespace Ringway.Yarp.Tests.LoadBalancing;

/// <summary>Bounded loads on YARP's own count of requests in flight per destination, under real concurrent requests.</summary>
public sealed class BoundedLoadTests
{
    private const int Requests = 12;

    public static TheoryData<string> Policies => Library.Policies;

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Pick_OneHotKeyWithBoundedLoads_SpillsAlongItsPreferenceOrder(string policy)
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        var metadata = new Dictionary<string, string>
        {
            [ConsistentHashMetadata.KeySources] = "query:key",
            [ConsistentHashMetadata.BoundedLoadFactor] = "1.25",
        };
        await using var gateway = await Gateway.StartAsync(Clusters.Of(policy, backends, metadata));

        var held = await HoldRequestsAsync(gateway, backends, "hot");

        // What bounded loads say for 12 requests of one key arriving one after another: a destination is full at
        // ceil(1.25 x (in flight + 1) / 3), and a full one passes the key to the next in its order.
        var order = Library.Order(Library.Hash(Library.AlgorithmOf(policy), backends.Select(b => b.Id)), "hot");
        var expected = backends.ToDictionary(b => b.Id, _ => 0);
        for (var total = 0; total < Requests; total++)
        {
            var capacity = (int)Math.Ceiling(1.25 * (total + 1) / 3);
            expected[order.First(id => expected[id] < capacity)]++;
        }

        Assert.Equal(expected, backends.ToDictionary(b => b.Id, b => b.Waiting));
        Assert.True(expected[order[0]] < Requests, "the hot key's first destination must spill");
        await ReleaseAsync(backends, held);
    }

    [Fact]
    public async Task Pick_OneHotKeyWithoutBoundedLoads_AllOnItsDestination()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        await using var gateway = await Gateway.StartAsync(Clusters.Of(ConsistentHashPolicies.RendezvousHash, backends));

        var held = await HoldRequestsAsync(gateway, backends, "hot");

        var owner = Library.Hash(Library.AlgorithmOf(ConsistentHashPolicies.RendezvousHash), backends.Select(b => b.Id)).GetNode("hot");
        Assert.Equal(Requests, backends[owner].Waiting);
        await ReleaseAsync(backends, held);
    }

    /// <summary>Sends the requests one at a time, each once the one before is held at a backend (so YARP counts it in flight).</summary>
    private static async Task<List<Task<HttpResponseMessage>>> HoldRequestsAsync(Gateway gateway, Backends backends, string key)
    {
        var held = new List<Task<HttpResponseMessage>>();
        for (var i = 1; i <= Requests; i++)
        {
            held.Add(gateway.Client.GetAsync($"/gate?key={key}"));
            var count = i;
            await Eventually.AssertAsync(() => backends.Sum(b => b.Waiting) == count, $"{count} requests held at the backends", TimeSpan.FromSeconds(30));
        }

        return held;
    }

    private static async Task ReleaseAsync(Backends backends, List<Task<HttpResponseMessage>> held)
    {
        foreach (var backend in backends)
        {
            backend.OpenGate();
        }

        foreach (var response in await Task.WhenAll(held))
        {
            Assert.True(response.IsSuccessStatusCode);
            response.Dispose();
        }
    }
}
