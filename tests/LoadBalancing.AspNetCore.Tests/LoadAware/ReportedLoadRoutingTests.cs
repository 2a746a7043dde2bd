using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.LoadAware;

/// <summary>
/// Bounded loads on replica-reported load (Hashing:ReportedLoad): a replica that reports many requests in flight (from
/// other balancers) is skipped although this balancer sends it nothing, until its report is older than the staleness
/// limit. Reports come from responses on both forwarders and from heartbeat answers; clients never see them.
/// </summary>
public sealed class ReportedLoadRoutingTests() : BackendsPerTest("b1", "b2", "b3")
{
    private const string Busy = "TEXT cpu_utilization=0.9, named_metrics.rif=50";
    private static readonly TimeSpan Staleness = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData(ReplicaForwarder.Yarp)]
    [InlineData(ReplicaForwarder.Http1)]
    public async Task ReplicaReportingHighLoadInAResponse_IsSpilledUntilTheReportIsStale(ReplicaForwarder forwarder)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var lb = await StartAsync(forwarder, reported: true, time);
        var busy = Backends[0];
        var (busyKeys, otherKeys) = await SplitKeysAsync(lb, busy);

        // One answer of the busy replica carries its report (this balancer had nothing else in flight to it).
        busy.LoadReport = Busy;
        using (var response = await lb.Balancer.Client.GetAsync($"/whoami?key={busyKeys[0]}"))
        {
            Assert.Equal(busy.Id, await response.Content.ReadAsStringAsync());
            Assert.False(response.Headers.Contains("endpoint-load-metrics"), "the report is addressed to the balancer, not the client");
        }

        Assert.True(lb.StateOf(busy).Reported.TryGetLast(out var load, out var at));
        Assert.Equal((50, time.GetUtcNow()), (load, at));

        // Its keys now go elsewhere; every other key stays where it was.
        var spilled = await lb.RouteAsync(busyKeys, parallel: 1);
        Assert.DoesNotContain(busy.Id, spilled.Values);
        var others = await lb.RouteAsync(otherKeys.Keys, parallel: 1);
        Assert.Equal(otherKeys, others);

        // Past the staleness limit the balancer falls back to its own count (none): the key comes back.
        time.Advance(Staleness + TimeSpan.FromSeconds(1));
        Assert.Equal(busy.Id, await lb.WhoAmIAsync(busyKeys[1]));
    }

    [Fact]
    public async Task ReplicaReportingHighLoadInItsHeartbeat_IsSpilled()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var lb = await StartAsync(ReplicaForwarder.Yarp, reported: true, time, heartbeat: TimeSpan.FromSeconds(1));
        var busy = Backends[0];
        var (busyKeys, _) = await SplitKeysAsync(lb, busy);

        busy.LoadReport = Busy;
        var state = lb.StateOf(busy);
        await Eventually.AssertAsync(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1)); // the next heartbeat round
                return state.Reported.TryGetLast(out var load, out _) && load == 50;
            },
            "the heartbeat answer's report is read",
            TimeSpan.FromSeconds(30),
            pollMilliseconds: 200);

        var spilled = await lb.RouteAsync(busyKeys.Skip(1), parallel: 1);
        Assert.DoesNotContain(busy.Id, spilled.Values);
    }

    [Fact]
    public async Task ReportedLoadOff_ReportIsPassedOnAndIgnored()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var lb = await StartAsync(ReplicaForwarder.Yarp, reported: false, time);
        var busy = Backends[0];
        var (busyKeys, _) = await SplitKeysAsync(lb, busy);
        busy.LoadReport = Busy;

        using (var response = await lb.Balancer.Client.GetAsync($"/whoami?key={busyKeys[0]}"))
        {
            Assert.Equal([Busy], response.Headers.GetValues("endpoint-load-metrics"));
        }

        Assert.False(lb.StateOf(busy).Reported.TryGetLast(out _, out _));
        var routed = await lb.RouteAsync(busyKeys, parallel: 1);
        Assert.All(routed.Values, id => Assert.Equal(busy.Id, id));
    }

    private Task<LoadAwareBalancer> StartAsync(ReplicaForwarder forwarder, bool reported, FakeTimeProvider time, TimeSpan? heartbeat = null)
        => LoadAwareBalancer.StartAsync(Backends, o =>
        {
            o.Forwarding.Forwarder = forwarder;
            o.Hashing.BoundedLoadFactor = 1.25;
            o.Hashing.ReportedLoad.Enabled = reported;
            o.Hashing.ReportedLoad.StalenessLimit = Staleness;
            o.Health.Interval = heartbeat ?? TimeSpan.FromHours(1);
        }, time);

    /// <summary>Where 90 keys go with no load anywhere: the busy replica's (at least 10) and the others'.</summary>
    private static async Task<(string[] BusyKeys, Dictionary<string, string> OtherKeys)> SplitKeysAsync(LoadAwareBalancer lb, TestBackend busy)
    {
        var plain = await lb.RouteAsync(LoadAwareBalancer.Keys(90), parallel: 1);
        var busyKeys = plain.Where(k => k.Value == busy.Id).Select(k => k.Key).ToArray();
        Assert.True(busyKeys.Length >= 10, $"{busyKeys.Length} keys on {busy.Id}");
        return (busyKeys, plain.Where(k => k.Value != busy.Id).ToDictionary());
    }
}
