using Microsoft.Extensions.Time.Testing;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.LoadAware;

/// <summary>
/// Warm-up in a running balancer (Hashing:WarmUp): a replica that rejoins the ring takes its keys over the window,
/// from its join time on the balancer's clock, and each key it takes comes from the replica that held it meanwhile.
/// </summary>
public sealed class WarmUpRoutingTests() : BackendsPerTest("b1", "b2", "b3", "b4")
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData(ConsistentHashAlgorithm.Rendezvous)]
    [InlineData(ConsistentHashAlgorithm.Ring)]
    [InlineData(ConsistentHashAlgorithm.Maglev)]
    public async Task RejoiningReplica_RampsFromNoKeysToItsShare_KeepingEveryOtherKeyInPlace(ConsistentHashAlgorithm algorithm)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var lb = await LoadAwareBalancer.StartAsync(Backends, o =>
        {
            o.Hashing.Algorithm = algorithm;
            o.Hashing.WarmUp = Window;
            o.Health.Interval = TimeSpan.FromHours(1); // no heartbeat in the clock time the test moves through
        }, time);
        var keys = LoadAwareBalancer.Keys(400);
        var newcomer = Backends[3];

        // The replicas the balancer started with take their share at once.
        var settled = await lb.RouteAsync(keys);
        var itsKeys = settled.Where(k => k.Value == newcomer.Id).Select(k => k.Key).ToHashSet();
        Assert.InRange(itsKeys.Count, 50, 160);
        Assert.Null(lb.Table.Current.WarmUp);

        // It leaves and comes back: it ramps again from now.
        var state = lb.StateOf(newcomer);
        Assert.True(lb.Table.Leave(state));
        var without = await lb.RouteAsync(keys);
        Assert.True(lb.Table.Join(state));
        Assert.Equal(time.GetUtcNow(), state.JoinedAt);

        var atJoin = await lb.RouteAsync(keys);
        Assert.DoesNotContain(newcomer.Id, atJoin.Values);
        Assert.Equal(without, atJoin);

        time.Advance(Window / 2);
        var halfway = await lb.RouteAsync(keys);
        var taken = halfway.Where(k => k.Value == newcomer.Id).Select(k => k.Key).ToList();
        // About half of its keys (each key moves once its own position falls below the ramp): 30 to 70 %.
        Assert.InRange(taken.Count, (int)(itsKeys.Count * 0.3), (int)(itsKeys.Count * 0.7));
        Assert.All(taken, key => Assert.Contains(key, itsKeys));
        // Every other key is served by one of its two owners: the one without the newcomer or the one with it. Maglev's
        // table also moves a few keys between the other replicas when one joins; those move on the same ramp, so a few of
        // them may already be at their new owner. Ring and Rendezvous move nothing else: every other key is where it was.
        Assert.All(keys.Except(taken), key => Assert.Contains(halfway[key], new[] { without[key], settled[key] }));
        if (algorithm != ConsistentHashAlgorithm.Maglev)
        {
            Assert.All(keys.Except(taken), key => Assert.Equal(without[key], halfway[key]));
        }

        time.Advance(Window / 2);
        var after = await lb.RouteAsync(keys);
        Assert.Equal(settled, after);
    }
}
