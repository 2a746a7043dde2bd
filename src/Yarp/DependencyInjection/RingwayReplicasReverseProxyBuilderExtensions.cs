using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.Yarp.Replicas;
using Yarp.ReverseProxy.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Feeds a YARP cluster's destinations from replicas that Ringway starts, supervises and replaces.</summary>
public static class RingwayReplicasReverseProxyBuilderExtensions
{
    /// <summary>
    /// Makes the replicas of Ringway's supervisor the destinations of the YARP cluster <paramref name="clusterId"/>: the
    /// replica source added in <paramref name="replicas"/> (<c>AddProcessReplicas</c>, <c>AddDockerReplicas</c>,
    /// <c>AddSwarmReplicas</c>, <c>AddStaticReplicas</c>) starts the replicas, heartbeats on <c>/heartbeat</c> take failed
    /// ones out and replacements are started to keep the configured count, and <c>app.MapReplicaAdmin()</c> (<c>/rep</c>
    /// <c>/add</c> <c>/rm</c>) changes them. Each replica that answers heartbeats is a destination, its hostname the
    /// destination id; the cluster's other settings (policy, metadata, health checks) come from YARP's configuration as
    /// usual, and it must configure no destinations itself (refused when the configuration loads). One cluster per
    /// application. The supervisor's options are the balancer's defaults (3 replicas; configure
    /// <c>ConsistentHashBalancerOptions</c>, or use the overload that binds a configuration section).
    /// </summary>
    /// <example>
    /// <code>
    /// builder.Services.AddReverseProxy()
    ///     .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    ///     .AddConsistentHashing()
    ///     .AddRingwayReplicas("servers", replicas => replicas.AddProcessReplicas(o => { o.FileName = "dotnet"; o.Arguments.Add("Server.dll"); }));
    /// app.MapReverseProxy();
    /// app.MapReplicaAdmin();
    /// </code>
    /// </example>
    /// <exception cref="InvalidOperationException">Another cluster already takes its destinations from the replicas.</exception>
    public static IReverseProxyBuilder AddRingwayReplicas(this IReverseProxyBuilder builder, string clusterId, Action<IConsistentHashBalancerBuilder> replicas)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return AddCore(builder, clusterId, replicas, builder.Services.AddConsistentHashBalancer);
    }

    /// <summary>
    /// The same, with the supervisor's options bound from <paramref name="configuration"/>, a balancer section such as
    /// <c>Configuration.GetSection("Ringway")</c> (<c>Replicas:Count</c>, <c>Health:Interval</c>, <c>Admin:ApiKey</c>...,
    /// as in <c>AddConsistentHashBalancer(IConfiguration)</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Another cluster already takes its destinations from the replicas.</exception>
    public static IReverseProxyBuilder AddRingwayReplicas(
        this IReverseProxyBuilder builder,
        string clusterId,
        IConfiguration configuration,
        Action<IConsistentHashBalancerBuilder> replicas)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(builder, clusterId, replicas, () => builder.Services.AddConsistentHashBalancer(configuration));
    }

    private static IReverseProxyBuilder AddCore(
        IReverseProxyBuilder builder,
        string clusterId,
        Action<IConsistentHashBalancerBuilder> replicas,
        Func<IConsistentHashBalancerBuilder> addBalancer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentNullException.ThrowIfNull(replicas);
        var services = builder.Services;
        if (services.FirstOrDefault(d => d.ServiceType == typeof(ReplicaCluster))?.ImplementationInstance is ReplicaCluster existing
            && !existing.Is(clusterId))
        {
            throw new InvalidOperationException(
                $"Ringway's replicas already are the destinations of cluster '{existing.ClusterId}'; one cluster per application can take them, not also '{clusterId}'.");
        }

        // The balancer's supervision, heartbeats and admin API, as they run behind its own middleware.
        replicas(addBalancer());
        services.TryAddSingleton(new ReplicaCluster(clusterId));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigFilter, ReplicaDestinationsFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigProvider, ReplicaChangeSignal>());
        return builder;
    }
}
