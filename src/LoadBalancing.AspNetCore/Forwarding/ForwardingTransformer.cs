using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// YARP's default header copy (hop-by-hop headers dropped, Host set from the replica) plus X-Forwarded-For/Proto/Host
/// appended to what the client sent, and the optional 404 -> 400 mapping (ForwardingOptions.NotFoundAsBadRequest).
/// </summary>
internal sealed class ForwardingTransformer : HttpTransformer
{
    private const string ForwardedFor = "X-Forwarded-For";
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedHost = "X-Forwarded-Host";
    private readonly bool _notFoundAsBadRequest;

    public ForwardingTransformer(IOptions<ConsistentHashBalancerOptions> options)
        => _notFoundAsBadRequest = options.Value.Forwarding.NotFoundAsBadRequest;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);

        var headers = proxyRequest.Headers;
        RemoveConnectionListedHeaders(httpContext, proxyRequest);

        // Multiple values of one header are sent comma-separated, which is how these headers append.
        if (httpContext.Connection.RemoteIpAddress is { } address)
        {
            headers.TryAddWithoutValidation(ForwardedFor, address.ToString());
        }

        headers.TryAddWithoutValidation(ForwardedProto, httpContext.Request.Scheme);
        if (httpContext.Request.Host.HasValue)
        {
            headers.TryAddWithoutValidation(ForwardedHost, httpContext.Request.Host.Value);
        }
    }

    /// <summary>Headers named in the client's Connection header are hop-by-hop too (RFC 9110, 7.6.1).</summary>
    private static void RemoveConnectionListedHeaders(HttpContext httpContext, HttpRequestMessage proxyRequest)
    {
        var connection = httpContext.Request.Headers.Connection;
        if (connection.Count == 0)
        {
            return;
        }

        foreach (var value in connection)
        {
            foreach (var token in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // The upgrade handshake's own headers are restored by the forwarder for upgrade requests.
                if (IsToken(token) && !token.Equals("upgrade", StringComparison.OrdinalIgnoreCase) && !token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) && !token.Equals("close", StringComparison.OrdinalIgnoreCase))
                {
                    proxyRequest.Headers.Remove(token);
                    proxyRequest.Content?.Headers.Remove(token);
                }
            }
        }
    }

    private static bool IsToken(string value)
    {
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return value.Length > 0;
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (_notFoundAsBadRequest && proxyResponse?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return WriteNotFoundAsync(httpContext, cancellationToken);
        }

        return base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }

    private static async ValueTask<bool> WriteNotFoundAsync(HttpContext context, CancellationToken cancellationToken)
    {
        await JsonResponses.WriteErrorAsync(
            context,
            StatusCodes.Status400BadRequest,
            $"'{context.Request.Path.Value}' endpoint does not exist in server replicas",
            cancellationToken).ConfigureAwait(false);
        return false; // The replica's body is not copied.
    }
}
