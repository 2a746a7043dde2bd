using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ringway.Yarp.Tests.Infrastructure;

/// <summary>
/// A YARP cluster's runtime state built by hand (as YARP's own tests do), and Ringway's policies from a service
/// provider: for looking at single picks without sockets, such as what they allocate.
/// </summary>
internal sealed class StandaloneCluster : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler());

    public StandaloneCluster(string policy, IReadOnlyDictionary<string, string> metadata, params string[] ids)
    {
        _services = new ServiceCollection().AddLogging().AddReverseProxy().AddConsistentHashing().Services.BuildServiceProvider();
        Policy = _services.GetServices<ILoadBalancingPolicy>().Single(p => p.Name == policy);
        var config = new ClusterConfig
        {
            ClusterId = "standalone",
            LoadBalancingPolicy = policy,
            Metadata = metadata,
            Destinations = ids.ToDictionary(id => id, id => new DestinationConfig { Address = $"http://{id}.invalid/" }),
        };
        State = new ClusterState(config.ClusterId, new ClusterModel(config, _client));
        foreach (var (id, destination) in config.Destinations)
        {
            State.Destinations[id] = new DestinationState(id, new DestinationModel(destination));
        }

        var all = State.Destinations.Values.ToList();
        State.DestinationsState = new ClusterDestinationsState(all, all);
    }

    public ILoadBalancingPolicy Policy { get; }

    public ClusterState State { get; }

    /// <summary>Marks only <paramref name="ids"/> available, as YARP's health checks would (the list of all is kept).</summary>
    public void SetAvailable(params string[] ids)
    {
        var all = State.DestinationsState.AllDestinations;
        State.DestinationsState = new ClusterDestinationsState(all, [.. all.Where(d => ids.Contains(d.DestinationId))]);
    }

    public void Dispose()
    {
        _services.Dispose();
        _client.Dispose();
    }
}
