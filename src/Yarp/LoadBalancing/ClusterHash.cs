using System.Buffers;
using Microsoft.AspNetCore.Http;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.Yarp.Configuration;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Ringway.Yarp.LoadBalancing;

/// <summary>
/// One cluster's hash: built over all of its destinations, keyed by destination id, for the configuration and the
/// destination list it was built from. Health changes do not touch it: a pick skips the destinations that are not
/// available in the key's preference order, so their keys come back when they recover.
/// </summary>
internal sealed class ClusterHash
{
    // Keys are walked in preference order in widening steps (8, 64, 512... all), so a few unavailable or full
    // destinations never cost the full order.
    private const int FirstStep = 8;
    private const int StackLimit = 256;

    private readonly DestinationState[] _destinations;
    private readonly Dictionary<DestinationState, int> _indexes;
    private volatile Availability? _availability;

    private ClusterHash(
        ClusterHashSettings settings,
        ClusterConfig config,
        IReadOnlyList<DestinationState> allDestinations,
        IConsistentHash<string> hash)
    {
        Settings = settings;
        Config = config;
        AllDestinations = allDestinations;
        Hash = hash;
        var byId = allDestinations.ToDictionary(d => d.DestinationId, StringComparer.Ordinal);
        _destinations = [.. hash.Nodes.Select(n => byId[n.Id])];
        _indexes = new Dictionary<DestinationState, int>(_destinations.Length, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < _destinations.Length; i++)
        {
            _indexes[_destinations[i]] = i;
        }
    }

    public ClusterHashSettings Settings { get; }

    /// <summary>The cluster configuration the settings were read from.</summary>
    public ClusterConfig Config { get; }

    /// <summary>The cluster's list of all destinations this was built from (YARP replaces the list when they change).</summary>
    public IReadOnlyList<DestinationState> AllDestinations { get; }

    /// <summary>The hash over destination ids; node i is destination i.</summary>
    public IConsistentHash<string> Hash { get; }

    /// <summary>The destinations, indexed like <see cref="IConsistentHash{TNode}.Nodes"/>.</summary>
    public IReadOnlyList<DestinationState> Destinations => _destinations;

    /// <summary>Whether this was built from the cluster's current configuration and destinations.</summary>
    public bool IsCurrent(ClusterState cluster)
        => ReferenceEquals(AllDestinations, cluster.DestinationsState.AllDestinations)
           && ReferenceEquals(Config, cluster.Model.Config);

    /// <summary>
    /// The hash for the cluster as it is now, reusing <paramref name="previous"/> where nothing that places keys changed:
    /// the same destination ids and hash parameters keep the same hash object. Null when the cluster has no destinations.
    /// </summary>
    /// <exception cref="InvalidOperationException">The metadata is invalid (a cluster that skipped YARP's validation).</exception>
    public static ClusterHash? Build(ClusterState cluster, ConsistentHashAlgorithm algorithm, ClusterHash? previous, out bool rehashed)
    {
        rehashed = false;
        var config = cluster.Model.Config;
        var all = cluster.DestinationsState.AllDestinations;
        if (all.Count == 0)
        {
            return null;
        }

        var errors = new List<string>();
        var settings = ClusterHashSettings.Read(config, algorithm, errors)
                       ?? throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
        IConsistentHash<string> hash;
        if (previous is not null && previous.Settings.PlacesLike(settings) && SameIds(previous.Hash, all))
        {
            hash = previous.Hash;
        }
        else
        {
            // Jump keeps the places of destinations that stayed (ConsistentHash.Update), so a change moves only the keys it must.
            hash = ConsistentHash.Update(
                previous?.Settings.PlacesLike(settings) == true ? previous.Hash : null,
                algorithm,
                all.Select(d => new HashNode<string>(d.DestinationId, d.DestinationId)),
                settings.HashOptions);
            rehashed = true;
        }

        return new ClusterHash(settings, config, all, hash);
    }

    /// <summary>
    /// The destination for the request: the first one in its key's preference order that is in
    /// <paramref name="available"/> (and, with bounded loads, below its capacity). Allocates nothing when
    /// <paramref name="available"/> is the cluster's own list of available destinations, as YARP passes it.
    /// </summary>
    public DestinationState? Pick(HttpContext context, IReadOnlyList<DestinationState> available, ClusterState cluster)
    {
        var key = Settings.KeySources.GetKey(context);
        var chars = key.Chars(stackalloc char[RequestKey.IdLength]);
        var n = _destinations.Length;
        var cached = AvailabilityOf(available, cluster);
        Span<bool> scratch = cached is not null ? default : n <= StackLimit ? stackalloc bool[n] : new bool[n];
        ReadOnlySpan<bool> mask = cached ?? Mark(available, scratch);

        var capacity = long.MaxValue;
        if (Settings.BoundedLoadFactor is { } factor)
        {
            long total = 0;
            var count = 0;
            for (var i = 0; i < n; i++)
            {
                if (mask[i])
                {
                    total += _destinations[i].ConcurrentRequestCount;
                    count++;
                }
            }

            // As in BoundedLoads: the request being placed counts, so the capacities always leave room for it.
            capacity = count == 0 ? 0 : (long)Math.Ceiling(factor * (total + 1) / count);
        }

        var index = FirstAccepted(chars, mask, capacity);

        // Only when the request's list holds destinations this hash has not seen yet (a reload in progress).
        return index >= 0 ? _destinations[index] : available[0];
    }

    /// <summary>The first node in the key's preference order that is available and below <paramref name="capacity"/>, or -1.</summary>
    private int FirstAccepted(ReadOnlySpan<char> key, ReadOnlySpan<bool> available, long capacity)
    {
        var first = Hash.GetNodeIndex(key);
        if (Accepts(first, available, capacity))
        {
            return first;
        }

        var n = _destinations.Length;
        int[]? rented = null;
        Span<int> order = n <= StackLimit ? stackalloc int[StackLimit] : (rented = ArrayPool<int>.Shared.Rent(n));
        try
        {
            var seen = 1;
            for (var want = Math.Min(FirstStep, n); ; want = (int)Math.Min(want * 8L, n))
            {
                Hash.GetNodeIndexes(key, order[..want]);
                for (var i = seen; i < want; i++)
                {
                    if (Accepts(order[i], available, capacity))
                    {
                        return order[i];
                    }
                }

                seen = want;
                if (want == n)
                {
                    return -1;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    private bool Accepts(int index, ReadOnlySpan<bool> available, long capacity)
        => available[index] && (capacity == long.MaxValue || _destinations[index].ConcurrentRequestCount < capacity);

    /// <summary>
    /// Which destinations are in <paramref name="available"/>, remembered while it is the cluster's own list (it changes
    /// only with health or configuration); null for any other list, which the caller marks on the stack.
    /// </summary>
    private bool[]? AvailabilityOf(IReadOnlyList<DestinationState> available, ClusterState cluster)
    {
        var cached = _availability;
        if (cached is not null && ReferenceEquals(cached.List, available))
        {
            return cached.Flags;
        }

        if (!ReferenceEquals(available, cluster.DestinationsState.AvailableDestinations))
        {
            return null;
        }

        var flags = new bool[_destinations.Length];
        Mark(available, flags);
        _availability = new Availability(available, flags);
        return flags;
    }

    private ReadOnlySpan<bool> Mark(IReadOnlyList<DestinationState> available, Span<bool> flags)
    {
        for (var i = 0; i < available.Count; i++)
        {
            if (_indexes.TryGetValue(available[i], out var index))
            {
                flags[index] = true;
            }
        }

        return flags;
    }

    private static bool SameIds(IConsistentHash<string> hash, IReadOnlyList<DestinationState> all)
    {
        if (hash.Count != all.Count)
        {
            return false;
        }

        var ids = new HashSet<string>(hash.Nodes.Select(n => n.Id), StringComparer.Ordinal);
        return all.All(d => ids.Contains(d.DestinationId));
    }

    private sealed record Availability(IReadOnlyList<DestinationState> List, bool[] Flags);
}
