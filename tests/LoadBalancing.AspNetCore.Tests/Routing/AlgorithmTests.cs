using System.Net;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Routing;

public sealed class AlgorithmTests : BackendsPerTest
{
    public AlgorithmTests()
        : base("A", "B", "C")
    {
    }

    [Theory]
    [InlineData(ConsistentHashAlgorithm.Ring)]
    [InlineData(ConsistentHashAlgorithm.Maglev)]
    [InlineData(ConsistentHashAlgorithm.Rendezvous)]
    [InlineData(ConsistentHashAlgorithm.Jump)]
    public async Task Forward_EachAlgorithm_KeysStickAndSpread(ConsistentHashAlgorithm algorithm)
    {
        await using var balancer = await TestBalancer.StartAsync(Backends, o =>
        {
            o.Hashing.Algorithm = algorithm;
            o.Keys.Sources.Add("query:key");
        });
        var owners = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            var first = await balancer.Client.GetStringAsync($"/whoami?key=k{i}");
            Assert.Equal(first, await balancer.Client.GetStringAsync($"/whoami?key=k{i}"));
            owners.Add(first);
        }

        Assert.Equal(3, owners.Count);
        Assert.Equal(algorithm, balancer.Table.Current.Hash!.Algorithm);
    }

    [Fact]
    public async Task Forward_BoundedLoads_HotKeyOverflowsToOtherReplicas()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends, o =>
        {
            o.Hashing.BoundedLoadFactor = 1.25;
            o.Keys.Sources.Add("query:key");
        });
        foreach (var backend in Backends)
        {
            backend.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        // 12 requests in flight for one key: its replica's capacity is ceil(1.25 x 12 / 3) = 5, the rest go elsewhere.
        var requests = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < 12; i++)
        {
            requests.Add(balancer.Client.GetAsync("/gate?key=hot"));
            await Eventually.AssertAsync(() => balancer.Table.Current.Replicas.Sum(r => r.InFlight) == requests.Count, "request in flight", TimeSpan.FromSeconds(10));
        }

        foreach (var backend in Backends)
        {
            backend.Gate.TrySetResult();
        }

        var answers = new List<string>();
        foreach (var request in requests)
        {
            using var response = await request;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(3, answers.Distinct().Count());
        Assert.True(answers.GroupBy(a => a).Max(g => g.Count()) <= 5, string.Join(",", answers));
    }
}
