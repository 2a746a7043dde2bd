using System.Collections.Concurrent;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>
/// The lean forwarder's connection pools, one per replica in the ring. A replica that leaves the ring has its pool
/// closed at once (its idle sockets closed, the busy ones when their exchange ends), and disposing closes them all.
/// </summary>
internal sealed class Http1ConnectionPools : IDisposable
{
    private readonly ConcurrentDictionary<ReplicaState, Http1ConnectionPool> _pools = new(ReferenceEqualityComparer.Instance);
    private readonly ReplicaTable _table;
    private readonly TimeProvider _time;
    private volatile bool _disposed;

    public Http1ConnectionPools(ReplicaTable table, TimeProvider time)
    {
        _table = table;
        _time = time;
        table.ReplicaLeft += Close;
    }

    /// <summary>
    /// The replica's pool. A replica out of the ring (a request still routed by an older snapshot, or draining) gets a
    /// closed pool of its own: its connection serves that one exchange and is then closed.
    /// </summary>
    public Http1ConnectionPool For(ReplicaState replica)
        => _pools.TryGetValue(replica, out var pool) ? pool : Add(replica);

    private Http1ConnectionPool Add(ReplicaState replica)
    {
        var created = new Http1ConnectionPool(replica, _time);
        if (!replica.IsRoutable || _disposed)
        {
            created.Close();
            return created;
        }

        var pool = _pools.GetOrAdd(replica, created);
        // The replica may have left between the check above and the add, after its ReplicaLeft ran: IsRoutable is
        // cleared before that event, so looking again here catches it.
        if (!replica.IsRoutable || _disposed)
        {
            Close(replica);
        }

        return pool;
    }

    private void Close(ReplicaState replica)
    {
        if (_pools.TryRemove(replica, out var pool))
        {
            pool.Close();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _table.ReplicaLeft -= Close;
        foreach (var replica in _pools.Keys)
        {
            Close(replica);
        }
    }
}
