using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Ringway.LoadBalancing.AspNetCore.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Observability;

/// <summary>
/// One attempt to forward a request, as OpenTelemetry's HTTP client semantic conventions describe a request: a client
/// span from the <c>Ringway.LoadBalancing</c> activity source (a child of the current span, usually ASP.NET Core's server
/// span; the replica's span becomes its child through <see cref="ForwardingHeaderPolicy"/>'s trace context) and the
/// <c>http.client.request.duration</c> histogram (<see cref="BalancerMetrics"/>). The same for both forwarders, since the
/// request handler records it around whichever forwards. With nobody listening it allocates nothing.
/// </summary>
internal sealed class ForwardingTelemetry(BalancerMetrics metrics)
{
    public const string ActivitySourceName = "Ringway.LoadBalancing";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Starts the attempt's client span, or returns null when no one listens to the source.</summary>
    public static Activity? StartAttempt(HttpContext context, ReplicaState replica, int attempt)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var method = HttpClientSemantics.Method(context.Request.Method);
        var activity = Source.StartActivity(method.SpanName, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("http.request.method", method.Name);
            if (method.Original is not null)
            {
                activity.SetTag("http.request.method_original", method.Original);
            }

            activity.SetTag("server.address", replica.ServerAddress);
            activity.SetTag("server.port", replica.ServerPort);
            // What was sent: the client's raw target after the replica's address (RequestTarget), as both forwarders send it.
            activity.SetTag("url.full", RequestTarget.TryGetRaw(context, out var target)
                ? replica.ForwardPrefix + target
                : replica.ForwardPrefix + context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent());
            activity.SetTag("ringway.replica", replica.Hostname);
            if (attempt > 1)
            {
                activity.SetTag("http.request.resend_count", attempt - 1);
            }
        }

        return activity;
    }

    /// <summary>Ends the attempt: its span (status code, error type) and its duration.</summary>
    public void AttemptEnded(Activity? activity, HttpContext context, ReplicaState replica, ForwardResult result, long startTimestamp)
    {
        // The replica's status, when it answered: the one on the client's response (after a failure, a status only if
        // its response had begun).
        int? status = result.Outcome == ForwardOutcome.Success || result.ResponseStarted ? context.Response.StatusCode : null;
        var errorType = result.Outcome != ForwardOutcome.Success ? result.Outcome.ErrorType()
            : status >= 400 ? HttpClientSemantics.StatusText(status.Value)
            : null;
        metrics.ClientAttempt(context.Request.Method, replica, status, errorType, startTimestamp);
        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            if (status is { } code)
            {
                activity.SetTag("http.response.status_code", HttpClientSemantics.Boxed(code));
            }

            if (errorType is not null)
            {
                activity.SetTag("error.type", errorType);
                activity.SetStatus(ActivityStatusCode.Error, result.Error?.Message);
            }
        }

        activity.Dispose();
    }
}
