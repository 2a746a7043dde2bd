using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>
/// Sends a request to the replica: its head (<see cref="RequestHeadWriter"/>), then the client's body as it arrives,
/// with its Content-Length or re-chunked (one chunk per read). The response timeout is an activity timeout: every body
/// write restarts it, so slow uploads are not cut off.
/// </summary>
internal sealed class RequestSender(RequestHeadWriter headWriter, TimeSpan responseTimeout)
{
    private static readonly ReadOnlyMemory<byte> LastChunk = "0\r\n\r\n"u8.ToArray();

    /// <remarks>
    /// An upload is stopped (early answer, timeout) by <see cref="Http1Upload.EndAsync"/>, not by a token: the body is
    /// read through the request's PipeReader and stopped with CancelPendingRead, because a read cancelled by a token
    /// leaves Kestrel's body reader "in progress", so Kestrel cannot drain the rest of the upload after the response
    /// and drops the client's connection (broken pipe) instead of keeping it alive.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(
        HttpContext context, Http1ConnectionPool pool, Http1Connection connection, string target, bool chunkedBody, CancellationTokenSource timeout)
    {
        var cancellationToken = timeout.Token;
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var length = headWriter.Write(context, pool, target, chunkedBody, ref buffer);
            await connection.Stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            var request = context.Request;
            if (!(chunkedBody || request.ContentLength > 0))
            {
                return;
            }

            var body = request.BodyReader;
            const int ChunkHeader = 10; // up to 8 hex digits and CRLF
            var room = buffer.Length - ChunkHeader - 2;
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await body.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    throw new ClientBodyException(e); // cut short, badly framed, too slow or over the size limit
                }

                var data = result.Buffer;
                if (result.IsCanceled)
                {
                    body.AdvanceTo(data.Start); // consumes nothing: what is left is Kestrel's to drain
                    throw new OperationCanceledException("The upload was stopped: the replica answered or timed out.");
                }

                var read = (int)Math.Min(data.Length, room);
                var taken = data.Slice(0, read);
                taken.CopyTo(buffer.AsSpan(ChunkHeader));
                body.AdvanceTo(taken.End);
                if (read == 0)
                {
                    if (!result.IsCompleted)
                    {
                        continue;
                    }

                    if (chunkedBody)
                    {
                        await connection.Stream.WriteAsync(LastChunk, cancellationToken).ConfigureAwait(false);
                    }

                    return;
                }

                timeout.CancelAfter(responseTimeout);
                if (!chunkedBody)
                {
                    await connection.Stream.WriteAsync(buffer.AsMemory(ChunkHeader, read), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // One chunk per read: size line, data, CRLF, in one write.
                Utf8Formatter.TryFormat(read, buffer.AsSpan(0, 8), out var digits, new StandardFormat('X'));
                var start = ChunkHeader - digits - 2;
                buffer.AsSpan(0, digits).CopyTo(buffer.AsSpan(start)); // overlapping copies are safe
                buffer[ChunkHeader - 2] = (byte)'\r';
                buffer[ChunkHeader - 1] = (byte)'\n';
                buffer[ChunkHeader + read] = (byte)'\r';
                buffer[ChunkHeader + read + 1] = (byte)'\n';
                await connection.Stream.WriteAsync(buffer.AsMemory(start, ChunkHeader + read + 2 - start), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
