using Microsoft.Extensions.DependencyInjection;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// Returned by <c>AddConsistentHashBalancer()</c>; replica sources (static addresses, local processes,
/// Docker) are added on it as extension methods that register an <see cref="IReplicaProvider"/>.
/// </summary>
public interface IConsistentHashBalancerBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }
}
