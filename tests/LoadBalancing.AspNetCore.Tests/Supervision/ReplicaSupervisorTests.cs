using Ringway.LoadBalancing.AspNetCore.Supervision;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Waiting;
using static Ringway.LoadBalancing.AspNetCore.Supervision.MembershipChangeKind;
using static Ringway.LoadBalancing.AspNetCore.Supervision.MembershipChangeReason;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Supervision;

/// <summary>
/// The supervisor's decisions on a fake clock, with the default timings (heartbeats every second, 2 s for an answer,
/// 2 misses, 100 ms drain grace, 10 s drain timeout, 30 s to first answer): what the admin commands answer, when a
/// replica leaves, who replaces it, and when removed replicas stop.
/// </summary>
public sealed class ReplicaSupervisorTests
{
    private const string RandomName = "^Server-[a-z0-9]{6}$";
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    /// <summary>How long a real-clock wait for asynchronous state may take on a busy machine.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Start_ProviderCanStart_StartsServer1ToNEachJoiningAtItsFirstAnswer()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        Assert.Equal(["Server 1", "Server 2", "Server 3"], s.Hostnames);
        Assert.Equal(3, s.Table.Current.Count); // the host's start waited for the joins
        Assert.Equal([["Server 1", "Server 2", "Server 3"]], s.Provider.StartCalls);
        Assert.All(s.Hostnames, name => Assert.Equal([(Added, Initial), (Joined, Initial)], s.History(name)));
    }

    [Fact]
    public async Task Start_ProviderFailsFirst_RetriesOneSecondLater()
    {
        await using var s = await FakeClockSupervisor.StartAsync(time => new ScriptedReplicaProvider(time) { FailNextStart = true });
        Assert.Empty(s.Hostnames);
        await s.Time.AdvanceAsync(TimeSpan.FromMilliseconds(900));
        Assert.Single(s.Provider.StartCalls);

        var waited = await s.Time.AdvanceUntilAsync(() => s.Table.Current.Count == 3, "3 replicas after the retry", within: 3 * Second);
        Assert.InRange(waited, Second - TimeSpan.FromMilliseconds(900), 2 * Second);
        Assert.Equal(2, s.Provider.StartCalls.Count);
        Assert.Equal(3, s.Hostnames.Count);
    }

    [Fact]
    public async Task Start_ReplicaAlreadyRunning_AdoptedAndOnlyTheRestStarted()
    {
        await using var s = await FakeClockSupervisor.StartAsync(time => new ScriptedReplicaProvider(time, canStart: true, "Server 2"));
        Assert.Equal(["Server 2", "Server 1", "Server 3"], s.Hostnames);
        Assert.Equal([["Server 1", "Server 3"]], s.Provider.StartCalls);
        Assert.Equal([(Added, Adopted), (Joined, Adopted)], s.History("Server 2"));
        Assert.Equal(3, s.Table.Current.Count);
    }

    [Fact]
    public async Task Add_NamesAndCount_AppendsInOrderThenRandomNames()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        var result = await s.AddAsync(3, "S5", "S4");
        Assert.Equal(200, result.StatusCode);
        Assert.Null(result.Error);
        Assert.Equal(["Server 1", "Server 2", "Server 3", "S5", "S4"], result.Hostnames.Take(5));
        Assert.Matches(RandomName, result.Hostnames[5]);
        Assert.Equal(result.Hostnames, s.Hostnames);

        // A new replica is probed at once: it joins without the clock moving.
        await Eventually.AssertAsync(() => s.Table.Current.Count == 6, "6 replicas in the ring", Within);
        Assert.All(result.Hostnames.Skip(3), name => Assert.Equal([(Added, MembershipChangeReason.Admin), (Joined, MembershipChangeReason.Admin)], s.History(name)));
    }

    [Fact]
    public async Task Add_ProviderFails_503WithItsReasonAndNothingChanges()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        s.Provider.FailNextStart = true;
        var result = await s.AddAsync(1, "S9");
        Assert.Equal(503, result.StatusCode);
        Assert.Equal("Could not start replicas: The engine is down (test).", result.Error);
        Assert.Equal(["Server 1", "Server 2", "Server 3"], s.Hostnames);
        Assert.Equal(3, s.Provider.Running.Count);
    }

    [Fact]
    public async Task Add_ExistingHostname_400AndNothingStarted()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        var result = await s.AddAsync(2, "S7", "Server 2");
        Assert.Equal(400, result.StatusCode);
        Assert.Equal("Hostname 'Server 2' already exists", result.Error);
        Assert.Single(s.Provider.StartCalls);
    }

    [Fact]
    public async Task Add_BeyondMaxReplicas_400()
    {
        await using var s = await FakeClockSupervisor.StartAsync(o => o.Replicas.MaxCount = 4);
        var result = await s.AddAsync(2);
        Assert.Equal(400, result.StatusCode);
        Assert.Equal("Cannot add 2 replica(s): at most 4 replicas in total, 3 now", result.Error);
        Assert.Equal(3, s.Hostnames.Count);
    }

    [Fact]
    public async Task Add_NameOfReplicaStillDraining_RefusedUntilItStopped()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        var state = s.InRing("Server 1");
        state.Enter();
        Assert.Equal(200, (await s.RemoveAsync(1, "Server 1")).StatusCode);

        var refused = await s.AddAsync(1, "Server 1");
        Assert.Equal(400, refused.StatusCode);
        Assert.Equal("Hostname 'Server 1' is still being removed; try again shortly", refused.Error);

        state.Exit();
        await s.Time.AdvanceUntilAsync(() => !s.Provider.Running.Contains("Server 1"), "Server 1 stopped once drained", within: 5 * Second);
        Assert.Equal(200, (await s.AddAsync(1, "Server 1")).StatusCode);
    }

    [Fact]
    public async Task Remove_NamedAndRandom_LeaveAtOnceAndStopAfterTheGrace()
    {
        await using var s = await FakeClockSupervisor.StartAsync(o => o.Replicas.Count = 4);
        var result = await s.RemoveAsync(2, "Server 2");
        Assert.Equal(200, result.StatusCode);
        Assert.Equal(2, result.Hostnames.Count);
        Assert.DoesNotContain("Server 2", result.Hostnames);
        Assert.Equal(2, s.Table.Current.Count);
        Assert.Equal(result.Hostnames.Order(), s.Table.Current.Replicas.Select(r => r.Hostname).Order());

        // Requests that read the ring just before the change may still arrive for a moment: the removed keep running.
        await s.Time.AdvanceAsync(ReplicaDrainer.Grace - TimeSpan.FromMilliseconds(10));
        Assert.Equal(4, s.Provider.Running.Count);
        await s.Time.AdvanceUntilAsync(() => s.Provider.Running.Order().SequenceEqual(result.Hostnames.Order()), "the removed stopped", within: 5 * Second);
        Assert.Equal([(Added, Initial), (Joined, Initial), (Left, MembershipChangeReason.Admin), (Stopped, MembershipChangeReason.Admin)], s.History("Server 2"));
    }

    [Fact]
    public async Task Remove_RequestsInFlight_StoppedOnlyOnceTheyFinish()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        var state = s.InRing("Server 1");
        state.Enter();
        state.Enter();
        Assert.Equal(200, (await s.RemoveAsync(1, "Server 1")).StatusCode);
        Assert.False(state.IsRoutable);

        await s.Time.AdvanceAsync(5 * Second, step: TimeSpan.FromMilliseconds(250));
        state.Exit();
        await s.Time.AdvanceAsync(TimeSpan.FromMilliseconds(200));
        Assert.Contains("Server 1", s.Provider.Running);

        state.Exit();
        var waited = await s.Time.AdvanceUntilAsync(() => !s.Provider.Running.Contains("Server 1"), "Server 1 stopped", within: 5 * Second, step: ReplicaDrainer.PollInterval);
        Assert.InRange(waited, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Remove_RequestsNeverFinish_StoppedAtTheDrainTimeout()
    {
        await using var s = await FakeClockSupervisor.StartAsync(o => o.Replicas.DrainTimeout = TimeSpan.FromSeconds(10));
        s.InRing("Server 1").Enter();
        Assert.Equal(200, (await s.RemoveAsync(1, "Server 1")).StatusCode);
        await s.Time.AdvanceUntilAsync(() => s.Has("Server 1", Stopped), "Server 1 stopped", within: 12 * Second, step: TimeSpan.FromMilliseconds(250));

        var left = s.ChangesOf("Server 1").Single(c => c.Kind == Left);
        var stopped = s.ChangesOf("Server 1").Single(c => c.Kind == Stopped);
        Assert.InRange(stopped.At - left.At, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(11));
    }

    [Fact]
    public async Task Remove_TooManyOrUnknown_400AndNothingChanges()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        var tooMany = await s.RemoveAsync(4);
        Assert.Equal((400, "Cannot remove 4 replica(s): only 3 exist"), (tooMany.StatusCode, tooMany.Error));
        var unknown = await s.RemoveAsync(2, "Server 1", "S9");
        Assert.Equal((400, "Hostname 'S9' is not a replica"), (unknown.StatusCode, unknown.Error));
        Assert.Equal(["Server 1", "Server 2", "Server 3"], s.Hostnames);
        Assert.Equal(3, s.Table.Current.Count);
    }

    [Fact]
    public async Task Heartbeat_ReplicaRefuses_ReplacedAfterTwoMissesUnderRandomName()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        var start = s.Time.GetUtcNow();
        var address = s.Provider.Replica("Server 2").Address;
        s.Provider.Answer("Server 2", HeartbeatAnswer.Refused);
        var answered = s.Provider.Probes("Server 2"); // the probe that let it join

        await s.Time.AdvanceUntilAsync(() => s.Provider.Probes("Server 2") > answered, "the first missed probe", within: 2 * Second);
        await s.Time.AdvanceAsync(TimeSpan.FromMilliseconds(500));
        Assert.Equal(3, s.Table.Current.Count); // one miss is not enough

        await s.Time.AdvanceUntilAsync(() => s.Has("Server 2", Stopped), "Server 2 stopped", within: 3 * Second);
        Assert.Equal([(Added, Initial), (Joined, Initial), (Left, HeartbeatsFailed), (Stopped, HeartbeatsFailed)], s.History("Server 2"));
        Assert.InRange(s.ChangesOf("Server 2").Single(c => c.Kind == Left).At - start, 2 * Second, 4 * Second);
        Assert.Equal(answered + 2, s.Provider.Heartbeats.Probes(address)); // two misses, not one or three

        await Eventually.AssertAsync(() => s.Table.Current.Count == 3, "the replacement in the ring", Within);
        Assert.Equal(["Server 1", "Server 3"], s.Hostnames.Take(2));
        Assert.Matches(RandomName, s.Hostnames[2]);
        Assert.Equal([(Added, Respawn), (Joined, Respawn)], s.History(s.Hostnames[2]));
    }

    [Fact]
    public async Task Heartbeat_ReplicaHangs_LeavesOnlyOnceTwoProbesTimedOut()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        var start = s.Time.GetUtcNow();
        s.Provider.Answer("Server 2", HeartbeatAnswer.Hangs);

        await s.Time.AdvanceUntilAsync(() => s.Has("Server 2", Left), "Server 2 left the ring", within: 10 * Second);
        var left = s.ChangesOf("Server 2").Single(c => c.Kind == Left);
        Assert.Equal(HeartbeatsFailed, left.Reason);
        // Probes at 1 s and at 3 s each wait out the 2 s timeout: nothing can tell before 5 s.
        Assert.InRange(left.At - start, 5 * Second, TimeSpan.FromSeconds(6.5));
        await Eventually.AssertAsync(() => s.Table.Current.Count == 3 && !s.Hostnames.Contains("Server 2"), "Server 2 replaced", Within);
    }

    [Fact]
    public async Task Heartbeat_AnswersSlowlyWithinTheTimeout_KeptInRing()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        s.Provider.Heartbeats.Delay = TimeSpan.FromMilliseconds(1500); // a busy replica, under the 2 s timeout
        var answered = s.Provider.Probes("Server 2");

        await s.Time.AdvanceUntilAsync(() => s.Provider.Probes("Server 2") >= answered + 4, "four probe rounds", within: 20 * Second);
        Assert.DoesNotContain(s.Changes, c => c.Kind == Left);
        Assert.Equal(3, s.Table.Current.Count);
        Assert.Single(s.Provider.StartCalls);
    }

    [Fact]
    public async Task Heartbeat_SingleMissesBetweenAnswers_KeptInRing()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        for (var round = 1; round <= 3; round++)
        {
            // One miss, then answers: the count of misses in a row starts again each time.
            s.Provider.Answer("Server 2", HeartbeatAnswer.Refused);
            var probes = s.Provider.Probes("Server 2");
            await s.Time.AdvanceUntilAsync(() => s.Provider.Probes("Server 2") > probes, "a missed probe", within: 2 * Second);
            s.Provider.Answer("Server 2", HeartbeatAnswer.Ok);
            await s.Time.AdvanceUntilAsync(() => s.Provider.Probes("Server 2") > probes + 1, "an answered probe", within: 2 * Second);
        }

        await s.Time.AdvanceAsync(Second);
        Assert.DoesNotContain(s.Changes, c => c.Kind == Left);
        Assert.Equal(3, s.Table.Current.Count);
    }

    [Fact]
    public async Task Heartbeat_FixedAddressFails_LeavesRingStaysListedAndRejoinsWhenItAnswers()
    {
        await using var s = await FakeClockSupervisor.StartAsync(time => new ScriptedReplicaProvider(time, canStart: false, "A", "B"));
        Assert.Equal(["A", "B"], s.Hostnames.Order());
        s.Provider.Answer("A", HeartbeatAnswer.Refused);
        await s.Time.AdvanceUntilAsync(() => s.Has("A", Left), "A left the ring", within: 5 * Second);
        Assert.Equal(["A", "B"], s.Hostnames.Order());
        Assert.Equal(1, s.Table.Current.Count);

        s.Provider.Answer("A", HeartbeatAnswer.Ok);
        await s.Time.AdvanceUntilAsync(() => s.Table.Current.Count == 2, "A back in the ring", within: 3 * Second);
        Assert.Equal([(Added, Adopted), (Joined, Adopted), (Left, HeartbeatsFailed), (Joined, Recovered)], s.History("A"));
        Assert.Empty(s.Provider.StartCalls);
    }

    [Fact]
    public async Task Start_NewReplicaNeverAnswers_ReplacedAfterTheStartupTimeout()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        s.Provider.NewReplicasAnswer = HeartbeatAnswer.Refused;
        Assert.Equal(200, (await s.AddAsync(1, "S9")).StatusCode);
        s.Provider.NewReplicasAnswer = HeartbeatAnswer.Ok;
        var start = s.Time.GetUtcNow();

        await s.Time.AdvanceUntilAsync(() => s.Has("S9", Stopped), "S9 given up", within: 35 * Second, step: TimeSpan.FromMilliseconds(500));
        Assert.Equal([(Added, MembershipChangeReason.Admin), (Stopped, NeverAnswered)], s.History("S9")); // it never joined the ring
        Assert.InRange(s.ChangesOf("S9").Last().At - start, HeartbeatProber.StartupTimeout, HeartbeatProber.StartupTimeout + 2 * Second);
        await Eventually.AssertAsync(() => s.Table.Current.Count == 4 && !s.Hostnames.Contains("S9"), "S9 replaced", Within);
    }

    [Fact]
    public async Task Exit_ProviderReportsExit_ReplacedWithoutTheClockMoving()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        s.Provider.Kill("Server 1", reportExit: true);
        await Eventually.AssertAsync(
            () => s.Hostnames.Count == 3 && !s.Hostnames.Contains("Server 1") && s.Table.Current.Count == 3,
            "Server 1 replaced", Within);
        Assert.Equal([(Added, Initial), (Joined, Initial), (Left, Exited), (Stopped, Exited)], s.History("Server 1"));
    }

    [Fact]
    public async Task Exit_ProviderStopHangs_GivenUpAfterTheStopTimeoutThenReplaced()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        s.Provider.StopsHang = true;
        var start = s.Time.GetUtcNow();
        s.Provider.Kill("Server 1", reportExit: true);
        await Eventually.AssertAsync(() => s.Has("Server 1", Left), "Server 1 left the ring", Within);
        await s.Time.AdvanceAsync(TimeSpan.FromSeconds(29), step: Second);
        Assert.Equal(2, s.Table.Current.Count); // the supervisor still waits for the provider to stop it

        s.Provider.StopsHang = false;
        await s.Time.AdvanceUntilAsync(() => s.Table.Current.Count == 3, "the replacement in the ring", within: 5 * Second, step: Second);
        var replacement = s.Changes.Single(c => c is { Kind: Added, Reason: Respawn });
        // Its name is reported before the provider's start returns (what the dashboard shows at once).
        Assert.Equal([(MembershipChangeKind.Starting, Respawn), (Added, Respawn)], s.ChangesOf(replacement.Hostname).Take(2).Select(c => (c.Kind, c.Reason)));
        Assert.InRange(replacement.At - start, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(32));
        Assert.False(s.Has("Server 1", Stopped)); // the stop failed: logged, and left to the provider
    }

    [Fact]
    public async Task AddRemove_ManyAtOnce_ListProviderAndRingAgree()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? s.AddAsync(2) : s.RemoveAsync(1)));
        Assert.All(results, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(3 + (8 * 2) - 8, s.Hostnames.Count);
        Assert.Equal(s.Hostnames.Count, s.Hostnames.Distinct().Count());

        await s.Time.AdvanceUntilAsync(
            () => s.Provider.Running.Order().SequenceEqual(s.Hostnames.Order()) && s.Table.Current.Count == s.Hostnames.Count,
            "provider, ring and list agree",
            within: 5 * Second);
        Assert.Equal(s.Hostnames.Order(), s.Table.Current.Replicas.Select(r => r.Hostname).Order());
    }

    [Fact]
    public async Task Autoscaling_LoadRisesAndFalls_UpAtOnceThenDownOneAtATimeAfterTheCooldown()
    {
        await using var s = await FakeClockSupervisor.StartAsync(o =>
        {
            o.Replicas.Count = 1;
            o.Autoscaling.Enabled = true;
            o.Autoscaling.MaxReplicas = 4;
            o.Autoscaling.TargetInFlightPerReplica = 2; // the defaults otherwise: samples every second, cooldowns 10 s up, 60 s down
        });
        var state = s.InRing("Server 1");
        for (var i = 0; i < 8; i++)
        {
            state.Enter();
        }

        // 8 in flight at 2 per replica: 4 replicas, from the first sample on.
        var up = await s.Time.AdvanceUntilAsync(() => s.Table.Current.Count == 4, "scaled up to 4", within: 5 * Second);
        Assert.InRange(up, Second, 3 * Second);
        Assert.All(s.Hostnames.Skip(1), name => Assert.Equal([(Added, Autoscale), (Joined, Autoscale)], s.History(name)));

        for (var i = 0; i < 8; i++)
        {
            state.Exit();
        }

        // Down one replica per cooldown, the newest first, each drained and stopped.
        for (var count = 3; count >= 1; count--)
        {
            var waited = await s.Time.AdvanceUntilAsync(() => s.Hostnames.Count == count, $"scaled down to {count}", within: 70 * Second, step: Second);
            Assert.InRange(waited, 55 * Second, 66 * Second); // 60 s each, give or take the steps of the clock
        }

        Assert.Equal(["Server 1"], s.Hostnames);
        await s.Time.AdvanceUntilAsync(() => s.Provider.Running.Count == 1, "the others stopped", within: 5 * Second);
        Assert.Equal(3, s.Changes.Count(c => c is { Kind: Stopped, Reason: Autoscale }));
    }

    [Fact]
    public async Task Shutdown_StopsEveryReplicaIncludingOnesStillDraining()
    {
        await using var s = await FakeClockSupervisor.StartAsync();
        s.InRing("Server 1").Enter();
        Assert.Equal(200, (await s.RemoveAsync(1, "Server 1")).StatusCode);

        await s.Supervisor.StopAsync(CancellationToken.None);
        Assert.Empty(s.Provider.Running);
        Assert.Equal(0, s.Table.Current.Count);
        Assert.Equal(["Server 1", "Server 2", "Server 3"], s.Changes.Where(c => c is { Kind: Stopped, Reason: Shutdown }).Select(c => c.Hostname).Order());
    }

    [Fact]
    public async Task Shutdown_StopReplicasOnShutdownOff_LeavesThemRunning()
    {
        await using var s = await FakeClockSupervisor.StartAsync(o => o.Replicas.StopOnShutdown = false);
        await s.Supervisor.StopAsync(CancellationToken.None);
        Assert.Equal(3, s.Provider.Running.Count);
        Assert.DoesNotContain(s.Changes, c => c.Kind == Stopped);
    }
}
