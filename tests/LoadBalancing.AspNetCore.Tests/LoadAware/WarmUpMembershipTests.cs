using Ringway.LoadBalancing.AspNetCore.Supervision;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.LoadAware;

/// <summary>Which joins warm up: not the replicas a balancer starts with, but any later one, a recovery included.</summary>
public sealed class WarmUpMembershipTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task StartingReplicas_TakeTheirShareAtOnce_ARecoveredOneRampsFromItsReturn()
    {
        await using var s = await FakeClockSupervisor.StartAsync(time => new ScriptedReplicaProvider(time, canStart: false, "A", "B"));
        Assert.All(s.Table.Current.Replicas, r => Assert.Equal(DateTimeOffset.MinValue, r.JoinedAt));

        s.Provider.Answer("A", HeartbeatAnswer.Refused);
        await s.Time.AdvanceUntilAsync(() => s.Has("A", MembershipChangeKind.Left), "A left the ring", within: 5 * Second);
        var left = s.Time.GetUtcNow();
        s.Provider.Answer("A", HeartbeatAnswer.Ok);
        await s.Time.AdvanceUntilAsync(() => s.Table.Current.Count == 2, "A back in the ring", within: 3 * Second);

        var a = s.Table.Current.Replicas.Single(r => r.Hostname == "A");
        Assert.InRange(a.JoinedAt, left, s.Time.GetUtcNow());
        Assert.Equal(DateTimeOffset.MinValue, s.Table.Current.Replicas.Single(r => r.Hostname == "B").JoinedAt);
    }
}
