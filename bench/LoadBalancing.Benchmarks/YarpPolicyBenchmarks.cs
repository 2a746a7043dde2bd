using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Ringway.Yarp;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ringway.LoadBalancing.Benchmarks;

/// <summary>
/// One YARP load-balancing pick, as YARP's load-balancing middleware makes it: Ringway's policies (key from the query
/// string, hash lookup, availability) against YARP's own PowerOfTwoChoices, over the cluster's list of available
/// destinations. The cluster's hash is built in setup, as YARP's configuration change would build it. 1,024 requests
/// with different keys per invocation.
/// </summary>
[MemoryDiagnoser]
public class YarpPolicyBenchmarks
{
    private const int RequestCount = 1024;
    private ServiceProvider _services = null!;
    private ILoadBalancingPolicy _policy = null!;
    private ClusterState _cluster = null!;
    private IReadOnlyList<DestinationState> _available = null!;
    private HttpContext[] _requests = null!;

    /// <summary>What the cluster looks like: all destinations available, one taken out by health checks, or bounded loads on.</summary>
    public enum Situation
    {
        AllAvailable,
        OneUnavailable,
        BoundedLoads,
    }

    [Params("PowerOfTwoChoices", ConsistentHashPolicies.RendezvousHash, ConsistentHashPolicies.Maglev, ConsistentHashPolicies.RingHash, ConsistentHashPolicies.JumpHash)]
    public string Policy { get; set; } = "";

    [Params(Situation.AllAvailable, Situation.OneUnavailable, Situation.BoundedLoads)]
    public Situation Case { get; set; }

    [Params(4, 32)]
    public int Destinations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddLogging().AddReverseProxy().AddConsistentHashing().Services.BuildServiceProvider();
        _policy = _services.GetServices<ILoadBalancingPolicy>().Single(p => p.Name == Policy);
        var metadata = new Dictionary<string, string> { [ConsistentHashMetadata.KeySources] = "header:X-User-Id, query:key" };
        if (Case == Situation.BoundedLoads)
        {
            metadata[ConsistentHashMetadata.BoundedLoadFactor] = "1.25";
        }

        var config = new ClusterConfig
        {
            ClusterId = "bench",
            LoadBalancingPolicy = Policy,
            Metadata = metadata,
            Destinations = Enumerable.Range(1, Destinations).ToDictionary(i => $"server-{i}", i => new DestinationConfig { Address = $"http://127.0.0.1:{5000 + i}/" }),
        };
        _cluster = new ClusterState(config.ClusterId, new ClusterModel(config, new HttpMessageInvoker(new SocketsHttpHandler())));
        foreach (var (id, destination) in config.Destinations)
        {
            _cluster.Destinations[id] = new DestinationState(id, new DestinationModel(destination));
        }

        var all = _cluster.Destinations.Values.ToList();
        _cluster.DestinationsState = new ClusterDestinationsState(all, Case == Situation.OneUnavailable ? all.Skip(1).ToList() : all);
        _available = _cluster.DestinationsState.AvailableDestinations;
        _requests = [.. RandomKeys.Create(RequestCount).Select(Request)];
        Pick();
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(OperationsPerInvoke = RequestCount, Description = "PickDestination")]
    public int Pick()
    {
        var sum = 0;
        foreach (var context in _requests)
        {
            sum += _policy.PickDestination(context, _cluster, _available)!.DestinationId.Length;
        }

        return sum;
    }

    /// <summary>A request as Kestrel hands it over, its query string parsed once (the first request on a connection would).</summary>
    private static HttpContext Request(string key)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/home";
        context.Request.QueryString = new QueryString("?key=" + key);
        _ = context.Request.Headers["X-User-Id"];
        return context;
    }
}
