using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>
/// A replica that answers heartbeats properly and every other request with a fixed malformed response, counting them: the
/// one thing a third-party application will not do on purpose. Loopback, port 0.
/// </summary>
internal sealed class MalformedReplica : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;

    public MalformedReplica(string heartbeatPath)
    {
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync(heartbeatPath);
    }

    public Uri Address { get; }

    /// <summary>What every request other than a heartbeat gets.</summary>
    public string Answer { get; set; } = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    /// <summary>Requests answered with <see cref="Answer"/>.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public void ResetCount() => Interlocked.Exchange(ref _requests, 0);

    private async Task AcceptAsync(string heartbeatPath)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client, heartbeatPath);
        }
    }

    private async Task ServeAsync(TcpClient client, string heartbeatPath)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[64 * 1024];
                var pending = new StringBuilder();
                while (true)
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    pending.Append(Encoding.Latin1.GetString(buffer, 0, read));
                    int end;
                    while ((end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                    {
                        var head = pending.ToString(0, end);
                        pending.Remove(0, end + 4); // the suite sends no request bodies to this replica
                        var heartbeat = head.Split(' ') is [_, var target, ..] && target == heartbeatPath;
                        if (!heartbeat)
                        {
                            Interlocked.Increment(ref _requests);
                        }

                        var answer = heartbeat ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" : Answer;
                        await stream.WriteAsync(Encoding.Latin1.GetBytes(answer), _stop.Token);
                        if (!heartbeat)
                        {
                            return; // close after a malformed answer, as a broken server would
                        }
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
