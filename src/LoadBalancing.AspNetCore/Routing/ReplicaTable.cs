using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
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
    private CancellationTokenSource _changed = new();

    public ReplicaTable(IOptions<ConsistentHashBalancerOptions> options, TimeProvider? time = null)
    {
        _algorithm = options.Value.Hashing.Algorithm;
        _hashOptions = options.Value.Hashing.ToConsistentHashOptions();
        _warmUp = options.Value.Hashing.WarmUp;
        _time = time ?? TimeProvider.System;
    }

    public RoutingSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Fires once after the next change of <see cref="Current"/>, its callbacks on the thread pool.</summary>
    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

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
        Volatile.Write(ref _current, Build());

        // A new source for the next change, then the old one fired asynchronously: its listeners (a proxy reloading its
        // configuration) run on the thread pool, not under this lock or on the supervisor's loop. Not disposed: a
        // listener may still be taking its token.
        _ = Interlocked.Exchange(ref _changed, new CancellationTokenSource()).CancelAsync();
    }

    private RoutingSnapshot Build()
    {
        if (_routable.Count == 0)
        {
            return RoutingSnapshot.Empty;
        }

        // Sorted by hostname when built anew, so two balancers with the same replicas build the same table whatever the join
        // order; Jump and Classic keep the places of replicas that did not change (ConsistentHash.Update).
        var hash = ConsistentHash.Update(
            _current.Hash,
            _algorithm,
            _routable.Values.Select(r => new HashNode<ReplicaState>(r.Hostname, r)),
            _hashOptions);
        var byIndex = new ReplicaState[hash.Count];
        for (var i = 0; i < byIndex.Length; i++)
        {
            byIndex[i] = hash.Nodes[i].Value;
        }

        return new RoutingSnapshot(hash, byIndex, WarmUpOf(hash, byIndex));
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
}
