using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Ringway.TestSupport.Hostile;

/// <summary>What came back on a raw connection: a parsed response, or nothing before the server closed it.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body, TimeSpan Elapsed)
{
    /// <summary>The server closed (or reset) the connection without a response.</summary>
    public bool Closed => Status == 0;

    public override string ToString() => Closed ? $"connection closed after {Elapsed.TotalMilliseconds:F0} ms" : $"{Status} {Body}";
}

/// <summary>
/// HTTP/1.1 over a bare TcpClient, for requests HttpClient refuses to send (conflicting framing, oversized or malformed
/// headers) and for clients that trickle their bytes. Reads until the server closes the connection.
/// </summary>
public static class RawHttp
{
    public static async Task<RawResponse> SendAsync(Uri address, byte[] request, TimeSpan? trickleEvery = null, int trickleBytes = 1, int trickleFrom = 0, bool halfClose = false, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port, timeout.Token);
        var stream = client.GetStream();

        // Read while sending: the server may answer (and close) before it has read everything.
        var reading = ReadToEndAsync(stream, timeout.Token);
        try
        {
            if (trickleEvery is { } delay)
            {
                await stream.WriteAsync(request.AsMemory(0, trickleFrom), timeout.Token);
                for (var offset = trickleFrom; offset < request.Length && !reading.IsCompleted; offset += trickleBytes)
                {
                    await stream.WriteAsync(request.AsMemory(offset, Math.Min(trickleBytes, request.Length - offset)), timeout.Token);
                    await Task.Delay(delay, timeout.Token);
                }
            }
            else
            {
                await stream.WriteAsync(request, timeout.Token);
            }

            if (halfClose)
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
            // The server closed the connection while we were still sending: what it answered is read below.
        }
        catch (OperationCanceledException) when (reading.IsCompleted)
        {
        }

        var received = await reading;
        return Parse(received, clock.Elapsed);
    }

    /// <summary>A request with CRLF line ends, <c>Connection: close</c> and a Content-Length when a body is given.</summary>
    public static byte[] Build(string method, string target, IEnumerable<KeyValuePair<string, string>> headers, byte[]? body, Uri address, bool addContentLength = true)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\nHost: {address.Authority}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (body is not null && addContentLength)
        {
            text.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        }

        text.Append("\r\n");
        var head = Encoding.UTF8.GetBytes(text.ToString());
        return body is null ? head : [.. head, .. body];
    }

    private static async Task<byte[]> ReadToEndAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Reset by the server, or the time limit: keep what arrived (no complete response counts as closed).
        }

        return buffer.ToArray();
    }

    private static RawResponse Parse(byte[] received, TimeSpan elapsed)
    {
        var text = Encoding.UTF8.GetString(received);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0 || !text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal))
        {
            return new RawResponse(0, new Dictionary<string, string>(), text, elapsed);
        }

        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].AsSpan(9, 3), CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = text[(end + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        return new RawResponse(status, headers, body, elapsed);
    }

    private static string Dechunk(string body)
    {
        var result = new StringBuilder();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = body.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (lineEnd < 0 || !int.TryParse(body.AsSpan(position, lineEnd - position), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size == 0)
            {
                break;
            }

            result.Append(body, lineEnd + 2, Math.Min(size, body.Length - lineEnd - 2));
            position = lineEnd + 2 + size + 2;
        }

        return result.ToString();
    }
}
