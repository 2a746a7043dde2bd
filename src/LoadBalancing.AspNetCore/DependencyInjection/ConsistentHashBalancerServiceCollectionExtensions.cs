using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.LoadBalancing.AspNetCore.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;
using Ringway.LoadBalancing.AspNetCore.Observability;
using Ringway.LoadBalancing.AspNetCore.Replicas;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Supervision;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the consistent-hash balancer.</summary>
public static class ConsistentHashBalancerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the balancer with default options. Add a replica source on the returned builder (for example
    /// <c>AddStaticReplicas</c>), then map it with <c>app.MapConsistentHashBalancer()</c>. Calling this again is harmless.
    /// </summary>
    public static IConsistentHashBalancerBuilder AddConsistentHashBalancer(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services);
        return new ConsistentHashBalancerBuilder(services);
    }

    /// <summary>Adds the balancer and configures its options in code.</summary>
    public static IConsistentHashBalancerBuilder AddConsistentHashBalancer(this IServiceCollection services, Action<ConsistentHashBalancerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddConsistentHashBalancer();
        services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Adds the balancer and binds its options from a configuration section (for example <c>Configuration.GetSection("Balancer")</c>);
    /// each group of <see cref="ConsistentHashBalancerOptions"/> is a sub-section (<c>Balancer:Health:Interval</c>).
    /// Keys of the earlier flat layout (<c>Balancer:HeartbeatInterval</c>) fail validation with the key that replaced them.
    /// </summary>
    public static IConsistentHashBalancerBuilder AddConsistentHashBalancer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddConsistentHashBalancer();
        services.AddOptions<ConsistentHashBalancerOptions>().Bind(configuration).Configure(o => o.Source = configuration);
        return builder;
    }

    private static void AddCore(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ConsistentHashBalancerMarker)))
        {
            return;
        }

        services.AddSingleton<ConsistentHashBalancerMarker>();
        services.AddOptions<ConsistentHashBalancerOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsistentHashBalancerOptions>, ConsistentHashBalancerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddHttpForwarder();
        services.TryAddSingleton<ReplicaTable>();
        services.TryAddSingleton<RequestKeySelector>();
        services.TryAddSingleton<ReplicaPicker>();
        services.TryAddSingleton<ReplicaLoadReports>();
        services.TryAddSingleton<BalancerMetrics>();
        services.TryAddSingleton<ForwardingTelemetry>();
        services.TryAddSingleton<ForwardingHeaderPolicy>();
        services.TryAddSingleton<ForwardingTransformer>();
        services.TryAddSingleton<YarpReplicaForwarder>();
        services.TryAddSingleton<Http1ReplicaForwarder>();
        services.TryAddSingleton<IReplicaForwarder>(sp => sp.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value.Forwarding.Forwarder == ReplicaForwarder.Http1
            ? sp.GetRequiredService<Http1ReplicaForwarder>()
            : sp.GetRequiredService<YarpReplicaForwarder>());
        services.TryAddSingleton<BalancerRequestHandler>();
        services.TryAddSingleton<HeartbeatProber>();
        // A balancer given no replica source starts empty rather than failing to resolve: /rep lists nothing, /add answers 400.
        services.TryAddSingleton(sp => new ReplicaSupervisor(
            sp.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>(),
            sp.GetRequiredService<ReplicaTable>(),
            sp.GetService<IReplicaProvider>() ?? NoReplicaProvider.Instance,
            sp.GetRequiredService<HeartbeatProber>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ReplicaSupervisor>>(),
            sp.GetService<IReplicaLeadership>()));
        services.TryAddSingleton<IReplicaSet>(sp => sp.GetRequiredService<ReplicaSupervisor>());
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaSupervisor>());
        services.AddHealthChecks().AddCheck<BalancerHealthCheck>(BalancerHealthCheck.Name);
    }
}
