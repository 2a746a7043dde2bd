using Microsoft.AspNetCore.Http;
using Ringway.Yarp.Tests.Infrastructure;
using Yarp.ReverseProxy.Model;

namespace Ringway.Yarp.Tests.LoadBalancing;

/// <summary>
/// A pick allocates nothing once the cluster's hash is built (BenchmarkDotNet measures the same in bench/LoadBalancing.Benchmarks,
/// YarpPolicyBenchmarks): counted with the runtime's per-thread allocation counter over many picks.
/// </summary>
public sealed class AllocationTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var policy in new[] { ConsistentHashPolicies.RingHash, ConsistentHashPolicies.Maglev, ConsistentHashPolicies.RendezvousHash, ConsistentHashPolicies.JumpHash })
        {
            foreach (var variant in new[] { "plain", "bounded", "one-unavailable", "keyless", "request-list" })
            {
                data.Add(policy, variant);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pick_HashBuilt_AllocatesNothing(string policy, string variant)
    {
        var metadata = new Dictionary<string, string> { [ConsistentHashMetadata.KeySources] = variant == "keyless" ? "header:X-Absent" : "query:key" };
        if (variant == "bounded")
        {
            metadata[ConsistentHashMetadata.BoundedLoadFactor] = "1.25";
        }

        using var cluster = new StandaloneCluster(policy, metadata, "a", "b", "c", "d", "e");
        if (variant == "one-unavailable")
        {
            cluster.SetAvailable("a", "c", "d", "e");
        }

        // The cluster's own list, as YARP passes it, or a list of the request's (session affinity could narrow it).
        IReadOnlyList<DestinationState> available = variant == "request-list"
            ? [.. cluster.State.DestinationsState.AvailableDestinations.Take(3)]
            : cluster.State.DestinationsState.AvailableDestinations;
        var requests = Enumerable.Range(0, 64).Select(i =>
        {
            var context = new DefaultHttpContext();
            context.Request.QueryString = new QueryString($"?key=user-{i}");
            return (HttpContext)context;
        }).ToArray();

        long Run()
        {
            long checksum = 0;
            foreach (var request in requests)
            {
                checksum += cluster.Policy.PickDestination(request, cluster.State, available)!.DestinationId.Length;
            }

            return checksum;
        }

        Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            Run();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Pick_UnavailableDestination_NeverChosen()
    {
        using var cluster = new StandaloneCluster(ConsistentHashPolicies.RendezvousHash, new Dictionary<string, string> { [ConsistentHashMetadata.KeySources] = "query:key" }, "a", "b", "c");
        cluster.SetAvailable("a", "c");
        var available = cluster.State.DestinationsState.AvailableDestinations;

        for (var i = 0; i < 200; i++)
        {
            var context = new DefaultHttpContext();
            context.Request.QueryString = new QueryString($"?key=user-{i}");
            Assert.NotEqual("b", cluster.Policy.PickDestination(context, cluster.State, available)!.DestinationId);
        }
    }
}
