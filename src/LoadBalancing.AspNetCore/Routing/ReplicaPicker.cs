using Microsoft.Extensions.Options;
using Ringway.ConsistentHashing;

namespace Ringway.LoadBalancing.AspNetCore.Routing;

/// <summary>
/// Where a key goes in a routing snapshot: plain consistent hashing, or, with any load-aware option on, the hashing
/// library's <see cref="LoadAwarePlacement"/> (warm-up, bounded loads, hot-key spreading) over each replica's load.
/// One per balancer: it holds the hot-key counts. Allocation-free; time comes from the <see cref="TimeProvider"/>.
/// </summary>
internal sealed class ReplicaPicker
{
    /// <summary>The most replicas whose loads are gathered on the stack (more are gathered in a rented array).</summary>
    private const int StackLoads = 256;

    private readonly LoadAwarePlacement _placement;
    private readonly TimeProvider _time;
    private readonly bool _reported;
    private readonly TimeSpan _stalenessLimit;

    public ReplicaPicker(IOptions<ConsistentHashBalancerOptions> options, TimeProvider time)
    {
        var hashing = options.Value.Hashing;
        _placement = new LoadAwarePlacement(new LoadAwareOptions
        {
            BoundedLoadFactor = hashing.BoundedLoadFactor,
            HotKeys = hashing.HotKeys.ToHotKeyOptions(),
        });
        _time = time;
        _reported = hashing.ReportedLoad.Enabled;
        _stalenessLimit = hashing.ReportedLoad.StalenessLimit;
    }

    /// <summary>The hot-key counts, or null when spreading is off.</summary>
    public HotKeySketch? HotKeys => _placement.HotKeys;

    /// <summary>The index into <paramref name="snapshot"/>'s replicas of the one that takes <paramref name="key"/> now.</summary>
    public int Pick(RoutingSnapshot snapshot, ReadOnlySpan<char> key)
    {
        var hash = snapshot.Hash!;
        if (snapshot.WarmUp is null && !_placement.UsesLoads)
        {
            return hash.GetNodeIndex(key);
        }

        var now = _time.GetUtcNow();
        if (!_placement.UsesLoads)
        {
            return _placement.GetNodeIndex(hash, key, default, now, snapshot.WarmUp);
        }

        var replicas = snapshot.Replicas;
        int[]? rented = null;
        var loads = replicas.Length <= StackLoads
            ? stackalloc int[replicas.Length]
            : (rented = System.Buffers.ArrayPool<int>.Shared.Rent(replicas.Length)).AsSpan(0, replicas.Length);
        try
        {
            for (var i = 0; i < replicas.Length; i++)
            {
                loads[i] = LoadOf(replicas[i], now);
            }

            return _placement.GetNodeIndex(hash, key, loads, now, snapshot.WarmUp);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The key's failover order now (the first <c>destination.Length</c> replicas, as snapshot indexes): its preference
    /// order, or while warm-up holds it back, the order without the ramping replicas, then those. Returns how many were written.
    /// </summary>
    public int Order(RoutingSnapshot snapshot, ReadOnlySpan<char> key, Span<int> destination)
        => snapshot.WarmUp is { } warmUp
            ? warmUp.GetNodeIndexes(key, _time.GetUtcNow(), destination)
            : snapshot.Hash!.GetNodeIndexes(key, destination);

    /// <summary>The load bounded loads compares: the replica's fresh report adjusted by this balancer's own change since, or its own count.</summary>
    private int LoadOf(ReplicaState replica, DateTimeOffset now)
        => _reported ? replica.Reported.Estimate(replica.InFlight, now, _stalenessLimit) : replica.InFlight;
}
