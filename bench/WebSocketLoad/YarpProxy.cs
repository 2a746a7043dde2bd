using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ringway.Benchmarks.WebSocketLoad;

/// <summary>
/// YARP's reverse proxy in front of the same replicas, as a user would bolt key routing onto it: one catch-all route, a
/// cluster of the replicas, a policy that picks a destination by a hash of <c>?key=</c>. WebSockets pass by YARP's defaults.
/// </summary>
internal static class YarpProxy
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var backends = (builder.Configuration["backends"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var destinations = backends.Select((address, i) => (i, address)).ToDictionary(x => $"d{x.i}", x => new DestinationConfig { Address = x.address });
        builder.Services.AddSingleton<ILoadBalancingPolicy, KeyHashPolicy>();
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "replicas", Match = new RouteMatch { Path = "{**catch-all}" } }],
            [new ClusterConfig { ClusterId = "replicas", LoadBalancingPolicy = KeyHashPolicy.PolicyName, Destinations = destinations }]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.RunAsync();
        return 0;
    }

    private sealed class KeyHashPolicy : ILoadBalancingPolicy
    {
        public const string PolicyName = "KeyHash";
        private int _next;

        public string Name => PolicyName;

        public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
        {
            if (availableDestinations.Count == 0)
            {
                return null;
            }

            var key = context.Request.Query["key"].ToString();
            var hash = key.Length == 0 ? Interlocked.Increment(ref _next) : StringComparer.Ordinal.GetHashCode(key);
            return availableDestinations[(int)((uint)hash % (uint)availableDestinations.Count)];
        }
    }
}
