using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// The balancer's own errors in the shape gRPC clients read (PROTOCOL-HTTP2.md): a status code in <c>grpc-status</c> and a
/// percent-encoded <c>grpc-message</c>, as a trailers-only response (HTTP 200, headers only) before anything was sent, or as
/// trailers ending a response already under way. A gRPC client cannot read the JSON error bodies other clients get.
/// </summary>
internal static class GrpcResponses
{
    /// <summary>gRPC's UNAVAILABLE: the call may be tried again, as the gRPC client's retry policies expect.</summary>
    public const int Unavailable = 14;

    /// <summary>Whether the request is a gRPC call (<c>application/grpc</c>, <c>application/grpc+proto</c>...; gRPC-Web excluded).</summary>
    public static bool IsGrpc(HttpRequest request)
    {
        var type = request.ContentType;
        return type is not null
            && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
            && (type.Length == "application/grpc".Length || type["application/grpc".Length] is '+' or ';')
            && !type.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Answers with a trailers-only response carrying the gRPC status for the HTTP status the balancer would have sent.</summary>
    public static Task WriteErrorAsync(HttpContext context, int httpStatus, string message)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = StatusFor(httpStatus).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        // No body: the headers end the stream, which is what a trailers-only response is.
        return response.CompleteAsync();
    }

    /// <summary>Whether a started response can still be ended with gRPC trailers (HTTP/2 or later, trailers not yet sent).</summary>
    public static bool CanEndWithStatus(HttpContext context)
        => context.Features.Get<IHttpResponseTrailersFeature>() is not null && context.Response.SupportsTrailers();

    /// <summary>Ends a started gRPC response with <c>grpc-status</c> UNAVAILABLE and the message as trailers.</summary>
    public static Task EndWithUnavailableAsync(HttpContext context, string message)
    {
        context.Response.AppendTrailer("grpc-status", Unavailable.ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.Response.AppendTrailer("grpc-message", Uri.EscapeDataString(message));
        return context.Response.CompleteAsync();
    }

    /// <summary>
    /// The gRPC code for an HTTP status, as gRPC's "HTTP to gRPC status code mapping" has it: 502, 503 and 504 are
    /// UNAVAILABLE, 400 INTERNAL, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 UNIMPLEMENTED, 429 UNAVAILABLE; others UNKNOWN.
    /// </summary>
    public static int StatusFor(int httpStatus) => httpStatus switch
    {
        StatusCodes.Status400BadRequest => 13,
        StatusCodes.Status401Unauthorized => 16,
        StatusCodes.Status403Forbidden => 7,
        StatusCodes.Status404NotFound => 12,
        StatusCodes.Status429TooManyRequests or StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable
            or StatusCodes.Status504GatewayTimeout => Unavailable,
        _ => 2,
    };
}
