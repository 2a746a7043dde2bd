using System.Globalization;
using System.Net;
using System.Text;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>
/// Idle keep-alive connections to one replica, most recently used first (hot sockets, fewer stale ones). Once closed
/// (the replica left the ring, or the forwarder is disposed) it holds nothing: its idle connections are closed, and
/// connections still in use are closed when they come back.
/// </summary>
internal sealed class Http1ConnectionPool
{
    private const int MaxIdle = 512;
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Hot = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _time;
    private readonly Http1Connection?[] _idle = new Http1Connection?[MaxIdle];
    private int _count;
    private bool _closed;

    public Http1ConnectionPool(ReplicaState replica, TimeProvider time)
    {
        _time = time;
        Replica = replica;
        var address = replica.Replica.Address;
        EndPoint = IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) ? new IPEndPoint(ip, address.Port) : new DnsEndPoint(address.IdnHost, address.Port);
        var authority = address.IsDefaultPort ? address.Host : address.Host + ":" + address.Port.ToString(CultureInfo.InvariantCulture);
        HostHeader = Encoding.ASCII.GetBytes("Host: " + authority + "\r\n");
        PathPrefix = Encoding.ASCII.GetBytes(address.AbsolutePath.TrimEnd('/'));
    }

    public ReplicaState Replica { get; }

    public EndPoint EndPoint { get; }

    /// <summary>
    /// <c>Host: authority\r\n</c> with the replica's authority: HTTP/1.1 requires a Host, so a request whose client sent
    /// none (HTTP/1.0) gets the replica's, as <c>HttpClient</c> on the YARP path does.
    /// </summary>
    public byte[] HostHeader { get; }

    /// <summary>The replica address's path (no trailing slash), put before the client's request target.</summary>
    public byte[] PathPrefix { get; }

    /// <summary>Idle connections now (for tests).</summary>
    public int IdleCount
    {
        get
        {
            lock (_idle)
            {
                return _count;
            }
        }
    }

    /// <summary>
    /// The most recently returned idle connection that still looks usable, or null. <paramref name="checkLiveness"/>
    /// false skips the poll for a connection used in the last second: the caller can retry a request without a body
    /// on a new connection if the replica had closed this one, so the syscall would only save a rare retry.
    /// </summary>
    public Http1Connection? Rent(bool checkLiveness = true)
    {
        while (true)
        {
            Http1Connection? connection;
            lock (_idle)
            {
                if (_count == 0)
                {
                    return null;
                }

                connection = _idle[--_count];
                _idle[_count] = null;
            }

            // A poll per reuse for requests with a body: they cannot be retried once sent, and without the poll they went
            // into connections a just-stopped replica had closed (the failover tests caught it).
            var idle = _time.GetElapsedTime(connection!.IdleSince);
            if (idle < IdleTimeout && ((!checkLiveness && idle < Hot) || !connection.LooksClosed()))
            {
                return connection;
            }

            connection.Dispose();
        }
    }

    /// <summary>Keeps a connection whose exchange ended cleanly for the next request, or closes it if the pool is closed or full.</summary>
    public void Return(Http1Connection connection)
    {
        if (connection.TryResetForReuse())
        {
            connection.IdleSince = _time.GetTimestamp();
            lock (_idle)
            {
                if (!_closed && _count < MaxIdle)
                {
                    _idle[_count++] = connection;
                    return;
                }
            }
        }

        connection.Dispose();
    }

    /// <summary>Closes the idle connections now and every other one when it is returned.</summary>
    public void Close()
    {
        Http1Connection?[] idle;
        lock (_idle)
        {
            _closed = true;
            idle = _idle[.._count];
            Array.Clear(_idle, 0, _count);
            _count = 0;
        }

        foreach (var connection in idle)
        {
            connection!.Dispose();
        }
    }
}
