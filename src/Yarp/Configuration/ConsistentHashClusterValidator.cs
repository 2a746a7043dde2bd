using Ringway.ConsistentHashing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;

namespace Ringway.Yarp.Configuration;

/// <summary>
/// Refuses a cluster with a Ringway policy whose metadata is wrong, when the configuration loads: YARP then fails the
/// start, or keeps the last good configuration on a reload. Also builds the hash once over the cluster's destinations,
/// so a limit of the algorithm (a Maglev table that is not prime, or too small for the destinations) is found here too.
/// </summary>
internal sealed class ConsistentHashClusterValidator : IClusterValidator
{
    public ValueTask ValidateAsync(ClusterConfig cluster, IList<Exception> errors)
    {
        if (!ConsistentHashPolicies.TryGetAlgorithm(cluster.LoadBalancingPolicy, out var algorithm))
        {
            return ValueTask.CompletedTask;
        }

        var messages = new List<string>();
        if (ClusterHashSettings.Read(cluster, algorithm, messages) is { } settings)
        {
            var ids = cluster.Destinations?.Keys.ToList() is { Count: > 0 } keys ? keys : ["destination"];
            try
            {
                ConsistentHash.Create(algorithm, ids.Select(id => new HashNode<string>(id, id)), settings.HashOptions);
            }
            catch (ArgumentException e)
            {
                messages.Add($"Cluster '{cluster.ClusterId}': load-balancing policy '{cluster.LoadBalancingPolicy}' cannot hash its {ids.Count} destination(s): {e.Message}");
            }
        }

        foreach (var message in messages)
        {
            errors.Add(new ArgumentException(message));
        }

        return ValueTask.CompletedTask;
    }
}
