using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Balancers;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding.Http1;

/// <summary>The lean forwarder's keep-alive connections: owned by the forwarder, closed when their replica leaves the ring.</summary>
public sealed class Http1ConnectionPoolTests
{
    [Fact]
    public async Task ReplicaLeavesRing_ItsPooledConnectionsClosedAtOnce()
    {
        var healthy = true;
        // Each answer comes in two parts 300 ms apart, so four requests at once take four connections.
        await using var replica = new RawReplica(r => r.Target.StartsWith("/heartbeat", StringComparison.Ordinal)
            ? RawAnswer.Of(Volatile.Read(ref healthy) ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" : "HTTP/1.1 503 Down\r\nContent-Length: 0\r\n\r\n")
            : new RawAnswer([Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"), Encoding.ASCII.GetBytes("ok")]) { PauseBetweenParts = TimeSpan.FromMilliseconds(300) });
        await using var balancer = await TestBalancer.StartAsync(
            b => b.AddStaticReplicas([replica.Address.ToString()]),
            o =>
            {
                o.Forwarding.Forwarder = ReplicaForwarder.Http1;
                o.Health.Interval = TimeSpan.FromMilliseconds(100);
            });
        await Eventually.AssertAsync(() => balancer.Table.Current.Count == 1, "the replica in the ring", TimeSpan.FromSeconds(30));

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => balancer.Client.GetStringAsync($"/pooled/{i}")));
        Assert.All(answers, a => Assert.Equal("ok", a));
        var forwarded = ForwardedConnections(replica);
        Assert.True(forwarded.Length >= 2, $"{forwarded.Length} connection(s)");
        Assert.Empty(Closed(replica, forwarded)); // kept alive in the pool

        // The replica fails its heartbeats and leaves the ring: the balancer closes the pooled connections, which the
        // replica sees as the end of each connection, long before any idle timeout.
        Volatile.Write(ref healthy, false);
        await Eventually.AssertAsync(() => balancer.Table.Current.Count == 0, "the replica out of the ring", TimeSpan.FromSeconds(30));
        await Eventually.AssertAsync(() => Closed(replica, forwarded).Length == forwarded.Length, "every pooled connection closed", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ForwarderDisposed_PooledConnectionsClosed()
    {
        await using var replica = new RawReplica(_ => RawAnswer.Of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        var balancer = await TestBalancer.StartAsync(
            b => b.AddStaticReplicas([replica.Address.ToString()]),
            o =>
            {
                o.Forwarding.Forwarder = ReplicaForwarder.Http1;
                o.Health.Interval = TimeSpan.FromHours(1);
            });
        try
        {
            Assert.Equal("ok", await balancer.Client.GetStringAsync("/pooled"));
            Assert.Empty(Closed(replica, ForwardedConnections(replica)));
        }
        finally
        {
            await balancer.DisposeAsync(); // stops the host, whose container disposes the forwarder
        }

        var forwarded = ForwardedConnections(replica);
        await Eventually.AssertAsync(() => Closed(replica, forwarded).Length == forwarded.Length, "the pooled connection closed", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Rent_IdleLongerThanTimeout_ClosedInsteadOfReused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var time = new FakeTimeProvider();
        var replica = new ReplicaState(new Replica("r", new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/"), "r")) { IsRoutable = true };
        var pool = new Http1ConnectionPool(replica, time);
        var connection = await Http1Connection.ConnectAsync(pool.EndPoint, CancellationToken.None);
        using var accepted = await listener.AcceptTcpClientAsync();

        pool.Return(connection);
        time.Advance(TimeSpan.FromSeconds(59));
        var reused = pool.Rent();
        Assert.Same(connection, reused);

        pool.Return(reused!);
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Null(pool.Rent());
        Assert.Equal(0, await accepted.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(10))); // closed: end of stream
    }

    [Fact]
    public async Task Return_PoolClosed_ConnectionClosedNotKept()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var replica = new ReplicaState(new Replica("r", new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/"), "r")) { IsRoutable = true };
        var pool = new Http1ConnectionPool(replica, TimeProvider.System);
        var connection = await Http1Connection.ConnectAsync(pool.EndPoint, CancellationToken.None);
        using var accepted = await listener.AcceptTcpClientAsync();

        pool.Close(); // the replica left while the connection was busy
        pool.Return(connection);
        Assert.Equal(0, pool.IdleCount);
        Assert.Equal(0, await accepted.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static int[] ForwardedConnections(RawReplica replica)
    {
        lock (replica.Requests)
        {
            return [.. replica.Requests.Where(r => !r.Target.StartsWith("/heartbeat", StringComparison.Ordinal)).Select(r => r.Connection).Distinct()];
        }
    }

    private static int[] Closed(RawReplica replica, int[] connections)
    {
        lock (replica.ClosedByBalancer)
        {
            return [.. connections.Where(replica.ClosedByBalancer.Contains)];
        }
    }
}
