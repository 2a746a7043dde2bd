using Microsoft.AspNetCore.Http;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// Requests whose body framing a proxy must not pass on, refused before anything reaches a replica, as nginx refuses them:
/// <list type="bullet">
/// <item>Transfer-Encoding in an HTTP/1.0 request (RFC 9112 section 6.1): Kestrel reads such a body as chunked but keeps
/// an HTTP/1.0 keep-alive connection open after it, so the bytes after the chunked body would be read as a second
/// request that a front proxy framing by HTTP/1.0 rules never saw, a request hidden inside another. 400.</item>
/// <item>chunked applied more than once, which a sender must never do (RFC 9112 section 7). 400.</item>
/// <item>Any other transfer coding before the final chunked (<c>gzip, chunked</c>): Kestrel removes only the chunked
/// framing and both forwarders re-frame the body as chunked alone, so the replica would take the still-encoded bytes
/// for the body. 501, as RFC 9112 section 6.1 advises for a coding the recipient does not implement.</item>
/// </list>
/// Each is answered in the JSON error shape with <c>Connection: close</c>, so Kestrel reads nothing after it. (Transfer-Encoding
/// with Content-Length needs nothing here: Kestrel drops the Content-Length, reads the body as chunked and closes the
/// connection after the request, which RFC 9112 section 6.3 allows a proxy to forward.)
/// </summary>
internal static class RequestFraming
{
    /// <summary>Why the request cannot be forwarded, or null when it can.</summary>
    public static (int StatusCode, string Message)? Problem(HttpRequest request)
    {
        var encodings = request.Headers.TransferEncoding;
        if (encodings.Count == 0)
        {
            return null;
        }

        if (HttpProtocol.IsHttp10(request.Protocol))
        {
            return (StatusCodes.Status400BadRequest, "an HTTP/1.0 request cannot carry Transfer-Encoding");
        }

        // Kestrel has already refused a list whose final coding is not chunked; what is left is chunked alone or with more.
        var codings = string.Join(',', encodings.ToArray()).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (codings is [var only] && only.Equals("chunked", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return codings.Count(c => c.Equals("chunked", StringComparison.OrdinalIgnoreCase)) > 1
            ? (StatusCodes.Status400BadRequest, "chunked is applied more than once")
            : (StatusCodes.Status501NotImplemented, $"Transfer-Encoding '{string.Join(", ", codings)}' is not supported; only chunked is forwarded");
    }

    /// <summary>Answers in the JSON error shape with <c>Connection: close</c>, so Kestrel reads nothing after this request.</summary>
    public static Task RejectAsync(HttpContext context, int statusCode, string problem)
        => JsonResponses.WriteErrorAsync(context, statusCode, $"The request's framing is refused: {problem}", context.RequestAborted, closeConnection: true);
}
