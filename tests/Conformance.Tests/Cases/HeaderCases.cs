using Ringway.Conformance.Tests.Infrastructure;

namespace Ringway.Conformance.Tests.Cases;

/// <summary>Hop-by-hop headers, Host, and X-Forwarded-* as the application sees them.</summary>
internal static class HeaderCases
{
    private const string Group = "forwarded-headers";

    private const string ConnectionListed = "RFC 9110 section 7.6.1 requires a proxy to remove every header the Connection header names; Ringway does, nginx passes them on (it removes only Connection itself).";

    public static IEnumerable<ConformanceCase> All =>
    [
        Echo("connection-lists-two", "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\n", ["headers.X-Hop", "headers.Connection"]) with { NginxDifference = ConnectionListed },
        Echo("connection-lists-one", "Connection: X-Hop\r\nX-Hop: 1\r\n", ["headers.X-Hop", "headers.Connection"]) with { NginxDifference = ConnectionListed },
        Echo("keep-alive-header", "Keep-Alive: timeout=5\r\n", ["headers.Keep-Alive"]),
        Echo("te-trailers", "TE: trailers\r\nConnection: TE\r\n", ["headers.TE"]),
        Echo("proxy-connection", "Proxy-Connection: keep-alive\r\n", ["headers.Proxy-Connection"]) with
        {
            NginxDifference = "Both forwarders drop the obsolete Proxy-Connection header as hop-by-hop (YARP's and HttpClient's list); nginx passes it on.",
        },
        Echo("host-kept", "", ["headers.Host", "url"], host: "shop.example"),
        Echo("x-forwarded-set", "", ["headers.X-Forwarded-For", "headers.X-Forwarded-Host", "headers.X-Forwarded-Proto"]),
        Echo("x-forwarded-from-client", "X-Forwarded-For: evil.invalid\r\nX-Forwarded-Host: evil.invalid\r\nX-Forwarded-Proto: https\r\n",
            ["headers.X-Forwarded-For", "headers.X-Forwarded-Host", "headers.X-Forwarded-Proto"]),
    ];

    /// <summary>
    /// A GET with <paramref name="headers"/> (and Connection: close unless they set Connection), echoed by httpbin
    /// (show_env=1: without it httpbin hides X-Forwarded-*).
    /// </summary>
    private static ConformanceCase Echo(string name, string headers, string[] fields, string? host = null) => new(Group, name, p => RawEcho.Async(p,
        $"GET /anything?show_env=1 HTTP/1.1\r\nHost: {host ?? "{host}"}\r\nUser-Agent: {{marker}}\r\n{headers}" +
        (headers.Contains("Connection:", StringComparison.Ordinal) ? "" : "Connection: close\r\n") + "\r\n",
        fields));
}
