using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;

/// <summary>
/// A hand-written HTTP/1.1 "replica" on 127.0.0.1 port 0 that answers with exactly the bytes a test gives it, so the lean
/// forwarder's parser meets chunked bodies, close-delimited bodies and malformed responses a real server would not send.
/// </summary>
internal sealed class RawReplica : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RawRequest, RawAnswer> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _accepted;

    public RawReplica(Func<RawRequest, RawAnswer> answer)
    {
        _answer = answer;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>TCP connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Every request received, in order.</summary>
    public List<RawRequest> Requests { get; } = [];

    /// <summary>The accepted connections (1, 2, ...) the balancer closed: end of stream or a reset while waiting for a request.</summary>
    public HashSet<int> ClosedByBalancer { get; } = [];

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var connection = Interlocked.Increment(ref _accepted);
                lock (_connections)
                {
                    _connections.Add(ServeAsync(client, connection));
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task ServeAsync(TcpClient client, int connection)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new RawReader(stream);
        try
        {
            while (true)
            {
                if (await reader.ReadRequestAsync(_stop.Token) is not { } received)
                {
                    MarkClosed(connection);
                    return;
                }

                var request = received with { Connection = connection };
                lock (Requests)
                {
                    Requests.Add(request);
                }

                var answer = _answer(request);
                foreach (var part in answer.Parts)
                {
                    await stream.WriteAsync(part, _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                    if (answer.PauseBetweenParts > TimeSpan.Zero)
                    {
                        await Task.Delay(answer.PauseBetweenParts, _stop.Token);
                    }
                }

                if (answer.Close)
                {
                    client.Client.Shutdown(SocketShutdown.Both);
                    return;
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            MarkClosed(connection); // the balancer reset its side
        }
    }

    private void MarkClosed(int connection)
    {
        lock (ClosedByBalancer)
        {
            ClosedByBalancer.Add(connection);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }
}

/// <summary>One request as the replica received it: the head as text and the de-chunked body.</summary>
internal sealed record RawRequest(string Head, byte[] Body, bool Chunked)
{
    /// <summary>Which accepted connection (1, 2, ...) carried the request.</summary>
    public int Connection { get; init; }

    public string Target => RequestLine.Split(' ')[1];

    public string RequestLine => Head[..Head.IndexOf("\r\n", StringComparison.Ordinal)];

    public string? Header(string name)
    {
        foreach (var line in Head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }
}

/// <summary>The raw bytes to answer with, written part by part; Close shuts the connection afterwards.</summary>
internal sealed record RawAnswer(IReadOnlyList<byte[]> Parts, bool Close = false)
{
    public TimeSpan PauseBetweenParts { get; init; }

    public static RawAnswer Of(string text, bool close = false) => new([Encoding.Latin1.GetBytes(text)], close);
}

/// <summary>Reads HTTP/1.1 requests (Content-Length or chunked bodies) from a stream.</summary>
internal sealed class RawReader(Stream stream)
{
    private readonly MemoryStream _pending = new();

    public async Task<RawRequest?> ReadRequestAsync(CancellationToken cancellationToken)
    {
        var head = await ReadUntilAsync("\r\n\r\n"u8.ToArray(), cancellationToken);
        if (head is null)
        {
            return null;
        }

        var text = Encoding.Latin1.GetString(head);
        var request = new RawRequest(text, [], false);
        if (request.Header("Content-Length") is { } length)
        {
            return request with { Body = await ReadExactlyAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture), cancellationToken) };
        }

        if (request.Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var body = new MemoryStream();
            while (true)
            {
                var line = Encoding.Latin1.GetString((await ReadUntilAsync("\r\n"u8.ToArray(), cancellationToken))!).TrimEnd();
                var size = Convert.ToInt32(line.Split(';')[0], 16);
                if (size == 0)
                {
                    await ReadUntilAsync("\r\n"u8.ToArray(), cancellationToken);
                    return request with { Body = body.ToArray(), Chunked = true };
                }

                body.Write(await ReadExactlyAsync(size, cancellationToken));
                await ReadExactlyAsync(2, cancellationToken);
            }
        }

        return request;
    }

    /// <summary>Bytes up to and including the delimiter; null at end of stream before any byte.</summary>
    public async Task<byte[]?> ReadUntilAsync(byte[] delimiter, CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffered = _pending.ToArray();
            var index = buffered.AsSpan().IndexOf(delimiter);
            if (index >= 0)
            {
                Take(buffered, index + delimiter.Length);
                return buffered[..(index + delimiter.Length)];
            }

            if (!await FillAsync(cancellationToken))
            {
                return null;
            }
        }
    }

    public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        while (_pending.Length < count)
        {
            if (!await FillAsync(cancellationToken))
            {
                throw new EndOfStreamException();
            }
        }

        var buffered = _pending.ToArray();
        Take(buffered, count);
        return buffered[..count];
    }

    /// <summary>Reads to the end of the stream.</summary>
    public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        while (await FillAsync(cancellationToken))
        {
        }

        return _pending.ToArray();
    }

    private void Take(byte[] buffered, int count)
    {
        _pending.SetLength(0);
        _pending.Write(buffered, count, buffered.Length - count);
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var read = await stream.ReadAsync(buffer, cancellationToken);
        _pending.Write(buffer, 0, read);
        return read > 0;
    }
}
