using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>
/// The lean HTTP/1.1 path (<see cref="ReplicaForwarder.Http1"/>): writes the request straight from Kestrel's request onto a
/// pooled keep-alive connection and parses the replica's response itself, with no <c>HttpRequestMessage</c>, header
/// collections or per-request buffers. Requests it cannot forward exactly (HTTP/2 from the client, upgrades, <c>Expect</c>,
/// https replicas, a path base, an absolute-form target), and every request when replicas are spoken to in HTTP/2, go to <see cref="YarpReplicaForwarder"/>. Both follow
/// <see cref="ForwardingHeaderPolicy"/>, and report the same outcomes and timeouts.
/// </summary>
/// <remarks>
/// This type runs the exchange; the steps are its collaborators': <see cref="RequestSender"/> (with
/// <see cref="RequestHeadWriter"/>) sends, <see cref="ResponseHeadParser"/> parses the head,
/// <see cref="ResponseHeadApplier"/> puts it on the client's response, <see cref="ResponseBodyCopier"/> streams the body,
/// and <see cref="Http1ConnectionPools"/> keeps the connections.
/// </remarks>
internal sealed class Http1ReplicaForwarder : IReplicaForwarder, IDisposable
{
    private readonly YarpReplicaForwarder _fallback;
    private readonly Http1ConnectionPools _pools;
    private readonly RequestSender _sender;
    private readonly ResponseHeadApplier _applier;
    private readonly ResponseBodyCopier _copier;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _responseTimeout;
    private readonly bool _replicasSpeakHttp2;

    public Http1ReplicaForwarder(
        YarpReplicaForwarder fallback,
        ForwardingHeaderPolicy headers,
        ReplicaTable table,
        TimeProvider time,
        IOptions<ConsistentHashBalancerOptions> options,
        ReplicaLoadReports? loadReports = null)
    {
        var o = options.Value;
        _fallback = fallback;
        _pools = new Http1ConnectionPools(table, time);
        _connectTimeout = o.Forwarding.ConnectTimeout;
        _responseTimeout = o.Forwarding.ResponseTimeout;
        _sender = new RequestSender(new RequestHeadWriter(headers), _responseTimeout);
        _applier = new ResponseHeadApplier(o.Forwarding.NotFoundAsBadRequest, loadReports);
        _copier = new ResponseBodyCopier(_responseTimeout);
        // HTTP/2 to replicas (h2c, ForwardingOptions.HttpVersionPolicy) is YARP's: this path speaks HTTP/1.1 only.
        _replicasSpeakHttp2 = ReplicaHttpHandler.SpeaksHttp2Cleartext(o.Forwarding);
    }

    public ValueTask<ForwardResult> ForwardAsync(HttpContext context, ReplicaState replica)
        => !_replicasSpeakHttp2 && CanForward(context, replica, out var target) ? ForwardLeanAsync(context, replica, target) : _fallback.ForwardAsync(context, replica);

    /// <summary>Only what this path reproduces exactly; the rest keeps YARP's behaviour.</summary>
    internal static bool CanForward(HttpContext context, ReplicaState replica, out string target)
    {
        var request = context.Request;
        if (!(HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol))
            || replica.Replica.Address.Scheme != Uri.UriSchemeHttp
            || HttpMethods.IsConnect(request.Method)
            || request.Headers.Expect.Count > 0
            || context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true })
        {
            target = "";
            return false;
        }

        return RequestTarget.TryGetRaw(context, out target);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ForwardResult> ForwardLeanAsync(HttpContext context, ReplicaState replica, string target)
    {
        var pool = _pools.For(replica);
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
        Http1Upload? upload = null;
        try
        {
            timeout.CancelAfter(_responseTimeout);
            ResponseHead head;
            if (hasBody)
            {
                // 1 and 2 at once: the body goes up while the head is awaited (see Http1Upload). Never retried: a body cannot be replayed.
                upload = new Http1Upload(
                    context,
                    connection,
                    _sender.SendAsync(context, pool, connection, target, chunkedBody, timeout).AsTask(),
                    ReadHeadAsync(context, pool, connection, timeout).AsTask());
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
                    return (Failed(context, e, timeout, NoResponse(e)), false);
                }
            }
            else
            {
                // 1. The request: its head only.
                try
                {
                    await _sender.SendAsync(context, pool, connection, target, chunkedBody: false, timeout).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                    return (Failed(context, e, timeout, ForwardOutcome.FailedBeforeResponse), connection.Reused && !aborted.IsCancellationRequested && !timeout.IsCancellationRequested);
                }

                // 2. The response head (1xx interim responses skipped).
                try
                {
                    head = await ReadHeadAsync(context, pool, connection, timeout).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                    context.Response.Clear();
                    var stale = connection.Reused && e is Http1ProtocolException { NothingReceived: true } or SocketException or IOException { InnerException: SocketException };
                    return (Failed(context, e, timeout, NoResponse(e)), stale && !aborted.IsCancellationRequested && !timeout.IsCancellationRequested && e is not Http1ProtocolException { NothingReceived: false });
                }
            }

            if (_applier.Replaces(head))
            {
                await ResponseHeadApplier.WriteReplacementAsync(context).ConfigureAwait(false);
                return (ForwardResult.Ok, false);
            }

            // 3. The response body. After an early answer the connection is reused only if the whole upload had gone up.
            try
            {
                reusable = await _copier.CopyAsync(context, connection, head, timeout).ConfigureAwait(false) && head.KeepAlive
                    && (upload is null || upload.Sending.IsCompletedSuccessfully);
                await ResponseBodyCopier.CompleteAsync(context, connection).ConfigureAwait(false);
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
                    var outcome = timeout.IsCancellationRequested ? ForwardOutcome.TimedOut
                        : e is Http1ProtocolException { Malformed: true } ? ForwardOutcome.InvalidResponse
                        : ForwardOutcome.FailedAfterResponse;
                    return (new ForwardResult(outcome, false, e), false);
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

    /// <summary>The request went out but no valid response head came back: garbage, or nothing (closed, reset).</summary>
    private static ForwardOutcome NoResponse(Exception e)
        => e is Http1ProtocolException { Malformed: true } ? ForwardOutcome.InvalidResponse : ForwardOutcome.FailedBeforeResponse;

    private static ForwardResult Failed(HttpContext context, Exception e, CancellationTokenSource timeout, ForwardOutcome otherwise)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return new ForwardResult(ForwardOutcome.ClientAborted, false, e);
        }

        return new ForwardResult(timeout.IsCancellationRequested ? ForwardOutcome.TimedOut : otherwise, false, e);
    }


    /// <summary>
    /// Reads the final response head, skipping 1xx interim ones; unless the 404 rule replaces it, it is applied to the
    /// client's response while its bytes are in the connection's buffer. The buffer grows to <see cref="Http1Connection.MaxHeadSize"/>
    /// for a head that does not fit.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ResponseHead> ReadHeadAsync(HttpContext context, Http1ConnectionPool pool, Http1Connection connection, CancellationTokenSource timeout)
    {
        var received = false;
        var requestWasHead = HttpMethods.IsHead(context.Request.Method);
        while (true)
        {
            ResponseHeadParseStatus status;
            ResponseHead head;
            ResponseHeadError error;
            while ((status = ResponseHeadParser.TryParse(
                connection.Buffer.AsSpan(connection.Start, connection.Buffered), requestWasHead, Http1Connection.MaxHeadSize, out head, out error)) == ResponseHeadParseStatus.Incomplete)
            {
                timeout.CancelAfter(_responseTimeout);
                var read = await connection.FillAsync(timeout.Token).ConfigureAwait(false);
                if (read < 0)
                {
                    // The buffer is full: the parser's limit is the largest buffer, so it said TooLarge before this can fail.
                    if (!connection.TryGrowForHead())
                    {
                        throw new Http1ProtocolException(ResponseHeadError.TooLarge);
                    }

                    continue;
                }

                if (read == 0)
                {
                    throw new Http1ProtocolException("The replica closed the connection before the response headers.", nothingReceived: !received && connection.Buffered == 0);
                }

                received = true;
            }

            if (status == ResponseHeadParseStatus.Invalid)
            {
                throw new Http1ProtocolException(error);
            }

            if (!head.IsInterim && !_applier.Replaces(head))
            {
                _applier.Apply(context, pool.Replica, head, connection.Buffer.AsSpan(connection.Start, head.Length), connection.HeaderValues);
            }

            connection.Start += head.Length;
            if (!head.IsInterim)
            {
                return head;
            }
        }
    }

    public void Dispose() => _pools.Dispose();
}
