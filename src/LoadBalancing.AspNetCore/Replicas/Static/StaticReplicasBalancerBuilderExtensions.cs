using Ringway.LoadBalancing.AspNetCore;
using Ringway.LoadBalancing.AspNetCore.Replicas.Static;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds replicas at fixed addresses.</summary>
public static class StaticReplicasBalancerBuilderExtensions
{
    /// <summary>
    /// Routes to servers that already run at <paramref name="addresses"/> (absolute http or https URLs), without managing
    /// them. Each replica is named after its address's host and port (for example <c>127.0.0.1:5001</c>), so balancers
    /// given the same addresses route the same keys the same way. Replicas that fail heartbeats leave the ring until they answer again.
    /// </summary>
    public static IConsistentHashBalancerBuilder AddStaticReplicas(this IConsistentHashBalancerBuilder builder, IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(addresses);
        var replicas = new List<Replica>();
        foreach (var text in addresses)
        {
            if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"'{text}' is not an absolute http or https address.", nameof(addresses));
            }

            replicas.Add(new Replica(address.Authority, address, address.AbsoluteUri));
        }

        return builder.AddStaticReplicas(replicas);
    }

    /// <summary>Routes to the given replicas, named as given, without managing them.</summary>
    public static IConsistentHashBalancerBuilder AddStaticReplicas(this IConsistentHashBalancerBuilder builder, IEnumerable<Replica> replicas)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(replicas);
        var list = replicas.ToList();
        var duplicate = list.GroupBy(r => r.Hostname, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Replica name '{duplicate.Key}' appears more than once.", nameof(replicas));
        }

        builder.Services.AddSingleton<IReplicaProvider>(new StaticReplicaProvider(list));
        return builder;
    }
}
