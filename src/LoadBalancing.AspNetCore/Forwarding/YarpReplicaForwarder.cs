using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// Forwards with YARP's <see cref="IHttpForwarder"/> over one pooled <see cref="SocketsHttpHandler"/>: streaming in both
/// directions, hop-by-hop header rules, trailers, HTTP/1.1 upgrades (WebSockets) and cancellation when the client leaves.
/// Used for every request with ForwardingOptions.Forwarder = Yarp, and by the lean path for what it does not forward itself.
/// </summary>
internal sealed class YarpReplicaForwarder : IReplicaForwarder, IDisposable
{
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _invoker;
    private readonly ForwarderRequestConfig _config;
    private readonly ForwardingTransformer _transformer;

    public YarpReplicaForwarder(IHttpForwarder forwarder, ForwardingTransformer transformer, IOptions<ConsistentHashBalancerOptions> options)
    {
        _forwarder = forwarder;
        _transformer = transformer;
        var o = options.Value;
        _invoker = new HttpMessageInvoker(
            ReplicaHttpHandler.Create(o.Forwarding, o.Forwarding.ConnectTimeout, pooledConnectionIdleTimeout: TimeSpan.FromSeconds(60)), disposeHandler: true);
        _config = new ForwarderRequestConfig
        {
            ActivityTimeout = o.Forwarding.ResponseTimeout,
            Version = o.Forwarding.HttpVersion,
            VersionPolicy = o.Forwarding.HttpVersionPolicy,
        };
    }

    public async ValueTask<ForwardResult> ForwardAsync(HttpContext context, ReplicaState replica)
    {
        // A gRPC call whose replica fails mid-stream is ended with a gRPC status rather than a stream reset (GrpcResponses).
        GrpcResetDeferral.DeferFor(context);
        _transformer.SendingTo(context, replica);
        var error = await _forwarder.SendAsync(context, replica.ForwardPrefix, _invoker, _config, _transformer).ConfigureAwait(false);
        if (error == ForwarderError.None)
        {
            return ForwardResult.Ok;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        var started = context.Response.HasStarted;
        var outcome = error switch
        {
            ForwarderError.Request when IsConnectFailure(exception) => ForwardOutcome.Unreachable,
            ForwarderError.Request when IsInvalidResponse(exception) => ForwardOutcome.InvalidResponse,
            // The replica's head was read but could not be put on the client's response: SocketsHttpHandler lets through
            // what Kestrel refuses to send (conflicting Content-Length values, control characters), which the lean path's
            // parser rejects as invalid.
            ForwarderError.ResponseHeaders when !context.RequestAborted.IsCancellationRequested => ForwardOutcome.InvalidResponse,
            ForwarderError.Request or ForwarderError.RequestCreation or ForwarderError.ResponseHeaders => ForwardOutcome.FailedBeforeResponse,
            // SocketsHttpHandler reports its connect timeout as a cancellation whose inner exception is a TimeoutException.
            ForwarderError.RequestTimedOut when exception is OperationCanceledException { InnerException: TimeoutException } => ForwardOutcome.Unreachable,
            ForwarderError.RequestTimedOut => ForwardOutcome.TimedOut,
            // An upgraded tunnel (WebSocket) silent in both directions for the response timeout: closed as idle, not failed.
            ForwarderError.UpgradeActivityTimeout => ForwardOutcome.TimedOut,
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled
                or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient
                or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseClient => ForwardOutcome.ClientAborted,
            // The body was being copied: malformed (a broken chunked coding) before the client got anything is an invalid
            // response, anything else a failure after the response began, as the lean path reports them.
            ForwarderError.ResponseBodyDestination when !started && IsInvalidResponse(exception) => ForwardOutcome.InvalidResponse,
            ForwarderError.ResponseBodyDestination => ForwardOutcome.FailedAfterResponse,
            _ => started ? ForwardOutcome.FailedAfterResponse : ForwardOutcome.FailedBeforeResponse,
        };
        return new ForwardResult(outcome, started, exception);
    }

    /// <summary>No connection was made: refused, unresolved, or a TLS handshake that failed (a certificate not trusted).</summary>
    private static bool IsConnectFailure(Exception? exception)
        => exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }
           || exception?.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused };

    /// <summary>SocketsHttpHandler's word for a response it could not parse (or whose headers exceed its limit).</summary>
    private static bool IsInvalidResponse(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse or HttpRequestError.ConfigurationLimitExceeded }
                or HttpIOException { HttpRequestError: HttpRequestError.InvalidResponse })
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _invoker.Dispose();
}
