using Microsoft.Extensions.DependencyInjection;

namespace Ringway.LoadBalancing.AspNetCore.DependencyInjection;

internal sealed class ConsistentHashBalancerBuilder(IServiceCollection services) : IConsistentHashBalancerBuilder
{
    public IServiceCollection Services { get; } = services;
}

/// <summary>Registered once, so a second <c>AddConsistentHashBalancer()</c> only adds configuration.</summary>
internal sealed class ConsistentHashBalancerMarker;
