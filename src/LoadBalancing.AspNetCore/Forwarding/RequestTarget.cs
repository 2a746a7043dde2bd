using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// The request target both forwarders send after the replica address's path: the client's own bytes (path and query as
/// they came, percent-encoding untouched), never a path decoded by the server and encoded again, which would turn
/// <c>%2F</c> into <c>%252F</c> (as YARP's default does, dotnet/yarp#1419).
/// </summary>
internal static class RequestTarget
{
    /// <summary>URIs built from a raw target keep it byte for byte: no unescaping, no dot-segment removal.</summary>
    private static readonly UriCreationOptions Raw = new() { DangerousDisablePathAndQueryCanonicalization = true };

    /// <summary>
    /// The client's origin-form target (<c>/path?query</c>). False when it cannot stand for the request: an
    /// absolute-form or asterisk target, or a path base the application split off (the target still holds it).
    /// </summary>
    public static bool TryGetRaw(HttpContext context, out string target)
    {
        target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        return target.StartsWith('/') && !context.Request.PathBase.HasValue;
    }

    /// <summary>The replica's address (<paramref name="prefix"/>, without a trailing slash) followed by the raw target; null when there is none.</summary>
    public static Uri? RawUri(HttpContext context, string prefix)
        => TryGetRaw(context, out var target) && Uri.TryCreate(prefix + target, in Raw, out var uri) ? uri : null;
}
