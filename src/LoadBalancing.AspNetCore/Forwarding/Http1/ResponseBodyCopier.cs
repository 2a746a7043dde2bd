using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>
/// Streams a response body from the replica's connection to the client as its head framed it (Content-Length, chunked,
/// or until the replica closes), with the response timeout as an activity timeout: restarted before every read.
/// Failures on the client's side come out as <see cref="ClientBodyException"/>, the replica's as <see cref="IOException"/>.
/// </summary>
internal sealed class ResponseBodyCopier(TimeSpan responseTimeout)
{
    private const int MaxChunkLine = 1024;

    /// <summary>Streams the body to the client; true when it was read to its end and nothing else came after it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> CopyAsync(HttpContext context, Http1Connection connection, ResponseHead head, CancellationTokenSource timeout)
    {
        switch (head.Framing)
        {
            case ResponseFraming.None:
                return connection.Buffered == 0;
            case ResponseFraming.ContentLength:
                await CopyExactlyAsync(context, connection, head.ContentLength, timeout).ConfigureAwait(false);
                return connection.Buffered == 0;
            case ResponseFraming.Chunked:
                await CopyChunkedAsync(context, connection, timeout).ConfigureAwait(false);
                return connection.Buffered == 0;
            default:
                while (true)
                {
                    if (connection.Buffered > 0)
                    {
                        WriteToClient(context, connection, connection.Buffer.AsSpan(connection.Start, connection.Buffered));
                        connection.Start = connection.End = 0;
                    }

                    if (await FillAsync(context, connection, timeout).ConfigureAwait(false) == 0)
                    {
                        return false;
                    }
                }
        }
    }

    /// <summary>
    /// Ends the response with the last bytes still unflushed: Kestrel sends them with the end of the response (for a
    /// chunked one, its terminating chunk) in one write. Kestrel does not flush what a started Content-Length response
    /// left in its pipe by itself, so the flush after completing is needed.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask CompleteAsync(HttpContext context, Http1Connection connection)
    {
        if (!connection.ClientBytesUnflushed)
        {
            return;
        }

        connection.ClientBytesUnflushed = false;
        try
        {
            await context.Response.CompleteAsync().ConfigureAwait(false);
            // Completing flushes a chunked response (with its terminator) but not a Content-Length one.
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new ClientBodyException(e);
        }
    }

    /// <summary>
    /// The size of a chunk from its size line (without CRLF): hexadecimal digits, then optional whitespace and
    /// extensions after a semicolon (ignored). At most 15 digits, so the size fits a long.
    /// </summary>
    public static bool TryParseChunkSize(ReadOnlySpan<byte> line, out long size)
    {
        var semicolon = line.IndexOf((byte)';');
        var digits = (semicolon >= 0 ? line[..semicolon] : line).TrimEnd(" \t"u8);
        size = 0;
        return !digits.IsEmpty && digits.Length <= 15
            && Utf8Parser.TryParse(digits, out size, out var consumed, 'x') && consumed == digits.Length;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CopyExactlyAsync(HttpContext context, Http1Connection connection, long length, CancellationTokenSource timeout)
    {
        while (length > 0)
        {
            if (connection.Buffered == 0)
            {
                connection.Start = connection.End = 0;
                if (await FillAsync(context, connection, timeout).ConfigureAwait(false) == 0)
                {
                    throw new Http1ProtocolException("The replica closed the connection in the middle of the response body.");
                }
            }

            var take = (int)Math.Min(length, connection.Buffered);
            WriteToClient(context, connection, connection.Buffer.AsSpan(connection.Start, take));
            connection.Start += take;
            length -= take;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CopyChunkedAsync(HttpContext context, Http1Connection connection, CancellationTokenSource timeout)
    {
        while (true)
        {
            var line = await ReadLineAsync(context, connection, timeout).ConfigureAwait(false);
            if (!TryParseChunkSize(connection.Buffer.AsSpan(line.Start, line.Length), out var size))
            {
                throw new Http1ProtocolException("Malformed chunk size from the replica.", malformed: true);
            }

            connection.Start = line.Start + line.Length + 2;
            if (size == 0)
            {
                // Trailers: read and dropped (HTTP/1.1 clients of Kestrel cannot receive them), up to the blank line.
                while ((await ReadLineAsync(context, connection, timeout).ConfigureAwait(false)) is { Length: > 0 } trailer)
                {
                    connection.Start = trailer.Start + trailer.Length + 2;
                }

                connection.Start += 2;
                return;
            }

            await CopyExactlyAsync(context, connection, size, timeout).ConfigureAwait(false);
            var crlf = await ReadLineAsync(context, connection, timeout).ConfigureAwait(false);
            if (crlf.Length != 0)
            {
                throw new Http1ProtocolException("Chunk data longer than its size from the replica.", malformed: true);
            }

            connection.Start += 2;
        }
    }

    /// <summary>The next CRLF-terminated line in the buffer (start, length without CRLF), reading more as needed.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(int Start, int Length)> ReadLineAsync(HttpContext context, Http1Connection connection, CancellationTokenSource timeout)
    {
        while (true)
        {
            var index = connection.Buffer.AsSpan(connection.Start, connection.Buffered).IndexOf("\r\n"u8);
            if (index >= 0)
            {
                return (connection.Start, index);
            }

            if (connection.Buffered > MaxChunkLine)
            {
                throw new Http1ProtocolException("A chunk line from the replica is too long.", malformed: true);
            }

            if (await FillAsync(context, connection, timeout).ConfigureAwait(false) <= 0)
            {
                throw new Http1ProtocolException("The replica closed the connection in the middle of a chunked body.");
            }
        }
    }

    /// <summary>
    /// Copies body bytes into the response without flushing: they go out before the next wait on the replica
    /// (<see cref="FillAsync"/>) or, for the last ones, with the end of the response (<see cref="CompleteAsync"/>),
    /// so a small chunked response leaves in one segment with its terminating chunk instead of two.
    /// </summary>
    private static void WriteToClient(HttpContext context, Http1Connection connection, ReadOnlySpan<byte> data)
    {
        try
        {
            context.Response.BodyWriter.Write(data);
            connection.ClientBytesUnflushed = true;
        }
        catch (Exception e)
        {
            throw new ClientBodyException(e);
        }
    }

    /// <summary>
    /// Waits on the replica for more of the response body: first sends the client what it has been given so far (so
    /// streaming stays streaming), then restarts the activity timeout and reads. Returns what <see cref="Http1Connection.FillAsync"/> does.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FillAsync(HttpContext context, Http1Connection connection, CancellationTokenSource timeout)
    {
        await FlushToClientAsync(context, connection).ConfigureAwait(false);
        timeout.CancelAfter(responseTimeout);
        return await connection.FillAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Sends what was written so far, if anything.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask FlushToClientAsync(HttpContext context, Http1Connection connection)
    {
        if (!connection.ClientBytesUnflushed)
        {
            return; // nothing written yet: the head waits for the first bytes, so a failure before them is still a clean 502
        }

        connection.ClientBytesUnflushed = false;
        FlushResult result;
        try
        {
            result = await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new ClientBodyException(e);
        }

        if (result.IsCanceled || result.IsCompleted)
        {
            throw new ClientBodyException(new OperationCanceledException("The client stopped reading the response."));
        }
    }
}

/// <summary>Reading from or writing to the client failed: the client left, not the replica.</summary>
internal sealed class ClientBodyException(Exception inner) : Exception(inner.Message, inner);
