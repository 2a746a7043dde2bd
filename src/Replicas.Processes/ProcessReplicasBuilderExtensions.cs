using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.Replicas.Processes;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the local process replica provider to a consistent-hash balancer.</summary>
public static class ProcessReplicasBuilderExtensions
{
    /// <summary>
    /// Runs each replica as a child process of the balancer on a free loopback port (see <see cref="ProcessReplicaOptions"/>),
    /// replacing any <see cref="IReplicaProvider"/> registered before. The options are validated when the host starts;
    /// <see cref="ProcessReplicaOptions.FileName"/> must be set.
    /// </summary>
    /// <param name="builder">The balancer builder returned by <c>AddConsistentHashBalancer()</c>.</param>
    /// <param name="configure">Sets the command and the other options.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IConsistentHashBalancerBuilder AddProcessReplicas(this IConsistentHashBalancerBuilder builder, Action<ProcessReplicaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        var options = services.AddOptions<ProcessReplicaOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProcessReplicaOptions>, ProcessReplicaOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // One provider per balancer: this one replaces whatever was registered before (static, Docker...).
        services.RemoveAll<IReplicaProvider>();
        services.AddSingleton<IReplicaProvider>(sp => new ProcessReplicaProvider(
            sp.GetRequiredService<IOptions<ProcessReplicaOptions>>().Value,
            sp.GetRequiredService<ILogger<ProcessReplicaProvider>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>()));
        return builder;
    }
}
