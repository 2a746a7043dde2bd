using Microsoft.Extensions.Options;
using Ringway.ConsistentHashing;

namespace Ringway.LoadBalancing.AspNetCore.Routing;

/// <summary>
/// The replicas that receive new requests. Writers (the replica supervisor) join and remove replicas under a lock;
/// every change publishes a new <see cref="RoutingSnapshot"/>, swapped atomically, so the request path reads
/// without locking and requests in flight keep the snapshot they started with.
/// </summary>
internal sealed class ReplicaTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ReplicaState> _routable = new(StringComparer.Ordinal);
    private readonly ConsistentHashAlgorithm _algorithm;
    private readonly ConsistentHashOptions _hashOptions;
    private readonly TimeSpan _warmUp;
    private readonly TimeProvider _time;
    private RoutingSnapshot _current = RoutingSnapshot.Empty;

    public ReplicaTable(IOptions<ConsistentHashBalancerOptions> options, TimeProvider? time = null)
    {
        _algorithm = options.Value.Hashing.Algorithm;
        _hashOptions = options.Value.Hashing.ToConsistentHashOptions();
        _warmUp = options.Value.Hashing.WarmUp;
        _time = time ?? TimeProvider.System;
    }

    public RoutingSnapshot Current => Volatile.Read(ref _current);

    /// <summary>
    /// Raised after a replica left the ring (<see cref="ReplicaState.IsRoutable"/> is already false), outside the table's
    /// lock: the forwarder closes the connections it keeps to it.
    /// </summary>
    public event Action<ReplicaState>? ReplicaLeft;

    /// <summary>
    /// Puts a replica in the ring (no-op when it is there already). Returns whether the ring changed. With
    /// <paramref name="warmUp"/> its join time is now, so it ramps up over <see cref="HashingOptions.WarmUp"/>; without,
    /// it takes its full share at once (the replicas a balancer starts with).
    /// </summary>
    public bool Join(ReplicaState replica, bool warmUp = true)
    {
        lock (_gate)
        {
            if (_routable.TryGetValue(replica.Hostname, out var existing) && ReferenceEquals(existing, replica))
            {
                return false;
            }

            _routable[replica.Hostname] = replica;
            replica.JoinedAt = warmUp ? _time.GetUtcNow() : DateTimeOffset.MinValue;
            replica.IsRoutable = true;
            Publish();
            return true;
        }
    }

    /// <summary>Takes a replica out of the ring at once. Returns whether the ring changed.</summary>
    public bool Leave(ReplicaState replica)
    {
        lock (_gate)
        {
            replica.IsRoutable = false;
            if (!_routable.TryGetValue(replica.Hostname, out var existing) || !ReferenceEquals(existing, replica))
            {
                return false;
            }

            _routable.Remove(replica.Hostname);
            Publish();
        }

        ReplicaLeft?.Invoke(replica);
        return true;
    }

    private void Publish()
    {
        if (_routable.Count == 0)
        {
            Volatile.Write(ref _current, RoutingSnapshot.Empty);
            return;
        }

        var previous = _current.Hash;
        var hash = previous is not null && _algorithm is ConsistentHashAlgorithm.Jump or ConsistentHashAlgorithm.Classic
            ? Evolve(previous)
            : Build();
        var byIndex = new ReplicaState[hash.Count];
        for (var i = 0; i < byIndex.Length; i++)
        {
            byIndex[i] = hash.Nodes[i].Value;
        }

        Volatile.Write(ref _current, new RoutingSnapshot(hash, byIndex, WarmUpOf(hash, byIndex)));
    }

    /// <summary>The warm-up of the replicas still ramping now, or null (warm-up off, or no replica ramping).</summary>
    private WarmUpSchedule<ReplicaState>? WarmUpOf(IConsistentHash<ReplicaState> hash, ReplicaState[] byIndex)
    {
        if (_warmUp <= TimeSpan.Zero)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var joinedAt = Array.ConvertAll(byIndex, r => r.JoinedAt);
        var schedule = new WarmUpSchedule<ReplicaState>(hash, _warmUp, joinedAt, now);
        return schedule.IsWarming(now) ? schedule : null;
    }

    // Sorted by hostname so that two balancers with the same replicas build the same table whatever the join order.
    private IConsistentHash<ReplicaState> Build() => ConsistentHash.Create(
        _algorithm,
        _routable.Values.OrderBy(r => r.Hostname, StringComparer.Ordinal).Select(r => new HashNode<ReplicaState>(r.Hostname, r)),
        _hashOptions);

    // Jump places nodes by position and Classic by numeric id, so a rebuild from a sorted list would move keys of
    // replicas that did not change. Change the previous snapshot node by node instead: a join appends (Jump) or takes
    // the next id (Classic), and a leave moves only what the algorithm must.
    private IConsistentHash<ReplicaState> Evolve(IConsistentHash<ReplicaState> previous)
    {
        var kept = previous.Nodes
            .Where(n => _routable.TryGetValue(n.Id, out var state) && ReferenceEquals(state, n.Value))
            .Select(n => n.Id)
            .ToHashSet(StringComparer.Ordinal);
        if (kept.Count == 0)
        {
            return Build();
        }

        var hash = previous;
        foreach (var node in previous.Nodes.Where(n => !kept.Contains(n.Id)))
        {
            hash = hash.Remove(node.Id);
        }

        foreach (var state in _routable.Values.Where(r => !kept.Contains(r.Hostname)).OrderBy(r => r.Hostname, StringComparer.Ordinal))
        {
            hash = hash.Add(new HashNode<ReplicaState>(state.Hostname, state));
        }

        return hash;
    }
}
