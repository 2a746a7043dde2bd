using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Ringway.LoadBalancing.AspNetCore.Dashboard;
using Ringway.LoadBalancing.AspNetCore.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Observability;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Supervision;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Dashboard;

/// <summary>The dashboard's parts on their own: the bounded event log, traffic read from the meter only while watched, key-space shares.</summary>
public sealed class DashboardPartsTests
{
    [Fact]
    public void EventLog_KeepsTheNewestHundredOldestFirst()
    {
        var log = new MembershipEventLog();
        for (var i = 0; i < 250; i++)
        {
            log.Add(new MembershipChange(MembershipChangeKind.Added, $"S{i}", MembershipChangeReason.Admin, DateTimeOffset.UnixEpoch.AddSeconds(i)));
        }

        var recent = log.Recent();
        Assert.Equal(MembershipEventLog.Capacity, recent.Length);
        Assert.Equal("S150", recent[0].Hostname);
        Assert.Equal("S249", recent[^1].Hostname);
    }

    [Fact]
    public void Traffic_ListensOnlyWhileWatched_RatesFromTheMeter_StopsWhenIdle()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var metrics = new BalancerMetrics(factory, new ReplicaTable(Options.Create(new ConsistentHashBalancerOptions())), time);
        using var traffic = new ReplicaTraffic(factory, time);

        metrics.RequestCompleted("A", 200, Stopwatch.GetTimestamp()); // nobody watches: not counted anywhere
        Assert.False(traffic.IsListening);

        traffic.Read();
        Assert.True(traffic.IsListening);
        for (var i = 0; i < 20; i++)
        {
            metrics.RequestCompleted(i % 4 == 0 ? "B" : "A", 200, Stopwatch.GetTimestamp());
        }

        metrics.ForwardFailed("B", ForwardOutcome.Unreachable);
        time.Advance(TimeSpan.FromSeconds(2));
        var read = traffic.Read();
        Assert.Equal(7.5, read["A"].RequestsPerSecond, 3);
        Assert.Equal(2.5, read["B"].RequestsPerSecond, 3);
        Assert.Equal(0, read["A"].Errors);
        Assert.Equal(1, read["B"].Errors);

        // Another balancer's meter in the same process does not count.
        using var otherServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var other = new BalancerMetrics(otherServices.GetRequiredService<IMeterFactory>(), new ReplicaTable(Options.Create(new ConsistentHashBalancerOptions())), time);
        other.RequestCompleted("A", 200, Stopwatch.GetTimestamp());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, traffic.Read()["A"].RequestsPerSecond);

        time.Advance(ReplicaTraffic.IdleAfter);
        time.Advance(ReplicaTraffic.IdleAfter);
        Assert.False(traffic.IsListening);
        metrics.RequestCompleted("A", 200, Stopwatch.GetTimestamp());
        Assert.Empty(traffic.Read()); // counting starts afresh with the next watcher
    }

    [Fact]
    public void Shares_SumToOneFollowTheSnapshotAndMatchLookups()
    {
        var table = new ReplicaTable(Options.Create(new ConsistentHashBalancerOptions()));
        var shares = new KeySpaceShares();
        Assert.Empty(shares.For(table.Current));
        var states = new[] { "A", "B", "C", "D" }.Select(n => new ReplicaState(new Replica(n, new Uri($"http://{n.ToLowerInvariant()}.test/"), n))).ToArray();
        foreach (var state in states)
        {
            table.Join(state);
        }

        var four = shares.For(table.Current);
        Assert.Same(four, shares.For(table.Current)); // computed once per snapshot
        Assert.Equal(1.0, four.Sum(), 6);
        Assert.All(four, s => Assert.InRange(s, 0.18, 0.32));

        // The estimate is a count of real lookups: C's share is what C wins among the sample keys.
        var snapshot = table.Current;
        var c = Array.IndexOf(snapshot.Replicas, states[2]);
        var won = Enumerable.Range(0, KeySpaceShares.SampleKeys).Count(i => snapshot.Hash!.GetNodeIndex($"key-{i}") == c);
        Assert.Equal((double)won / KeySpaceShares.SampleKeys, four[c], 9);

        table.Leave(states[0]);
        var three = shares.For(table.Current);
        Assert.Equal(3, three.Length);
        Assert.Equal(1.0, three.Sum(), 6);
    }
}
