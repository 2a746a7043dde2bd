using System.Globalization;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Dashboard;

/// <summary>
/// The share of the key space each replica owns in a routing snapshot, estimated by routing <see cref="SampleKeys"/>
/// fixed sample keys through it (every algorithm, no knowledge of its layout). Computed once per snapshot, and only
/// when the dashboard asks: the routing path never sees it.
/// </summary>
internal sealed class KeySpaceShares
{
    /// <summary>Sample keys per snapshot: about ±1% per share, a few milliseconds of work per ring change.</summary>
    public const int SampleKeys = 10_000;

    private Cached? _last;

    /// <summary>The shares, indexed like <see cref="RoutingSnapshot.Replicas"/> (empty for an empty ring).</summary>
    public double[] For(RoutingSnapshot snapshot)
    {
        if (Volatile.Read(ref _last) is { } cached && ReferenceEquals(cached.Snapshot, snapshot))
        {
            return cached.Shares;
        }

        var shares = Compute(snapshot);
        Volatile.Write(ref _last, new Cached(snapshot, shares));
        return shares;
    }

    private sealed record Cached(RoutingSnapshot Snapshot, double[] Shares);

    private static double[] Compute(RoutingSnapshot snapshot)
    {
        if (snapshot.Hash is not { } hash)
        {
            return [];
        }

        var counts = new int[snapshot.Count];
        Span<char> key = stackalloc char[16];
        for (var i = 0; i < SampleKeys; i++)
        {
            // Keys shaped like the ones clients send ("key-123"), hashed as the request path hashes them.
            "key-".CopyTo(key);
            i.TryFormat(key[4..], out var written, provider: CultureInfo.InvariantCulture);
            counts[hash.GetNodeIndex(key[..(4 + written)])]++;
        }

        return Array.ConvertAll(counts, c => (double)c / SampleKeys);
    }
}
