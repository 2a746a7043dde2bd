using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.Replicas.Docker;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Docker replica providers to the consistent-hash balancer.</summary>
public static class DockerReplicasBuilderExtensions
{
    /// <summary>
    /// Runs each replica as a Docker container (labelled <c>io.ringway.*</c>) on a user-defined network.
    /// Replaces any replica provider registered before. On start the balancer adopts the running containers
    /// of its instance (<see cref="ContainerReplicaOptions.InstanceName"/>); it never touches any other container.
    /// </summary>
    /// <param name="builder">The balancer builder returned by <c>AddConsistentHashBalancer()</c>.</param>
    /// <param name="configure">Sets the options; <see cref="ContainerReplicaOptions.Image"/> is required.</param>
    /// <returns>The same builder.</returns>
    public static IConsistentHashBalancerBuilder AddDockerReplicas(this IConsistentHashBalancerBuilder builder, Action<DockerReplicaOptions> configure)
    {
        return AddProvider(builder, configure, sp => new DockerReplicaProvider(
            sp.GetRequiredService<IOptions<DockerReplicaOptions>>(),
            sp.GetRequiredService<ILogger<DockerReplicaProvider>>(),
            sp.GetRequiredService<TimeProvider>()));
    }

    /// <summary>
    /// <see cref="AddDockerReplicas(IConsistentHashBalancerBuilder, Action{DockerReplicaOptions})"/> with the options bound
    /// from a configuration section (keys named like the properties: <c>Image</c>, <c>Network</c>, <c>InstanceName</c>...).
    /// </summary>
    /// <param name="builder">The balancer builder returned by <c>AddConsistentHashBalancer()</c>.</param>
    /// <param name="configuration">The section to bind, for example <c>Replicas:Docker</c>.</param>
    /// <returns>The same builder.</returns>
    public static IConsistentHashBalancerBuilder AddDockerReplicas(this IConsistentHashBalancerBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddDockerReplicas(configuration.Bind);
    }

    /// <summary>
    /// Runs each replica as a single-task Docker Swarm service on an attachable overlay network: replicas spread over the
    /// swarm's nodes (<see cref="SwarmReplicaOptions.SpreadOver"/>) and Swarm restarts failed tasks. The balancer must talk
    /// to a Swarm manager.
    /// Replaces any replica provider registered before.
    /// </summary>
    /// <param name="builder">The balancer builder returned by <c>AddConsistentHashBalancer()</c>.</param>
    /// <param name="configure">Sets the options; <see cref="ContainerReplicaOptions.Image"/> is required.</param>
    /// <returns>The same builder.</returns>
    public static IConsistentHashBalancerBuilder AddSwarmReplicas(this IConsistentHashBalancerBuilder builder, Action<SwarmReplicaOptions> configure)
    {
        AddProvider(builder, configure, sp => new SwarmReplicaProvider(
            sp.GetRequiredService<IOptions<SwarmReplicaOptions>>(),
            sp.GetRequiredService<ILogger<SwarmReplicaProvider>>(),
            sp.GetRequiredService<TimeProvider>()));
        // Several balancers sharing the replicas (Leadership:Enabled): the lease tells the supervisor whether this one acts.
        builder.Services.TryAddSingleton<SwarmLeadership>();
        builder.Services.TryAddSingleton<IReplicaLeadership>(sp =>
            sp.GetRequiredService<IOptions<SwarmReplicaOptions>>().Value.Leadership.Enabled ? sp.GetRequiredService<SwarmLeadership>() : null!);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SwarmLeadership>());
        return builder;
    }

    /// <summary>
    /// <see cref="AddSwarmReplicas(IConsistentHashBalancerBuilder, Action{SwarmReplicaOptions})"/> with the options bound
    /// from a configuration section (keys named like the properties: <c>Image</c>, <c>Network</c>, <c>InstanceName</c>...).
    /// </summary>
    /// <param name="builder">The balancer builder returned by <c>AddConsistentHashBalancer()</c>.</param>
    /// <param name="configuration">The section to bind, for example <c>Replicas:Swarm</c>.</param>
    /// <returns>The same builder.</returns>
    public static IConsistentHashBalancerBuilder AddSwarmReplicas(this IConsistentHashBalancerBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddSwarmReplicas(configuration.Bind);
    }

    // Both providers register alike: validated options, the provider as the only IReplicaProvider, and OnShutdown honoured.
    private static IConsistentHashBalancerBuilder AddProvider<TOptions, TProvider>(
        IConsistentHashBalancerBuilder builder, Action<TOptions> configure, Func<IServiceProvider, TProvider> create)
        where TOptions : ContainerReplicaOptions
        where TProvider : class, IReplicaProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<TOptions>()
            .Configure(configure)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, ContainerReplicaOptionsValidator<TOptions>>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.RemoveAll<IReplicaProvider>();
        builder.Services.TryAddSingleton(create);
        builder.Services.AddSingleton<IReplicaProvider>(sp => sp.GetRequiredService<TProvider>());
        KeepReplicasWhenAsked<TOptions>(builder.Services);
        return builder;
    }

    // The replica supervisor stops every replica on shutdown unless told otherwise; Keep tells it otherwise.
    private static void KeepReplicasWhenAsked<TOptions>(IServiceCollection services)
        where TOptions : ContainerReplicaOptions
    {
        services.AddOptions<ConsistentHashBalancerOptions>().Configure<IOptions<TOptions>>((balancer, provider) =>
        {
            if (provider.Value.OnShutdown == ReplicaShutdownBehavior.Keep)
            {
                balancer.Replicas.StopOnShutdown = false;
            }
        });
    }
}
