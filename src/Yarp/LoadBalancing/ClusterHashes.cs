using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Model;

namespace Ringway.Yarp.LoadBalancing;

/// <summary>
/// The current <see cref="ClusterHash"/> of every cluster that uses a Ringway policy. YARP reports each cluster it adds or
/// changes (a new configuration, destinations added or removed), and the hash is rebuilt then, on the configuration's
/// thread; a pick only checks that the hash it finds is still the cluster's, and rebuilds it itself only if it comes
/// first (a cluster YARP has not reported yet). Health changes are not cluster changes and rebuild nothing.
/// </summary>
internal sealed partial class ClusterHashes(ILogger<ClusterHashes> logger) : IClusterChangeListener
{
    // Weak keys: a cluster YARP drops is collected with its hash.
    private readonly ConditionalWeakTable<ClusterState, Slot> _slots = new();

    /// <summary>
    /// The cluster's hash, built or rebuilt first if it is not current. Null when the cluster has no destinations, or its
    /// configuration no longer names a Ringway policy (a request that started before a reload).
    /// </summary>
    public ClusterHash? Get(ClusterState cluster)
    {
        var slot = _slots.GetValue(cluster, static _ => new Slot());
        var current = slot.Current;
        return current is not null && current.IsCurrent(cluster) ? current : Refresh(cluster, slot);
    }

    public void OnClusterAdded(ClusterState cluster) => Prepare(cluster);

    public void OnClusterChanged(ClusterState cluster) => Prepare(cluster);

    public void OnClusterRemoved(ClusterState cluster) => _slots.Remove(cluster);

    private void Prepare(ClusterState cluster)
    {
        if (ConsistentHashPolicies.TryGetAlgorithm(cluster.Model.Config.LoadBalancingPolicy, out _))
        {
            Get(cluster);
        }
        else
        {
            _slots.Remove(cluster);
        }
    }

    private ClusterHash? Refresh(ClusterState cluster, Slot slot)
    {
        // The configuration names the algorithm, whichever of the policies was asked: during a reload that changes the
        // policy, requests that started before it come with the old one.
        if (!ConsistentHashPolicies.TryGetAlgorithm(cluster.Model.Config.LoadBalancingPolicy, out var algorithm))
        {
            return null;
        }

        lock (slot)
        {
            var current = slot.Current;
            if (current is not null && current.IsCurrent(cluster))
            {
                return current;
            }

            var next = ClusterHash.Build(cluster, algorithm, current, out var rehashed);
            if (next is not null && rehashed)
            {
                HashBuilt(cluster.ClusterId, ConsistentHashPolicies.NameOf(algorithm), next.Hash.Count);
            }

            slot.Current = next;
            return next;
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Cluster '{ClusterId}': {Policy} hash built over {Count} destination(s)")]
    private partial void HashBuilt(string clusterId, string policy, int count);

    private sealed class Slot
    {
        private volatile ClusterHash? _current;

        public ClusterHash? Current
        {
            get => _current;
            set => _current = value;
        }
    }
}
