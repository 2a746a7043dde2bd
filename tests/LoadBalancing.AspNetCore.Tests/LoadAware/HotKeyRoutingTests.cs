using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.LoadAware;

/// <summary>
/// Hot-key spreading in a running balancer (Hashing:HotKeys): a hot key is served by up to MaxReplicas replicas, the
/// first ones of its preference order, while every other key stays on its replica; its hotness fades on the clock.
/// </summary>
public sealed class HotKeyRoutingTests() : BackendsPerTest("b1", "b2", "b3", "b4")
{
    private const string HotKey = "celebrity";
    private static readonly TimeSpan HalfLife = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task HotKey_IsSpreadOverItsFirstReplicas_OtherKeysUntouched_AndItFades()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var lb = await LoadAwareBalancer.StartAsync(Backends, o =>
        {
            o.Hashing.HotKeys.Enabled = true;
            o.Hashing.HotKeys.MaxReplicas = 2;
            o.Hashing.HotKeys.MinimumRequests = 100;
            o.Hashing.HotKeys.HalfLife = HalfLife;
            o.Health.Interval = TimeSpan.FromHours(1);
        }, time);
        var cold = LoadAwareBalancer.Keys(60);
        var coldBefore = await lb.RouteAsync(cold);

        // Its preference order on this balancer's ring: the replicas it may be spread over.
        var order = new int[2];
        lb.Table.Current.Hash!.GetNodeIndexes(HotKey, order);
        string[] firstTwo = [lb.BackendAt(order[0]), lb.BackendAt(order[1])];

        var servedBy = new List<string>();
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < 40; i++)
            {
                servedBy.Add(await lb.WhoAmIAsync(HotKey));
            }

            servedBy.AddRange(await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => lb.WhoAmIAsync(HotKey))));
        }

        Assert.Equal(firstTwo.Order(), servedBy.Distinct().Order());
        Assert.All(firstTwo, id => Assert.True(servedBy.Count(s => s == id) >= 10, $"{id} served {servedBy.Count(s => s == id)} of {servedBy.Count}"));
        Assert.Equal(coldBefore, await lb.RouteAsync(cold));
        Assert.Equal(HotKey, Assert.Single(lb.Picker.HotKeys!.TopKeys(), k => k.Share > 0.5).Key);

        // Twenty half-lives later it is cold again: its next requests all go to its first replica.
        time.Advance(HalfLife * 20);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(firstTwo[0], await lb.WhoAmIAsync(HotKey));
        }

        Assert.True(lb.Picker.HotKeys!.ShareOf(HotKey) < 0.05);
    }
}
