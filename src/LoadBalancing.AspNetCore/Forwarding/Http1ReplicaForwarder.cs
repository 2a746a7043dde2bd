using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// The lean HTTP/1.1 path (<see cref="ReplicaForwarder.Http1"/>): writes the request straight from Kestrel's request onto a
/// pooled keep-alive connection and parses the replica's response itself, with no <c>HttpRequestMessage</c>, header
/// collections or per-request buffers. Requests it cannot forward exactly (HTTP/2, upgrades, <c>Expect</c>, https replicas,
/// a path base, an absolute-form target) go to <see cref="YarpReplicaForwarder"/>, so behaviour stays the YARP path's:
/// the same header rules, X-Forwarded-* values, error outcomes and timeouts.
/// </summary>
internal sealed class Http1ReplicaForwarder : IReplicaForwarder
{
    private const int MaxChunkLine = 1024;
    private static readonly ReadOnlyMemory<byte> LastChunk = "0\r\n\r\n"u8.ToArray();
    private readonly YarpReplicaForwarder _fallback;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _responseTimeout;
    private readonly bool _notFoundAsBadRequest;

    public Http1ReplicaForwarder(YarpReplicaForwarder fallback, IOptions<ConsistentHashBalancerOptions> options)
    {
        _fallback = fallback;
        _connectTimeout = options.Value.Forwarding.ConnectTimeout;
        _responseTimeout = options.Value.Forwarding.ResponseTimeout;
        _notFoundAsBadRequest = options.Value.Forwarding.NotFoundAsBadRequest;
    }

    public ValueTask<ForwardResult> ForwardAsync(HttpContext context, ReplicaState replica)
        => CanForward(context, replica, out var target) ? ForwardLeanAsync(context, replica, target) : _fallback.ForwardAsync(context, replica);

    /// <summary>Only what this path reproduces exactly; the rest keeps YARP's behaviour.</summary>
    internal static bool CanForward(HttpContext context, ReplicaState replica, out string target)
    {
        target = "";
        var request = context.Request;
        if (!(HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol))
            || replica.Replica.Address.Scheme != Uri.UriSchemeHttp
            || request.PathBase.HasValue
            || HttpMethods.IsConnect(request.Method)
            || request.Headers.Expect.Count > 0
            || context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true })
        {
            return false;
        }

        target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        return target.StartsWith('/');
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ForwardResult> ForwardLeanAsync(HttpContext context, ReplicaState replica, string target)
    {
        var pool = Http1ConnectionPool.For(replica);
        var request = context.Request;
        var chunkedBody = request.Headers.TransferEncoding.Count > 0; // Kestrel only accepts chunked as the final coding
        var hasBody = chunkedBody || request.ContentLength > 0;
        var connection = pool.Rent(checkLiveness: hasBody);
        while (true)
        {
            if (connection is null)
            {
                var (fresh, failure) = await ConnectAsync(pool, context.RequestAborted).ConfigureAwait(false);
                if (fresh is null)
                {
                    return failure;
                }

                connection = fresh;
            }

            var (result, retry) = await ExchangeAsync(context, pool, connection, target, hasBody, chunkedBody).ConfigureAwait(false);
            if (!retry)
            {
                return result;
            }

            // A kept-alive connection the replica had closed: as SocketsHttpHandler does, once more on a new one.
            connection = null;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(Http1Connection? Connection, ForwardResult Failure)> ConnectAsync(Http1ConnectionPool pool, CancellationToken aborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(_connectTimeout);
        try
        {
            return (await Http1Connection.ConnectAsync(pool.EndPoint, timeout.Token).ConfigureAwait(false), default);
        }
        catch (OperationCanceledException e) when (aborted.IsCancellationRequested)
        {
            return (null, new ForwardResult(ForwardOutcome.ClientAborted, false, e));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // Refused, unreachable or the connect timeout: nothing was sent, so failover may try the next replica.
            return (null, new ForwardResult(ForwardOutcome.Unreachable, false, e));
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(ForwardResult Result, bool Retry)> ExchangeAsync(
        HttpContext context, Http1ConnectionPool pool, Http1Connection connection, string target, bool hasBody, bool chunkedBody)
    {
        var aborted = context.RequestAborted;
        var timeout = connection.Timeout;
        var registration = aborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        var reusable = false;
        Upload? upload = null;
        try
        {
            timeout.CancelAfter(_responseTimeout);
            ResponseHead head;
            if (hasBody)
            {
                // 1 and 2 at once: the body goes up while the head is awaited (see Upload). Never retried: a body cannot be replayed.
                upload = new Upload(this, context, pool, connection, target, chunkedBody, timeout);
                await Task.WhenAny(upload.Sending, upload.Reading).ConfigureAwait(false);
                if (upload.Sending.IsCompletedSuccessfully)
                {
                    // The whole request is sent: the replica gets the full response timeout from now.
                    timeout.CancelAfter(_responseTimeout);
                }
                else if (upload.Sending.IsFaulted && !upload.Reading.IsCompleted && upload.Sending.Exception?.InnerException is ClientBodyException clientFailure)
                {
                    // The client's body failed (cut short, badly framed, over the size limit) before any answer: the client's fault.
                    return (new ForwardResult(ForwardOutcome.ClientAborted, false, clientFailure.InnerException), false);
                }

                // Otherwise a failed upload may be a replica that answered and closed: its answer, if one came, decides.
                try
                {
                    head = await upload.Reading.ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                    context.Response.Clear();
                    return (Failed(context, e, timeout, ForwardOutcome.FailedBeforeResponse), false);
                }
            }
            else
            {
                // 1. The request: its head only.
                try
                {
                    await SendRequestAsync(context, pool, connection, target, chunkedBody: false, timeout).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                    return (Failed(context, e, timeout, ForwardOutcome.FailedBeforeResponse), connection.Reused && !aborted.IsCancellationRequested && !timeout.IsCancellationRequested);
                }

                // 2. The response head (1xx interim responses skipped).
                try
                {
                    head = await ReadHeadAsync(context, connection, timeout).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                    context.Response.Clear();
                    var stale = connection.Reused && e is Http1ProtocolException { NothingReceived: true } or SocketException or IOException { InnerException: SocketException };
                    return (Failed(context, e, timeout, ForwardOutcome.FailedBeforeResponse), stale && !aborted.IsCancellationRequested && !timeout.IsCancellationRequested && e is not Http1ProtocolException { NothingReceived: false });
                }
            }

            if (_notFoundAsBadRequest && head.Status == StatusCodes.Status404NotFound)
            {
                await JsonResponses.WriteErrorAsync(
                    context,
                    StatusCodes.Status400BadRequest,
                    $"'{context.Request.Path.Value}' endpoint does not exist in server replicas",
                    aborted).ConfigureAwait(false);
                return (ForwardResult.Ok, false);
            }

            // 3. The response body. After an early answer the connection is reused only if the whole upload had gone up.
            try
            {
                reusable = await CopyBodyAsync(context, connection, head, timeout).ConfigureAwait(false) && head.KeepAlive
                    && (upload is null || upload.Sending.IsCompletedSuccessfully);
                await CompleteToClientAsync(context, connection).ConfigureAwait(false);
                return (ForwardResult.Ok, false);
            }
            catch (ClientBodyException e)
            {
                context.Abort();
                return (new ForwardResult(ForwardOutcome.ClientAborted, true, e.InnerException), false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // Body bytes written but not yet flushed count as started: they cannot be taken back for a clean 502.
                var started = context.Response.HasStarted || connection.ClientBytesUnflushed;
                if (aborted.IsCancellationRequested)
                {
                    return (new ForwardResult(ForwardOutcome.ClientAborted, started, e), false);
                }

                if (!started)
                {
                    // Nothing went to the client yet: a clean 502 (or 504) instead of an aborted connection.
                    context.Response.Clear();
                    return (new ForwardResult(timeout.IsCancellationRequested ? ForwardOutcome.TimedOut : ForwardOutcome.FailedAfterResponse, false, e), false);
                }

                context.Abort();
                return (new ForwardResult(ForwardOutcome.FailedAfterResponse, true, e), false);
            }
        }
        finally
        {
            registration.Dispose();
            if (upload is not null)
            {
                await upload.EndAsync().ConfigureAwait(false);
            }

            if (reusable)
            {
                pool.Return(connection);
            }
            else
            {
                connection.Dispose();
            }
        }
    }

    /// <summary>
    /// A request with a body: the body goes up while the response head is awaited, so a replica that answers before it has
    /// read the whole upload (401, 413, a redirect) is heard at once and its answer forwarded, as nginx does, instead of
    /// after the rest of the upload or lost when the replica closes. The rest of the upload is then not sent.
    /// </summary>
    private sealed class Upload
    {
        private readonly HttpContext _context;
        private readonly Http1Connection _connection;

        public Upload(Http1ReplicaForwarder forwarder, HttpContext context, Http1ConnectionPool pool, Http1Connection connection, string target, bool chunkedBody, CancellationTokenSource timeout)
        {
            _context = context;
            _connection = connection;
            Sending = forwarder.SendRequestAsync(context, pool, connection, target, chunkedBody, timeout).AsTask();
            Reading = forwarder.ReadHeadAsync(context, connection, timeout).AsTask();
        }

        public Task Sending { get; }

        public Task<ResponseHead> Reading { get; }

        /// <summary>Stops what is still running and waits for it: the connection (and its buffer) is reused or disposed next.</summary>
        /// <remarks>No token stops the upload: see <see cref="SendRequestAsync"/>. A connection whose upload had not ended
        /// is never reused, so shutting its socket down is how a write stalled on a replica that stopped reading ends.</remarks>
        public async Task EndAsync()
        {
            if (!Sending.IsCompleted)
            {
                _context.Request.BodyReader.CancelPendingRead(); // ends a pending read of the client's body
            }

            if (!Sending.IsCompleted || !Reading.IsCompleted)
            {
                try
                {
                    _connection.Socket.Shutdown(SocketShutdown.Both); // ends a pending write or read on the replica's socket
                }
                catch (SocketException)
                {
                    // Already reset: what was pending has ended or is ending with it.
                }
            }

            await Task.WhenAll(Sending, Reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static ForwardResult Failed(HttpContext context, Exception e, CancellationTokenSource timeout, ForwardOutcome otherwise)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return new ForwardResult(ForwardOutcome.ClientAborted, false, e);
        }

        return new ForwardResult(timeout.IsCancellationRequested ? ForwardOutcome.TimedOut : otherwise, false, e);
    }

    // ---- request -------------------------------------------------------------------------------------------------

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRequestAsync(
        HttpContext context, Http1ConnectionPool pool, Http1Connection connection, string target, bool chunkedBody, CancellationTokenSource timeout)
    {
        // The response timeout is an activity timeout: every body write restarts it, so slow uploads are not cut off.
        // An upload is stopped (early answer, timeout) by Upload.EndAsync, not by a token; see below.
        var cancellationToken = timeout.Token;
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var length = WriteHead(context, pool, target, chunkedBody, ref buffer);
            await connection.Stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            var request = context.Request;
            if (!(chunkedBody || request.ContentLength > 0))
            {
                return;
            }

            // The body is read through the request's PipeReader, stopped with CancelPendingRead, never with a token: a read
            // cancelled by a token leaves Kestrel's body reader "in progress", so Kestrel cannot drain the rest of the upload
            // after the response and drops the client's connection (broken pipe) instead of keeping it alive.
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

                timeout.CancelAfter(_responseTimeout);
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

    /// <summary>The request line and headers, as the YARP path sends them (ForwardingTransformer): hop-by-hop headers and
    /// those the client's Connection header lists dropped, Host set to the replica, X-Forwarded-For/Proto/Host appended.</summary>
    private static int WriteHead(HttpContext context, Http1ConnectionPool pool, string target, bool chunkedBody, ref byte[] buffer)
    {
        var request = context.Request;
        var writer = new HeadWriter(buffer);
        writer.Write(request.Method);
        writer.Write(" "u8);
        writer.Write(pool.PathPrefix);
        writer.Write(target);
        writer.Write(" HTTP/1.1\r\n"u8);
        writer.Write(pool.HostHeader);

        var connectionHeader = request.Headers.Connection;
        bool sawFor = false, sawProto = false, sawHost = false;
        var address = context.Connection.RemoteIpAddress;
        foreach (var (name, values) in request.Headers)
        {
            if (Http1Headers.HopByHop.Contains(name) || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || (connectionHeader.Count > 0 && ListedInConnection(connectionHeader, name)))
            {
                continue;
            }

            writer.Write(name);
            writer.Write(": "u8);
            var separator = name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? "; "u8 : ", "u8;
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    writer.Write(separator);
                }

                writer.Write(values[i]);
            }

            if (name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase))
            {
                sawFor = true;
                if (address is not null)
                {
                    writer.Write(", "u8);
                    writer.Write(address);
                }
            }
            else if (name.Equals("X-Forwarded-Proto", StringComparison.OrdinalIgnoreCase))
            {
                sawProto = true;
                writer.Write(", "u8);
                writer.Write(request.Scheme);
            }
            else if (name.Equals("X-Forwarded-Host", StringComparison.OrdinalIgnoreCase))
            {
                sawHost = true;
                if (request.Host.HasValue)
                {
                    writer.Write(", "u8);
                    writer.Write(request.Host.Value);
                }
            }

            writer.Write("\r\n"u8);
        }

        if (!sawFor && address is not null)
        {
            writer.Write("X-Forwarded-For: "u8);
            writer.Write(address);
            writer.Write("\r\n"u8);
        }

        if (!sawProto)
        {
            writer.Write("X-Forwarded-Proto: "u8);
            writer.Write(request.Scheme);
            writer.Write("\r\n"u8);
        }

        if (!sawHost && request.Host.HasValue)
        {
            writer.Write("X-Forwarded-Host: "u8);
            writer.Write(request.Host.Value);
            writer.Write("\r\n"u8);
        }

        if (chunkedBody)
        {
            writer.Write("Transfer-Encoding: chunked\r\n"u8);
        }

        writer.Write("\r\n"u8);
        buffer = writer.Buffer;
        return writer.Length;
    }

    /// <summary>Headers named in the client's Connection header are hop-by-hop too (RFC 9110 7.6.1).</summary>
    private static bool ListedInConnection(StringValues connection, string name)
    {
        foreach (var value in connection)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // ---- response head -------------------------------------------------------------------------------------------

    private enum Framing
    {
        None,
        ContentLength,
        Chunked,
        UntilClose,
    }

    private readonly record struct ResponseHead(int Status, Framing Framing, long Length, bool KeepAlive);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ResponseHead> ReadHeadAsync(HttpContext context, Http1Connection connection, CancellationTokenSource timeout)
    {
        var received = false;
        while (true)
        {
            // Find the blank line that ends the head; the whole head must fit in the connection's buffer.
            int end;
            while ((end = connection.Buffer.AsSpan(connection.Start, connection.Buffered).IndexOf("\r\n\r\n"u8)) < 0)
            {
                timeout.CancelAfter(_responseTimeout);
                var read = await connection.FillAsync(timeout.Token).ConfigureAwait(false);
                if (read < 0)
                {
                    if (connection.TryGrowForHead())
                    {
                        continue;
                    }

                    throw new Http1ProtocolException("The replica's response headers are larger than " + Http1Connection.MaxHeadSize + " bytes.");
                }

                if (read == 0)
                {
                    throw new Http1ProtocolException("The replica closed the connection before the response headers.", nothingReceived: !received && connection.Buffered == 0);
                }

                received = true;
            }

            var headLength = end + 4;
            var status = ParseHead(context, connection.Buffer.AsSpan(connection.Start, headLength), connection.HeaderValues, out var head);
            connection.Start += headLength;
            if (status >= 200)
            {
                return head;
            }
        }
    }

    /// <summary>Validates the status line and headers, and for a final response copies the headers to the client's response.</summary>
    private int ParseHead(HttpContext context, ReadOnlySpan<byte> block, string?[] valueCache, out ResponseHead head)
    {
        head = default;
        var lineEnd = block.IndexOf("\r\n"u8);
        var statusLine = block[..lineEnd];
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || (statusLine[7] != '0' && statusLine[7] != '1')
            || statusLine[8] != ' ' || !char.IsAsciiDigit((char)statusLine[9]) || !char.IsAsciiDigit((char)statusLine[10]) || !char.IsAsciiDigit((char)statusLine[11])
            || (statusLine.Length > 12 && (statusLine[12] != ' ' || !Http1Headers.IsValidValue(statusLine[13..]))) || statusLine[9] == '0')
        {
            throw new Http1ProtocolException("Malformed status line from the replica.");
        }

        var status = ((statusLine[9] - '0') * 100) + ((statusLine[10] - '0') * 10) + (statusLine[11] - '0');
        if (status == StatusCodes.Status101SwitchingProtocols || status >= 600)
        {
            throw new Http1ProtocolException("Unexpected status " + status + " from the replica.");
        }

        var http10 = statusLine[7] == '0';
        var headers = block[(lineEnd + 2)..^2]; // without the final blank line

        // First pass: validate and find the framing.
        long contentLength = -1;
        var chunked = false;
        var transferEncoding = false;
        var close = http10;
        ReadOnlySpan<byte> connectionValue = default;
        var rest = headers;
        while (!rest.IsEmpty)
        {
            var eol = rest.IndexOf("\r\n"u8);
            var line = rest[..eol];
            rest = rest[(eol + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !Http1Headers.IsToken(line[..colon]))
            {
                throw new Http1ProtocolException("Malformed header line from the replica."); // also rejects obs-fold
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (!Http1Headers.IsValidValue(value))
            {
                throw new Http1ProtocolException("Invalid header value from the replica.");
            }

            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long parsed, out var consumed) || consumed != value.Length || parsed < 0
                    || (contentLength >= 0 && parsed != contentLength))
                {
                    throw new Http1ProtocolException("Invalid Content-Length from the replica.");
                }

                contentLength = parsed;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                transferEncoding = true;
                chunked = Ascii.EqualsIgnoreCase(Http1Headers.LastElement(value), "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                connectionValue = value;
                if (Http1Headers.ListContains(value, "close"u8))
                {
                    close = true;
                }
                else if (http10 && Http1Headers.ListContains(value, "keep-alive"u8))
                {
                    close = false;
                }
            }
        }

        if (status < 200)
        {
            return status; // interim response: its headers are not forwarded
        }

        var noBody = HttpMethods.IsHead(context.Request.Method) || status == StatusCodes.Status204NoContent || status == StatusCodes.Status304NotModified;
        var framing = noBody ? Framing.None
            : chunked ? Framing.Chunked
            : transferEncoding ? Framing.UntilClose
            : contentLength >= 0 ? Framing.ContentLength
            : Framing.UntilClose;
        head = new ResponseHead(status, framing, contentLength, !close && framing != Framing.UntilClose);
        if (_notFoundAsBadRequest && status == StatusCodes.Status404NotFound)
        {
            return status;
        }

        // Second pass: copy end-to-end headers.
        var response = context.Response;
        response.StatusCode = status;
        if (statusLine.Length > 13)
        {
            // As the YARP path does: a reason phrase other than the standard one is passed on (Kestrel writes the
            // standard one otherwise). Only plain ASCII, which Kestrel writes as it is.
            var reason = statusLine[13..];
            if (Ascii.IsValid(reason) && !Ascii.Equals(reason, ReasonPhrases.GetReasonPhrase(status)))
            {
                context.Features.GetRequiredFeature<IHttpResponseFeature>().ReasonPhrase = Encoding.ASCII.GetString(reason);
            }
        }

        var responseHeaders = response.Headers;
        rest = headers;
        while (!rest.IsEmpty)
        {
            var eol = rest.IndexOf("\r\n"u8);
            var line = rest[..eol];
            rest = rest[(eol + 2)..];
            var colon = line.IndexOf((byte)':');
            var name = line[..colon];
            if (Http1Headers.IsHopByHop(name) || (!connectionValue.IsEmpty && Http1Headers.ListContains(connectionValue, name)))
            {
                continue;
            }

            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (framing != Framing.Chunked && !transferEncoding)
                {
                    response.ContentLength = contentLength;
                }

                continue;
            }

            var headerName = Http1Headers.Name(name, out var slot);
            responseHeaders.Append(headerName, Http1Headers.Value(value, slot, valueCache));
        }

        return status;
    }

    // ---- response body -------------------------------------------------------------------------------------------

    /// <summary>Streams the body to the client; true when it was read to its end and nothing else came after it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> CopyBodyAsync(HttpContext context, Http1Connection connection, ResponseHead head, CancellationTokenSource timeout)
    {
        switch (head.Framing)
        {
            case Framing.None:
                return connection.Buffered == 0;
            case Framing.ContentLength:
                await CopyExactlyAsync(context, connection, head.Length, timeout).ConfigureAwait(false);
                return connection.Buffered == 0;
            case Framing.Chunked:
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

                    if (await FillForBodyAsync(context, connection, timeout).ConfigureAwait(false) == 0)
                    {
                        return false;
                    }
                }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CopyExactlyAsync(HttpContext context, Http1Connection connection, long length, CancellationTokenSource timeout)
    {
        while (length > 0)
        {
            if (connection.Buffered == 0)
            {
                connection.Start = connection.End = 0;
                if (await FillForBodyAsync(context, connection, timeout).ConfigureAwait(false) == 0)
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
            var sizeText = connection.Buffer.AsSpan(line.Start, line.Length);
            var semicolon = sizeText.IndexOf((byte)';'); // chunk extensions are ignored
            if (semicolon >= 0)
            {
                sizeText = sizeText[..semicolon];
            }

            sizeText = sizeText.TrimEnd(" \t"u8);
            if (sizeText.IsEmpty || sizeText.Length > 15 || !Utf8Parser.TryParse(sizeText, out long size, out var consumed, 'x') || consumed != sizeText.Length)
            {
                throw new Http1ProtocolException("Malformed chunk size from the replica.");
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
                throw new Http1ProtocolException("Chunk data longer than its size from the replica.");
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
                throw new Http1ProtocolException("A chunk line from the replica is too long.");
            }

            if (await FillForBodyAsync(context, connection, timeout).ConfigureAwait(false) <= 0)
            {
                throw new Http1ProtocolException("The replica closed the connection in the middle of a chunked body.");
            }
        }
    }

    /// <summary>
    /// Copies body bytes into the response without flushing: they go out before the next wait on the replica
    /// (<see cref="FillForBodyAsync"/>) or, for the last ones, with the end of the response (<see cref="CompleteToClientAsync"/>),
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
    private async ValueTask<int> FillForBodyAsync(HttpContext context, Http1Connection connection, CancellationTokenSource timeout)
    {
        await FlushToClientAsync(context, connection).ConfigureAwait(false);
        timeout.CancelAfter(_responseTimeout);
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

    /// <summary>
    /// Ends the response with the last bytes still unflushed: Kestrel sends them with the end of the response (for a
    /// chunked one, its terminating chunk) in one write. Kestrel does not flush what a started Content-Length response
    /// left in its pipe by itself, so the flush after completing is needed.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask CompleteToClientAsync(HttpContext context, Http1Connection connection)
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

    /// <summary>Reading from or writing to the client failed: the client left, not the replica.</summary>
    private sealed class ClientBodyException(Exception inner) : Exception(inner.Message, inner);

    /// <summary>Writes ASCII into a pooled buffer that grows by renting a larger one.</summary>
    private struct HeadWriter(byte[] buffer)
    {
        public byte[] Buffer = buffer;
        public int Length;

        public void Write(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(Buffer.AsSpan(Length));
            Length += bytes.Length;
        }

        public void Write(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return;
            }

            Ensure(text.Length);
            // Latin-1 keeps every byte Kestrel read as the same byte (obs-text survives unchanged).
            Length += Encoding.Latin1.GetBytes(text, Buffer.AsSpan(Length));
        }

        public void Write(System.Net.IPAddress address)
        {
            Ensure(64);
            address.TryFormat(Buffer.AsSpan(Length), out int written);
            Length += written;
        }

        private void Ensure(int count)
        {
            if (Length + count <= Buffer.Length)
            {
                return;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(Buffer.Length * 2, Length + count));
            Buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = larger;
        }
    }
}
