using Microsoft.Extensions.Time.Testing;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Supervision;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Http;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Supervision;

/// <summary>
/// The prober on its own: one probe against real Kestrel replicas (with the timeout on a fake clock), and its
/// schedule over scripted answers: what it posts to the supervisor, and when.
/// </summary>
public sealed class HeartbeatProberTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    /// <summary>How long a real-clock wait for asynchronous state may take on a busy machine.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Probe_ReplicaAnswers_True()
    {
        await using var backend = await TestBackend.StartAsync("A");
        using var prober = RealProber(new FakeTimeProvider());
        Assert.True(await prober.ProbeAsync(State("A", backend.Address), CancellationToken.None));
        Assert.Equal(1, backend.Heartbeats);
    }

    [Fact]
    public async Task Probe_NothingListens_False()
    {
        var backend = await TestBackend.StartAsync("A");
        await backend.StopAsync();
        using var stopped = LoopbackPort.Hold(backend.Address.Port);
        using var prober = RealProber(new FakeTimeProvider());
        Assert.False(await prober.ProbeAsync(State("A", backend.Address), CancellationToken.None));
    }

    [Fact]
    public async Task Probe_ErrorStatus_False()
    {
        await using var backend = await TestBackend.StartAsync("A");
        using var prober = RealProber(new FakeTimeProvider(), o => o.Health.Path = "/status/503");
        Assert.False(await prober.ProbeAsync(State("A", backend.Address), CancellationToken.None));
    }

    [Fact]
    public async Task Probe_ReplicaHangs_FalseOnceTheTimeoutPassesOnTheClock()
    {
        await using var backend = await TestBackend.StartAsync("A");
        backend.HeartbeatDelay = Timeout.InfiniteTimeSpan;
        var time = new FakeTimeProvider();
        // A timeout far longer than the test may wait on the real clock: only the fake clock can end the probe in time.
        using var prober = RealProber(time, o => o.Health.Timeout = TimeSpan.FromMinutes(5));
        var probe = prober.ProbeAsync(State("A", backend.Address), CancellationToken.None);
        await Eventually.AssertAsync(() => backend.Heartbeats == 1, "the probe reached the replica", Within);

        time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);
        Assert.False(probe.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(await probe.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Run_EveryInterval_PostsFailuresAndRecoveriesButNotRoutineAnswers()
    {
        var (time, network) = Scripted();
        using var prober = new HeartbeatProber(new ConsistentHashBalancerOptions(), time, network);
        var healthy = Member("healthy", network, HeartbeatAnswer.Ok, ready: true);
        var failing = Member("failing", network, HeartbeatAnswer.Refused, ready: true);
        var starting = Member("starting", network, HeartbeatAnswer.Ok, ready: false);
        var reports = new List<HeartbeatResult>();
        using var stop = new CancellationTokenSource();
        var run = prober.RunAsync(() => [healthy, failing, starting], r => { lock (reports) { reports.Add(r); } }, stop.Token);

        await time.AdvanceAsync(TimeSpan.FromMilliseconds(900));
        Assert.Equal(0, network.Probes(failing.State.Replica.Address)); // the first round comes after one interval

        await time.AdvanceUntilAsync(() => Snapshot(reports).Count == 1, "the first round's report", within: 5 * Second);
        Assert.Equal(new HeartbeatResult(failing, Ok: false, StartupFailed: false), Snapshot(reports)[0]);
        Assert.Equal(1, network.Probes(healthy.State.Replica.Address));
        Assert.Equal(0, network.Probes(starting.State.Replica.Address)); // polled by WaitUntilAnswersAsync instead

        // It answers again while the supervisor counts a failure: the recovery is posted, once.
        failing.Failures = 1;
        network.Set(failing.State.Replica.Address, HeartbeatAnswer.Ok);
        await time.AdvanceUntilAsync(() => Snapshot(reports).Count == 2, "the recovery", within: 3 * Second);
        Assert.Equal(new HeartbeatResult(failing, Ok: true, StartupFailed: false), Snapshot(reports)[1]);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitUntilAnswers_PollsEvery50msUntilTheFirstAnswer()
    {
        var (time, network) = Scripted();
        using var prober = new HeartbeatProber(new ConsistentHashBalancerOptions(), time, network);
        var member = Member("new", network, HeartbeatAnswer.Refused, ready: false);
        var address = member.State.Replica.Address;
        var reports = new List<HeartbeatResult>();

        var waiting = prober.WaitUntilAnswersAsync(member, reports.Add, CancellationToken.None);
        await Eventually.AssertAsync(() => network.Probes(address) == 1, "the first probe, at once", Within);
        var step = TimeSpan.FromMilliseconds(10);
        var waited = await time.AdvanceUntilAsync(() => network.Probes(address) >= 3, "two more probes", within: 5 * Second, step);
        Assert.True(waited >= TimeSpan.FromMilliseconds(100), $"two more probes after {waited}: faster than one per 50 ms");
        network.Set(address, HeartbeatAnswer.Ok);
        await time.AdvanceUntilAsync(() => waiting.IsCompleted, "the answer", within: 5 * Second, step);

        Assert.Equal([new HeartbeatResult(member, Ok: true, StartupFailed: false)], reports);
        Assert.True(network.Probes(address) >= 4);
    }

    [Fact]
    public async Task WaitUntilAnswers_NeverAnswers_ReportsStartupFailedAfterTheStartupTimeout()
    {
        var (time, network) = Scripted();
        using var prober = new HeartbeatProber(new ConsistentHashBalancerOptions(), time, network);
        var member = Member("new", network, HeartbeatAnswer.Refused, ready: false);
        var reports = new List<HeartbeatResult>();

        var waiting = prober.WaitUntilAnswersAsync(member, reports.Add, CancellationToken.None);
        var waited = await time.AdvanceUntilAsync(() => waiting.IsCompleted, "the verdict", within: 40 * Second, step: Second);
        Assert.InRange(waited, HeartbeatProber.StartupTimeout, HeartbeatProber.StartupTimeout + 2 * Second);
        Assert.Equal([new HeartbeatResult(member, Ok: false, StartupFailed: true)], reports);
    }

    private static HeartbeatProber RealProber(TimeProvider time, Action<ConsistentHashBalancerOptions>? configure = null)
    {
        var options = new ConsistentHashBalancerOptions();
        configure?.Invoke(options);
        return new HeartbeatProber(Microsoft.Extensions.Options.Options.Create(options), time);
    }

    private static (FakeTimeProvider Time, ScriptedHeartbeats Network) Scripted()
    {
        var time = new FakeTimeProvider();
        return (time, new ScriptedHeartbeats(time));
    }

    private static ReplicaState State(string hostname, Uri address) => new(new Replica(hostname, address, hostname));

    private static SupervisedReplica Member(string hostname, ScriptedHeartbeats network, HeartbeatAnswer answer, bool ready)
    {
        var address = new Uri($"http://{hostname}.test/");
        network.Set(address, answer);
        var member = new SupervisedReplica(State(hostname, address), MembershipChangeReason.Initial);
        if (ready)
        {
            member.State.IsRoutable = true;
            member.Ready.TrySetResult();
        }

        return member;
    }

    private static List<HeartbeatResult> Snapshot(List<HeartbeatResult> reports)
    {
        lock (reports)
        {
            return [.. reports];
        }
    }
}
