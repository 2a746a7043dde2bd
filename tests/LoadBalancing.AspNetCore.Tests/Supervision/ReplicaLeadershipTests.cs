using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Supervision;

/// <summary>
/// Several balancers sharing one provider's replicas, on a fake clock: one that does not lead starts and stops nothing,
/// refuses /add and /rm naming the leader, and follows the provider's list; one that begins to lead adopts what runs and
/// starts only the missing replicas.
/// </summary>
public sealed class ReplicaLeadershipTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Follower_StartsNothingRefusesAdminNamingTheLeaderFollowsTheList()
    {
        var leadership = new SwitchedLeadership { Leader = "lb0" };
        await using var s = await FakeClockSupervisor.StartAsync(time => new ScriptedReplicaProvider(time, canStart: true, "Server 2"), leadership: leadership);
        Assert.Equal(["Server 2"], s.Hostnames);
        Assert.Empty(s.Provider.StartCalls);

        var add = await s.AddAsync(1, "S9");
        Assert.Equal(409, add.StatusCode);
        Assert.Contains("send /add and /rm to the leader: lb0", add.Error);
        Assert.Equal(409, (await s.RemoveAsync(1, "Server 2")).StatusCode);
        Assert.Equal(["Server 2"], s.Provider.Running);

        // The leader starts one and loses one: the follower follows, starting and stopping nothing itself.
        await s.Provider.StartAsync(["S7"], CancellationToken.None);
        await s.Time.AdvanceUntilAsync(() => s.Hostnames.Contains("S7") && s.Table.Current.Count == 2, "S7 followed into the ring", within: 5 * Second);
        s.Provider.Kill("Server 2", reportExit: false);
        await s.Time.AdvanceUntilAsync(() => !s.Hostnames.Contains("Server 2"), "Server 2 dropped", within: 10 * Second);
        await s.Time.AdvanceAsync(5 * Second);
        Assert.Equal(["S7"], s.Hostnames);
        Assert.Single(s.Provider.StartCalls); // the leader's, made by the test
    }

    [Fact]
    public async Task BecomingLeader_AdoptsWhatRunsAndStartsOnlyTheMissing()
    {
        var leadership = new SwitchedLeadership { Leader = "lb0" };
        await using var s = await FakeClockSupervisor.StartAsync(time => new ScriptedReplicaProvider(time, canStart: true, "Server 2"), leadership: leadership);
        Assert.Empty(s.Provider.StartCalls);

        leadership.IsLeader = true;
        await s.Time.AdvanceUntilAsync(() => s.Table.Current.Count == 3, "3 replicas once it leads", within: 5 * Second);
        Assert.Single(s.Provider.StartCalls);
        Assert.Equal(2, s.Provider.StartCalls[0].Count);
        Assert.Contains("Server 2", s.Hostnames);
        Assert.Equal(200, (await s.AddAsync(1, "S9")).StatusCode);
    }

    private sealed class SwitchedLeadership : IReplicaLeadership
    {
        private volatile bool _isLeader;

        public string Name => "lb1";

        public bool IsLeader
        {
            get => _isLeader;
            set => _isLeader = value;
        }

        public string? Leader { get; set; }
    }
}
