using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A real replica provider whose replicas are Kestrel servers in this process (no child processes): it lets the
/// end-to-end supervision tests start, kill and stop replicas quickly, and report exits the way a process provider does.
/// </summary>
internal sealed class InProcessReplicaProvider : IReplicaProvider, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TestBackend> _running = new(StringComparer.Ordinal);
    private readonly Channel<Replica> _exits = Channel.CreateUnbounded<Replica>();
    private int _starts;

    public bool CanStart => true;

    /// <summary>When set, the next StartAsync throws a <see cref="ReplicaProviderException"/>.</summary>
    public bool FailNextStart { get; set; }

    public int StartCalls => Volatile.Read(ref _starts);

    public IReadOnlyCollection<string> Running => [.. _running.Keys];

    public TestBackend Backend(string hostname) => _running[hostname];

    public async Task<IReadOnlyList<Replica>> StartAsync(IReadOnlyList<string> hostnames, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _starts);
        if (FailNextStart)
        {
            FailNextStart = false;
            throw new ReplicaProviderException("The engine is down (test).");
        }

        var replicas = new List<Replica>();
        foreach (var hostname in hostnames)
        {
            var backend = await TestBackend.StartAsync(hostname);
            if (!_running.TryAdd(hostname, backend))
            {
                await backend.DisposeAsync();
                throw new InvalidOperationException($"Provider asked to start '{hostname}' twice.");
            }

            replicas.Add(new Replica(hostname, backend.Address, backend.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return replicas;
    }

    public async Task StopAsync(Replica replica, CancellationToken cancellationToken)
    {
        if (_running.TryRemove(replica.Hostname, out var backend))
        {
            await backend.StopAsync();
        }
    }

    public Task<IReadOnlyList<Replica>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Replica>>([]);

    public async IAsyncEnumerable<Replica> WatchExitsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var replica in _exits.Reader.ReadAllAsync(cancellationToken))
        {
            yield return replica;
        }
    }

    /// <summary>Stops a replica behind the supervisor's back; with <paramref name="reportExit"/> the provider reports it like a process exit.</summary>
    public async Task KillAsync(string hostname, bool reportExit)
    {
        if (_running.TryRemove(hostname, out var backend))
        {
            await backend.StopAsync();
            if (reportExit)
            {
                _exits.Writer.TryWrite(new Replica(hostname, backend.Address, backend.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var backend in _running.Values)
        {
            await backend.DisposeAsync();
        }

        _running.Clear();
    }
}
