using Microsoft.Extensions.Primitives;
using Ringway.LoadBalancing.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace Ringway.Yarp.Replicas;

/// <summary>
/// A configuration source with no routes or clusters of its own whose change token fires when the replicas that receive
/// requests change. YARP then applies its configuration again (every source's latest), and
/// <see cref="ReplicaDestinationsFilter"/> gives the replica cluster the replicas of that moment.
/// </summary>
internal sealed class ReplicaChangeSignal(IReplicaSet replicas) : IProxyConfigProvider
{
    public IProxyConfig GetConfig() => new Signal(replicas.GetRoutableChangeToken());

    private sealed class Signal(IChangeToken changeToken) : IProxyConfig
    {
        public IReadOnlyList<RouteConfig> Routes => [];

        public IReadOnlyList<ClusterConfig> Clusters => [];

        public IChangeToken ChangeToken => changeToken;
    }
}
