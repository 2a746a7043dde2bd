using Microsoft.Extensions.DependencyInjection.Extensions;
using Ringway.Yarp;
using Ringway.Yarp.Configuration;
using Ringway.Yarp.LoadBalancing;
using Yarp.ReverseProxy.Configuration.ClusterValidators;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Ringway's consistent-hash load-balancing policies to YARP.</summary>
public static class ConsistentHashReverseProxyBuilderExtensions
{
    /// <summary>
    /// Adds the load-balancing policies <see cref="ConsistentHashPolicies.RingHash"/>, <see cref="ConsistentHashPolicies.Maglev"/>,
    /// <see cref="ConsistentHashPolicies.RendezvousHash"/> and <see cref="ConsistentHashPolicies.JumpHash"/>, chosen per cluster
    /// by its <c>LoadBalancingPolicy</c> and set up by its metadata (<see cref="ConsistentHashMetadata"/>), and the
    /// validation that refuses bad metadata when the configuration loads. Calling it again changes nothing.
    /// </summary>
    /// <example>
    /// <code>
    /// builder.Services.AddReverseProxy()
    ///                 .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    ///                 .AddConsistentHashing();
    /// </code>
    /// </example>
    public static IReverseProxyBuilder AddConsistentHashing(this IReverseProxyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(ClusterHashes)))
        {
            return builder;
        }

        services.AddSingleton<ClusterHashes>();
        services.AddSingleton<IClusterChangeListener>(sp => sp.GetRequiredService<ClusterHashes>());
        foreach (var (name, _) in ConsistentHashPolicies.All)
        {
            services.AddSingleton<ILoadBalancingPolicy>(sp => new ConsistentHashLoadBalancingPolicy(name, sp.GetRequiredService<ClusterHashes>()));
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterValidator, ConsistentHashClusterValidator>());
        return builder;
    }
}
