using Microsoft.AspNetCore.Http;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// Requests whose body framing a proxy must not pass on: Transfer-Encoding in an HTTP/1.0 request (RFC 9112 section
/// 6.1). Kestrel reads such a body as chunked but keeps an HTTP/1.0 keep-alive connection open after it, so the bytes
/// after the chunked body are read as a second request that a front proxy framing by HTTP/1.0 rules never saw: a
/// request hidden inside another. The balancer answers 400 and closes the connection before anything reaches a replica,
/// as nginx does. (Transfer-Encoding with Content-Length needs nothing here: Kestrel drops the Content-Length, reads the
/// body as chunked and closes the connection after the request, which RFC 9112 section 6.3 allows a proxy to forward.)
/// </summary>
internal static class RequestFraming
{
    /// <summary>What is wrong with the request's framing, or null when it may be forwarded.</summary>
    public static string? Problem(HttpRequest request)
    {
        return request.Headers.TransferEncoding.Count > 0 && HttpProtocol.IsHttp10(request.Protocol)
            ? "an HTTP/1.0 request cannot carry Transfer-Encoding"
            : null;
    }

    /// <summary>Answers 400 in the JSON error shape with <c>Connection: close</c>, so Kestrel reads nothing after this request.</summary>
    public static Task RejectAsync(HttpContext context, string problem)
        => JsonResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"The request's framing is ambiguous: {problem}", context.RequestAborted, closeConnection: true);
}
