using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A replica provider whose replicas exist as addresses only: starting one takes no time, and its heartbeat answers
/// come from <see cref="Heartbeats"/>. It lets supervision logic run on a fake clock, with no sockets and no waiting.
/// </summary>
internal sealed class ScriptedReplicaProvider : IReplicaProvider
{
    private readonly ConcurrentDictionary<string, Replica> _running = new(StringComparer.Ordinal);
    private readonly Channel<Replica> _exits = Channel.CreateUnbounded<Replica>();
    private readonly List<IReadOnlyList<string>> _startCalls = [];
    private int _nextPort = 1000;

    public ScriptedReplicaProvider(TimeProvider time, bool canStart = true, params string[] running)
    {
        Heartbeats = new ScriptedHeartbeats(time);
        CanStart = canStart;
        foreach (var hostname in running)
        {
            _running[hostname] = NewReplica(hostname);
        }
    }

    public ScriptedHeartbeats Heartbeats { get; }

    public bool CanStart { get; }

    /// <summary>How replicas started from now on answer their heartbeats.</summary>
    public HeartbeatAnswer NewReplicasAnswer { get; set; } = HeartbeatAnswer.Ok;

    /// <summary>When set, the next StartAsync throws a <see cref="ReplicaProviderException"/>.</summary>
    public bool FailNextStart { get; set; }

    /// <summary>When set, StopAsync never finishes on its own: only its cancellation ends it.</summary>
    public bool StopsHang { get; set; }

    public IReadOnlyList<IReadOnlyList<string>> StartCalls
    {
        get
        {
            lock (_startCalls)
            {
                return [.. _startCalls];
            }
        }
    }

    public IReadOnlyCollection<string> Running => [.. _running.Keys];

    public Replica Replica(string hostname) => _running[hostname];

    public Task<IReadOnlyList<Replica>> StartAsync(IReadOnlyList<string> hostnames, CancellationToken cancellationToken)
    {
        lock (_startCalls)
        {
            _startCalls.Add([.. hostnames]);
        }

        if (FailNextStart)
        {
            FailNextStart = false;
            throw new ReplicaProviderException("The engine is down (test).");
        }

        var replicas = new List<Replica>();
        foreach (var hostname in hostnames)
        {
            var replica = NewReplica(hostname);
            Assert.True(_running.TryAdd(hostname, replica), $"Provider asked to start '{hostname}' twice.");
            replicas.Add(replica);
        }

        return Task.FromResult<IReadOnlyList<Replica>>(replicas);
    }

    public async Task StopAsync(Replica replica, CancellationToken cancellationToken)
    {
        if (StopsHang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        if (_running.TryRemove(new KeyValuePair<string, Replica>(replica.Hostname, replica)))
        {
            Heartbeats.Set(replica.Address, HeartbeatAnswer.Refused);
        }
    }

    public Task<IReadOnlyList<Replica>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Replica>>([.. _running.Values]);

    public async IAsyncEnumerable<Replica> WatchExitsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var replica in _exits.Reader.ReadAllAsync(cancellationToken))
        {
            yield return replica;
        }
    }

    /// <summary>Sets how a running replica answers its heartbeats from now on.</summary>
    public void Answer(string hostname, HeartbeatAnswer answer) => Heartbeats.Set(_running[hostname].Address, answer);

    public int Probes(string hostname) => Heartbeats.Probes(_running[hostname].Address);

    /// <summary>The replica dies behind the supervisor's back; with <paramref name="reportExit"/> the provider reports it.</summary>
    public void Kill(string hostname, bool reportExit)
    {
        Assert.True(_running.TryRemove(hostname, out var replica));
        Heartbeats.Set(replica.Address, HeartbeatAnswer.Refused);
        if (reportExit)
        {
            _exits.Writer.TryWrite(replica);
        }
    }

    // Every replica gets an address of its own, so a new replica under an old name is a different one.
    private Replica NewReplica(string hostname)
    {
        var port = Interlocked.Increment(ref _nextPort);
        var address = new Uri($"http://replica.test:{port}/");
        Heartbeats.Set(address, NewReplicasAnswer);
        return new Replica(hostname, address, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
