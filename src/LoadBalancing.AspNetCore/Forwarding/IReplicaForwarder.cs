using Microsoft.AspNetCore.Http;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// Forwards one request to one replica and streams the response back. Kept behind this interface so a leaner
/// HTTP/1.1 path can replace the YARP-based one without touching routing, failover or metrics.
/// </summary>
internal interface IReplicaForwarder
{
    /// <summary>
    /// Forwards the request. On failure the client response has not been touched when the outcome says so
    /// (<see cref="ForwardResult.ResponseStarted"/> false), so the caller may write an error or try another replica.
    /// </summary>
    ValueTask<ForwardResult> ForwardAsync(HttpContext context, ReplicaState replica);
}

/// <summary>What happened to a forwarded request.</summary>
internal enum ForwardOutcome
{
    /// <summary>The replica's response was passed through.</summary>
    Success,

    /// <summary>No connection could be made; nothing was sent, so any method may go to another replica.</summary>
    Unreachable,

    /// <summary>The request reached the replica but no response headers came back (connection reset or closed).</summary>
    FailedBeforeResponse,

    /// <summary>
    /// The replica answered, but with something that is not a valid HTTP response (a malformed status line, header or
    /// 1xx, headers over the size limit, a malformed chunked body) before anything reached the client.
    /// </summary>
    InvalidResponse,

    /// <summary>The replica took longer than the response timeout.</summary>
    TimedOut,

    /// <summary>The client went away.</summary>
    ClientAborted,

    /// <summary>A failure after the response started (body copy, upgraded stream); the response was aborted or ended.</summary>
    FailedAfterResponse,
}

internal readonly record struct ForwardResult(ForwardOutcome Outcome, bool ResponseStarted, Exception? Error)
{
    public static readonly ForwardResult Ok = new(ForwardOutcome.Success, true, null);
}

/// <summary>How a failed outcome is named in logs and metrics (the <c>error.type</c> tag).</summary>
internal static class ForwardOutcomeNames
{
    /// <summary>
    /// <c>connection_error</c> (could not connect), <c>response_ended</c> (reached, no response), <c>invalid_response</c>,
    /// <c>timeout</c>, <c>response_body_error</c>, <c>client_aborted</c>; the first names follow .NET's <c>HttpRequestError</c>.
    /// </summary>
    public static string ErrorType(this ForwardOutcome outcome) => outcome switch
    {
        ForwardOutcome.Unreachable => "connection_error",
        ForwardOutcome.FailedBeforeResponse => "response_ended",
        ForwardOutcome.InvalidResponse => "invalid_response",
        ForwardOutcome.TimedOut => "timeout",
        ForwardOutcome.FailedAfterResponse => "response_body_error",
        ForwardOutcome.ClientAborted => "client_aborted",
        _ => "none",
    };
}
