using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>
/// Puts a parsed final response head on the client's response: status, reason phrase and the end-to-end headers (as
/// <see cref="ForwardingHeaderPolicy"/> says), or, when <see cref="ForwardingOptions.NotFoundAsBadRequest"/>
/// is on and the replica answered 404, the balancer's 400 answer instead. A load report addressed to the balancer
/// (<see cref="ReplicaLoadReports"/>) is handed to it and not copied.
/// </summary>
internal sealed class ResponseHeadApplier(bool notFoundAsBadRequest, ReplicaLoadReports? loadReports = null)
{
    /// <summary>Whether the replica's answer is replaced by the balancer's (the 404 rule): then nothing of it is copied.</summary>
    public bool Replaces(in ResponseHead head) => notFoundAsBadRequest && head.Status == StatusCodes.Status404NotFound;

    /// <summary>The balancer's answer in place of the replica's (<see cref="Replaces"/>).</summary>
    public static Task WriteReplacementAsync(HttpContext context) => JsonResponses.WriteNotFoundAsync(context, context.RequestAborted);

    /// <summary>
    /// Copies <paramref name="head"/>, parsed from <paramref name="block"/>, to the client's response;
    /// <paramref name="valueCache"/> is the connection's last value of each known header (<see cref="Http1Syntax.Value"/>).
    /// </summary>
    public void Apply(HttpContext context, ReplicaState replica, in ResponseHead head, ReadOnlySpan<byte> block, string?[] valueCache)
    {
        var response = context.Response;
        response.StatusCode = head.Status;
        if (head.Reason.Length > 0)
        {
            // As the YARP path does: a reason phrase other than the standard one is passed on (Kestrel writes the standard
            // one otherwise). Only plain ASCII, which Kestrel writes as it is.
            var reason = block.Slice(head.Reason.Start, head.Reason.Length);
            if (Ascii.IsValid(reason) && !Ascii.Equals(reason, ReasonPhrases.GetReasonPhrase(head.Status)))
            {
                context.Features.GetRequiredFeature<IHttpResponseFeature>().ReasonPhrase = Encoding.ASCII.GetString(reason);
            }
        }

        var connection = block.Slice(head.Connection.Start, head.Connection.Length);
        var headers = response.Headers;
        foreach (var header in head.EnumerateHeaders(block))
        {
            var name = header.Name;
            if (loadReports is { Enabled: true } && ReplicaLoadReports.IsReportHeader(name))
            {
                loadReports.Receive(replica, header.Value);
                continue;
            }

            if (!ForwardingHeaderPolicy.ForwardsResponseHeader(name, connection))
            {
                continue;
            }

            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                // The parsed value: validated, and absent (-1) when Transfer-Encoding frames the body.
                if (head.ContentLength >= 0)
                {
                    response.ContentLength = head.ContentLength;
                }

                continue;
            }

            var headerName = Http1Syntax.Name(name, out var slot);
            headers.Append(headerName, Http1Syntax.Value(header.Value, slot, valueCache));
        }
    }
}
