using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>One response read off a raw connection.</summary>
internal sealed record RawAnswer(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>What came back on a raw connection: interim and final responses, and whether the server closed it.</summary>
internal sealed record RawResult(IReadOnlyList<int> Interim, IReadOnlyList<RawAnswer> Answers, bool Closed);

/// <summary>
/// HTTP/1.x over a bare socket, for what HttpClient will not send (conflicting framing, HTTP/1.0 with chunked, pipelined
/// requests, Expect without a body yet). Reads every response until the server closes or stays silent for a while.
/// </summary>
internal static class RawExchange
{
    /// <summary>How long a silent connection is waited on, once something has arrived, before it counts as kept open.</summary>
    public static readonly TimeSpan Silence = TimeSpan.FromSeconds(3);

    /// <summary>How long the first byte is waited for: a busy machine may take seconds to answer, and no answer is rare.</summary>
    public static readonly TimeSpan FirstByte = TimeSpan.FromSeconds(10);

    public static async Task<RawResult> SendAsync(Uri address, string request) => await SendAsync(address, Encoding.Latin1.GetBytes(request));

    public static async Task<RawResult> SendAsync(Uri address, byte[] request)
    {
        using var client = await ConnectAsync(address);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request);
        }
        catch (IOException)
        {
            // Closed while we were still sending: what it answered is read below.
        }

        var (received, closed) = await ReadAsync(stream, _ => false);
        return Parse(received, closed);
    }

    /// <summary>
    /// Sends <paramref name="head"/>, waits up to <paramref name="wait"/> for an interim response (100 Continue) before
    /// sending <paramref name="body"/>, then reads everything.
    /// </summary>
    public static async Task<RawResult> SendExpectingContinueAsync(Uri address, string head, string body, TimeSpan wait)
    {
        using var client = await ConnectAsync(address);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head));
        var (interim, closedEarly) = await ReadAsync(stream, bytes => Encoding.Latin1.GetString(bytes).Contains("\r\n\r\n", StringComparison.Ordinal), wait);
        if (closedEarly)
        {
            return Parse(interim, closed: true);
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(body));
        var (rest, closed) = await ReadAsync(stream, _ => false);
        return Parse([.. interim, .. rest], closed);
    }

    private static async Task<TcpClient> ConnectAsync(Uri address)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, address.Port);
        return client;
    }

    /// <summary>
    /// Reads until the server closes (true), <paramref name="enough"/> holds, or nothing arrives for
    /// <paramref name="silence"/> (by default <see cref="FirstByte"/> before anything arrived, <see cref="Silence"/> after).
    /// </summary>
    private static async Task<(byte[] Received, bool Closed)> ReadAsync(NetworkStream stream, Func<byte[], bool> enough, TimeSpan? silence = null)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var quiet = new CancellationTokenSource(silence ?? (buffer.Length == 0 ? FirstByte : Silence));
            int read;
            try
            {
                read = await stream.ReadAsync(chunk, quiet.Token);
            }
            catch (OperationCanceledException)
            {
                return (buffer.ToArray(), false);
            }
            catch (IOException)
            {
                return (buffer.ToArray(), true); // reset
            }

            if (read == 0)
            {
                return (buffer.ToArray(), true);
            }

            buffer.Write(chunk, 0, read);
            if (enough(buffer.ToArray()))
            {
                return (buffer.ToArray(), false);
            }
        }

        return (buffer.ToArray(), false);
    }

    private static RawResult Parse(byte[] received, bool closed)
    {
        var interim = new List<int>();
        var answers = new List<RawAnswer>();
        var position = 0;
        while (position < received.Length)
        {
            var headEnd = IndexOf(received, "\r\n\r\n"u8, position);
            if (headEnd < 0 || !StartsWith(received, position, "HTTP/1."u8))
            {
                answers.Add(new RawAnswer(0, [], received[position..])); // not a response: kept as garbage
                break;
            }

            var lines = Encoding.Latin1.GetString(received, position, headEnd - position).Split("\r\n");
            if (lines[0].Length < 12 || !int.TryParse(lines[0].AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                answers.Add(new RawAnswer(0, [], received[position..])); // a status line that is not one
                break;
            }

            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Select(p => KeyValuePair.Create(p[0].Trim(), p.Length > 1 ? p[1].Trim() : "")).ToList();
            position = headEnd + 4;
            if (status < 200)
            {
                interim.Add(status);
                continue;
            }

            var answer = new RawAnswer(status, headers, []);
            byte[] body;
            if (answer.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
            {
                (body, position) = Dechunk(received, position);
            }
            else if (answer.Header("Content-Length") is { } length && int.TryParse(length, CultureInfo.InvariantCulture, out var count))
            {
                count = Math.Min(count, received.Length - position);
                body = received[position..(position + count)];
                position += count;
            }
            else
            {
                body = status is 204 or 304 ? [] : received[position..]; // delimited by the close
                position += body.Length;
            }

            answers.Add(answer with { Body = body });
        }

        return new RawResult(interim, answers, closed);
    }

    private static (byte[] Body, int Position) Dechunk(byte[] data, int position)
    {
        var body = new MemoryStream();
        while (true)
        {
            var lineEnd = IndexOf(data, "\r\n"u8, position);
            if (lineEnd < 0)
            {
                return (body.ToArray(), data.Length);
            }

            var sizeText = Encoding.Latin1.GetString(data, position, lineEnd - position).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size))
            {
                return (body.ToArray(), data.Length);
            }

            position = lineEnd + 2;
            if (size == 0)
            {
                var trailerEnd = IndexOf(data, "\r\n\r\n"u8, position - 2);
                return (body.ToArray(), trailerEnd < 0 ? data.Length : trailerEnd + 4);
            }

            var available = Math.Min(size, data.Length - position);
            body.Write(data, position, available);
            position += available + 2;
        }
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> value, int start)
    {
        var index = data.AsSpan(start).IndexOf(value);
        return index < 0 ? -1 : start + index;
    }

    private static bool StartsWith(byte[] data, int start, ReadOnlySpan<byte> value) => data.AsSpan(start).StartsWith(value);
}
