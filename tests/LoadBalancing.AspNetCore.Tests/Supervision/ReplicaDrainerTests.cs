using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Supervision;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Supervision;

public sealed class ReplicaDrainerTests
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly ReplicaState _replica = new(new Replica("A", new Uri("http://replica.test/"), "A"));

    [Fact]
    public async Task Wait_NoRequestsInFlight_DoneAfterTheGrace()
    {
        var drain = Drainer().WaitAsync(_replica, CancellationToken.None);
        await _time.AdvanceAsync(ReplicaDrainer.Grace - TimeSpan.FromMilliseconds(10), step: TimeSpan.FromMilliseconds(10));
        Assert.False(drain.IsCompleted);
        await _time.AdvanceUntilAsync(() => drain.IsCompleted, "drained", within: TimeSpan.FromSeconds(1), step: TimeSpan.FromMilliseconds(10));
        Assert.True(await drain);
    }

    [Fact]
    public async Task Wait_RequestInFlight_DoneWhenItEnds()
    {
        _replica.Enter();
        var drain = Drainer().WaitAsync(_replica, CancellationToken.None);
        await _time.AdvanceAsync(TimeSpan.FromSeconds(5), step: TimeSpan.FromMilliseconds(250));
        Assert.False(drain.IsCompleted);

        _replica.Exit();
        await _time.AdvanceUntilAsync(() => drain.IsCompleted, "drained", within: TimeSpan.FromSeconds(1), step: ReplicaDrainer.PollInterval);
        Assert.True(await drain);
    }

    [Fact]
    public async Task Wait_RequestNeverEnds_DoneAtTheDrainTimeout()
    {
        _replica.Enter();
        var drain = Drainer().WaitAsync(_replica, CancellationToken.None);
        var waited = await _time.AdvanceUntilAsync(() => drain.IsCompleted, "given up", within: DrainTimeout + TimeSpan.FromSeconds(2), step: TimeSpan.FromMilliseconds(250));
        Assert.True(waited >= DrainTimeout, $"gave up after {waited}");
        Assert.True(await drain);
    }

    [Fact]
    public async Task Wait_Cancelled_FalseAndNothingToStop()
    {
        _replica.Enter();
        using var stopping = new CancellationTokenSource();
        var drain = Drainer().WaitAsync(_replica, stopping.Token);
        await stopping.CancelAsync();
        Assert.False(await drain.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private ReplicaDrainer Drainer() => new(DrainTimeout, _time, NullLogger.Instance);
}
