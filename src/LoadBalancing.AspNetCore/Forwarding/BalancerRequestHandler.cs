using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
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
        ILogger<BalancerRequestHandler> logger,
        IOptions<ConsistentHashBalancerOptions> options)
    {
        _table = table;
        _keys = keys;
        _picker = picker;
        _forwarder = forwarder;
        _metrics = metrics;
        _logger = logger;
        _maxAttempts = Math.Clamp(options.Value.Forwarding.MaxAttempts, 1, MaxAttemptsLimit);
        _retryIdempotent = options.Value.Forwarding.RetryIdempotentRequests;
        _epochHeader = options.Value.Hashing.EpochHeader;
    }

    public Task HandleAsync(HttpContext context)
    {
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

            ForwardResult result;
            replica.Enter();
            try
            {
                result = await _forwarder.ForwardAsync(context, replica).ConfigureAwait(false);
            }
            finally
            {
                replica.Exit();
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
            await JsonResponses.WriteErrorAsync(context, status, message, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left while we were answering; nothing to tell.
        }
    }

    private async Task NoReplicaAsync(HttpContext context)
    {
        Log.NoReplica(_logger, StatusCodes.Status503ServiceUnavailable, context.Request.Method, LoggablePath(context.Request));
        await JsonResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "No replica is available to serve the request", context.RequestAborted).ConfigureAwait(false);
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
