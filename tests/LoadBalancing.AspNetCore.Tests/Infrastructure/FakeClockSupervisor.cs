using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Supervision;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A started <see cref="ReplicaSupervisor"/> on a <see cref="FakeTimeProvider"/> over a <see cref="ScriptedReplicaProvider"/>:
/// the whole supervision logic (loop, prober, drain, autoscaler) with time moved by the test, so heartbeat timeouts,
/// cooldowns and drains take milliseconds (move it with <see cref="FakeClock"/>). It records every membership change reported.
/// </summary>
internal sealed class FakeClockSupervisor : IAsyncDisposable
{
    private readonly List<MembershipChange> _changes = [];
    private readonly HeartbeatProber _prober;

    private FakeClockSupervisor(FakeTimeProvider time, ConsistentHashBalancerOptions options, ScriptedReplicaProvider provider, IReplicaLeadership? leadership)
    {
        Time = time;
        Options = options;
        Provider = provider;
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        Table = new ReplicaTable(wrapped, time);
        _prober = new HeartbeatProber(options, time, provider.Heartbeats);
        Supervisor = new ReplicaSupervisor(wrapped, Table, provider, _prober, time, NullLogger<ReplicaSupervisor>.Instance, leadership);
        Supervisor.MembershipChanged += change =>
        {
            lock (_changes)
            {
                _changes.Add(change);
            }
        };
    }

    public FakeTimeProvider Time { get; }

    public ConsistentHashBalancerOptions Options { get; }

    public ScriptedReplicaProvider Provider { get; }

    public ReplicaTable Table { get; }

    public ReplicaSupervisor Supervisor { get; }

    public IReadOnlyList<MembershipChange> Changes
    {
        get
        {
            lock (_changes)
            {
                return [.. _changes];
            }
        }
    }

    public IReadOnlyList<string> Hostnames => Supervisor.Hostnames;

    /// <summary>Starts with the defaults (3 replicas, heartbeats every second, 2 s timeout, 2 misses) unless configured.</summary>
    public static Task<FakeClockSupervisor> StartAsync(Action<ConsistentHashBalancerOptions>? configure = null)
        => StartAsync(time => new ScriptedReplicaProvider(time), configure);

    public static async Task<FakeClockSupervisor> StartAsync(
        Func<TimeProvider, ScriptedReplicaProvider> provider, Action<ConsistentHashBalancerOptions>? configure = null, IReplicaLeadership? leadership = null)
    {
        var time = new FakeTimeProvider();
        var options = new ConsistentHashBalancerOptions();
        configure?.Invoke(options);
        var supervision = new FakeClockSupervisor(time, options, provider(time), leadership);
        await supervision.Supervisor.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        return supervision;
    }

    public Task<AdminResult> AddAsync(int n, params string[] hostnames) => Supervisor.AddAsync(n, hostnames, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

    public Task<AdminResult> RemoveAsync(int n, params string[] hostnames) => Supervisor.RemoveAsync(n, hostnames, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>The routing state of a replica in the ring.</summary>
    public ReplicaState InRing(string hostname) => Table.Current.Replicas.Single(r => r.Hostname == hostname);

    public IEnumerable<MembershipChange> ChangesOf(string hostname) => Changes.Where(c => c.Hostname == hostname);

    /// <summary>What happened to a replica as a member, and why, in order (the Starting change before it is one is left out).</summary>
    public (MembershipChangeKind Kind, MembershipChangeReason Reason)[] History(string hostname)
        => [.. ChangesOf(hostname).Where(c => c.Kind != MembershipChangeKind.Starting).Select(c => (c.Kind, c.Reason))];

    public bool Has(string hostname, MembershipChangeKind kind) => ChangesOf(hostname).Any(c => c.Kind == kind);

    public async ValueTask DisposeAsync()
    {
        await Supervisor.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await Supervisor.DisposeAsync();
        _prober.Dispose();
    }
}
