using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Observability;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// The catch-all endpoint: takes the request key, picks the replica from the current routing snapshot, forwards,
/// and on a connection failure moves to the next replica in the key's preference order.
/// </summary>
internal sealed class BalancerRequestHandler
{
    private const int MaxAttemptsLimit = 8;
    /// <summary>The response header that carries the membership epoch (<see cref="HashingOptions.EpochHeader"/>, and on <c>/rep</c>).</summary>
    public const string EpochHeaderName = "Ringway-Epoch";

    private readonly ReplicaTable _table;
    private readonly RequestKeySelector _keys;
    private readonly ReplicaPicker _picker;
    private readonly IReplicaForwarder _forwarder;
    private readonly BalancerMetrics _metrics;
    private readonly ForwardingTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly int _maxAttempts;
    private readonly bool _retryIdempotent;
    private readonly bool _epochHeader;

    public BalancerRequestHandler(
        ReplicaTable table,
        RequestKeySelector keys,
        ReplicaPicker picker,
        IReplicaForwarder forwarder,
        BalancerMetrics metrics,
        ForwardingTelemetry telemetry,
        ILogger<BalancerRequestHandler> logger,
        IOptions<ConsistentHashBalancerOptions> options)
    {
        _table = table;
        _keys = keys;
        _picker = picker;
        _forwarder = forwarder;
        _metrics = metrics;
        _telemetry = telemetry;
        _logger = logger;
        _maxAttempts = Math.Clamp(options.Value.Forwarding.MaxAttempts, 1, MaxAttemptsLimit);
        _retryIdempotent = options.Value.Forwarding.RetryIdempotentRequests;
        _epochHeader = options.Value.Hashing.EpochHeader;
    }

    public Task HandleAsync(HttpContext context)
    {
        if (RequestFraming.Problem(context.Request) is { } problem)
        {
            return RejectAsync(context, problem.StatusCode, problem.Message);
        }

        var snapshot = _table.Current;
        if (snapshot.Hash is null)
        {
            return NoReplicaAsync(context);
        }

        var key = _keys.GetKey(context);
        var chars = key.Chars(stackalloc char[RequestKey.IdLength]);
        var index = _picker.Pick(snapshot, chars);
        return ForwardAsync(context, snapshot, key, snapshot.Replicas[index]);
    }

    private async Task ForwardAsync(HttpContext context, RoutingSnapshot snapshot, RequestKey key, ReplicaState replica)
    {
        var started = Stopwatch.GetTimestamp();
        var attempt = 1;
        Tried tried = default;
        while (true)
        {
            if (_epochHeader)
            {
                // Set before forwarding (and again after a failed attempt cleared the response), so either forwarder keeps it.
                context.Response.Headers[EpochHeaderName] = snapshot.EpochText;
            }

            ForwardResult result = default;
            var attemptStarted = Stopwatch.GetTimestamp();
            // The attempt's client span (null unless someone listens) is current while forwarding: its trace context goes to the replica.
            var activity = ForwardingTelemetry.StartAttempt(context, replica, attempt);
            replica.Enter();
            try
            {
                result = await _forwarder.ForwardAsync(context, replica).ConfigureAwait(false);
            }
            finally
            {
                replica.Exit();
                _telemetry.AttemptEnded(activity, context, replica, result, attemptStarted);
            }

            if (result.Outcome == ForwardOutcome.Success)
            {
                _metrics.RequestCompleted(replica.Hostname, context.Response.StatusCode, started);
                return;
            }

            if (CanFailOver(context, result) && attempt < _maxAttempts && NextReplica(_picker, snapshot, key, ref tried, attempt, replica) is { } next)
            {
                Log.FailingOver(_logger, replica.Hostname, result.Outcome.ErrorType(), next.Hostname, attempt + 1, result.Error);
                _metrics.ForwardFailed(replica.Hostname, result.Outcome);
                _metrics.Failover(replica.Hostname, result.Outcome);
                // The failed attempt left a 502 status and an error feature behind; the next attempt starts clean.
                context.Response.Clear();
                context.Features.Set<IForwarderErrorFeature>(null);
                replica = next;
                attempt++;
                continue;
            }

            await FailAsync(context, replica, result).ConfigureAwait(false);
            _metrics.RequestCompleted(replica.Hostname, context.Response.StatusCode, started);
            return;
        }
    }

    private bool CanFailOver(HttpContext context, ForwardResult result)
    {
        if (result.ResponseStarted || context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }

        return result.Outcome switch
        {
            ForwardOutcome.Unreachable => true,
            // The replica saw the request: only safe to repeat when the method is idempotent and there is no body to replay.
            // A replica that answered garbage is treated alike (nginx's proxy_next_upstream invalid_header): another
            // replica may well answer properly, and repeating an idempotent request is harmless.
            ForwardOutcome.FailedBeforeResponse or ForwardOutcome.InvalidResponse
                => _retryIdempotent && IsIdempotent(context.Request.Method) && !HasBody(context.Request),
            _ => false,
        };
    }

    private async Task FailAsync(HttpContext context, ReplicaState replica, ForwardResult result)
    {
        _metrics.ForwardFailed(replica.Hostname, result.Outcome);
        if (result.Outcome != ForwardOutcome.ClientAborted)
        {
            Log.ForwardFailed(_logger, context.Request.Method, LoggablePath(context.Request), replica.Hostname, result.Outcome.ErrorType(), result.Error);
        }

        if (result.ResponseStarted || context.RequestAborted.IsCancellationRequested)
        {
            if (context.Features.Get<IHttpResetFeature>() is GrpcResetDeferral { Deferred: true } deferral)
            {
                await EndGrpcCallAsync(context, deferral, replica, result).ConfigureAwait(false);
            }

            return;
        }

        // The client's request could not be read (a body over the size limit, cut short, badly framed): the client's fault,
        // answered with Kestrel's status (413, 400...), not blamed on the replica with a 502.
        var (status, message) = FindBadRequest(result.Error) is { } bad
            ? (bad.StatusCode, $"The request could not be read: {bad.Message}")
            : result.Outcome switch
            {
                ForwardOutcome.TimedOut => (StatusCodes.Status504GatewayTimeout, $"Replica '{replica.Hostname}' did not answer in time"),
                ForwardOutcome.ClientAborted => (StatusCodes.Status400BadRequest, "The request body could not be read"),
                ForwardOutcome.InvalidResponse => (StatusCodes.Status502BadGateway, $"Replica '{replica.Hostname}' sent an invalid response"),
                ForwardOutcome.FailedBeforeResponse => (StatusCodes.Status502BadGateway, $"Replica '{replica.Hostname}' closed the connection without a response"),
                ForwardOutcome.FailedAfterResponse => (StatusCodes.Status502BadGateway, $"Replica '{replica.Hostname}' failed while sending its response"),
                _ => (StatusCodes.Status502BadGateway, $"Replica '{replica.Hostname}' could not be reached"),
            };
        try
        {
            await WriteErrorAsync(context, status, message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left while we were answering; nothing to tell.
        }
    }

    private async Task RejectAsync(HttpContext context, int statusCode, string problem)
    {
        Log.FramingRefused(_logger, context.Request.Method, LoggablePath(context.Request), context.Request.Protocol, statusCode, problem);
        await RequestFraming.RejectAsync(context, statusCode, problem).ConfigureAwait(false);
        _metrics.RequestCompleted(null, statusCode, Stopwatch.GetTimestamp());
    }

    /// <summary>The balancer's error: gRPC-shaped for gRPC calls (their clients cannot read JSON), JSON otherwise.</summary>
    private static Task WriteErrorAsync(HttpContext context, int status, string message)
        => GrpcResponses.IsGrpc(context.Request)
            ? GrpcResponses.WriteErrorAsync(context, status, message)
            : JsonResponses.WriteErrorAsync(context, status, message, context.RequestAborted);

    /// <summary>A gRPC call whose replica failed mid-response: ended with UNAVAILABLE trailers, or reset when that cannot be done.</summary>
    private static async Task EndGrpcCallAsync(HttpContext context, GrpcResetDeferral deferral, ReplicaState replica, ForwardResult result)
    {
        if (result.Outcome != ForwardOutcome.ClientAborted && !context.RequestAborted.IsCancellationRequested && GrpcResponses.CanEndWithStatus(context))
        {
            try
            {
                await GrpcResponses.EndWithUnavailableAsync(context, $"Replica '{replica.Hostname}' failed during the call").ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
            {
                // The stream is gone or its trailers were sent: the reset below is all that is left.
            }
        }

        deferral.ResetNow();
    }

    private async Task NoReplicaAsync(HttpContext context)
    {
        Log.NoReplica(_logger, StatusCodes.Status503ServiceUnavailable, context.Request.Method, LoggablePath(context.Request));
        await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "No replica is available to serve the request").ConfigureAwait(false);
        _metrics.RequestCompleted(null, StatusCodes.Status503ServiceUnavailable, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// The path for a log message, percent-encoded again: Kestrel decodes the path, so a client's %0D%0A would otherwise
    /// reach the log as a line break and could forge entries.
    /// </summary>
    private static string LoggablePath(HttpRequest request) => request.Path.ToUriComponent();

    private static BadHttpRequestException? FindBadRequest(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is BadHttpRequestException bad)
            {
                return bad;
            }

            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (FindBadRequest(inner) is { } found)
                    {
                        return found;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The next routable replica in the key's preference order that has not been tried.</summary>
    private static ReplicaState? NextReplica(ReplicaPicker picker, RoutingSnapshot snapshot, RequestKey key, ref Tried tried, int attempt, ReplicaState failed)
    {
        tried[attempt - 1] = failed;
        Span<int> order = stackalloc int[Math.Min(snapshot.Count, 64)];
        var count = picker.Order(snapshot, key.Chars(stackalloc char[RequestKey.IdLength]), order);
        for (var i = 0; i < count; i++)
        {
            var candidate = snapshot.Replicas[order[i]];
            if (candidate.IsRoutable && !WasTried(tried, attempt, candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool WasTried(Tried tried, int count, ReplicaState candidate)
    {
        for (var i = 0; i < count; i++)
        {
            if (ReferenceEquals(tried[i], candidate))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsIdempotent(string method)
        => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
           || HttpMethods.IsTrace(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    private static bool HasBody(HttpRequest request)
        => request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0;

    /// <summary>The replicas tried so far for one request, held inline in the async state machine.</summary>
    [InlineArray(MaxAttemptsLimit)]
    private struct Tried
    {
        private ReplicaState? _element;
    }
}
