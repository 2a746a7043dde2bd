using Ringway.Conformance.Tests.Infrastructure;

namespace Ringway.Conformance.Tests.Cases;

/// <summary>Redirects and Location, cookies, HEAD, 204 and 304, ranges and compression.</summary>
internal static class SemanticsCases
{
    public static IEnumerable<ConformanceCase> All =>
    [
        new("redirects", "relative", p => Observe.HeadersAsync(p, p.Request(HttpMethod.Get, "/redirect-to?url=/get"), "Location")),
        new("redirects", "absolute-from-host", p => Observe.HeadersAsync(p, p.Request(HttpMethod.Get, "/absolute-redirect/1"), "Location")),
        new("redirects", "absolute-from-client-host", p =>
        {
            var request = p.Request(HttpMethod.Get, "/absolute-redirect/1");
            request.Headers.Host = "shop.example";
            return Observe.HeadersAsync(p, request, "Location");
        }),
        new("redirects", "external-307", p => Observe.HeadersAsync(p, p.Request(HttpMethod.Get, "/redirect-to?url=http%3A%2F%2Fexample.invalid%2Fa%3Fb%3D1&status_code=307"), "Location")),
        new("cookies", "set-two", p => Observe.HeadersAsync(p, p.Request(HttpMethod.Get, "/cookies/set?a=1&b=2"), "Set-Cookie", "Location")),
        new("cookies", "sent", p =>
        {
            var request = p.Request(HttpMethod.Get, "/cookies");
            request.Headers.TryAddWithoutValidation("Cookie", "a=1; b=two");
            return Observe.EchoAsync(p, request, "cookies");
        }),
        new("no-body", "head", p => Observe.HeadersAsync(p, p.Request(HttpMethod.Head, "/get"), "Content-Type", "Content-Length?")),
        new("no-body", "status-204", p => Observe.HeadersAsync(p, p.Request(HttpMethod.Get, "/status/204"), "Content-Length")),
        new("no-body", "etag-304", p =>
        {
            var request = p.Request(HttpMethod.Get, "/etag/abc");
            request.Headers.TryAddWithoutValidation("If-None-Match", "\"abc\"");
            return Observe.HeadersAsync(p, request, "ETag", "Content-Length");
        }),
        new("no-body", "if-modified-since-304", p =>
        {
            var request = p.Request(HttpMethod.Get, "/cache");
            request.Headers.TryAddWithoutValidation("If-Modified-Since", "Sat, 29 Oct 1994 19:43:31 GMT");
            return Observe.HeadersAsync(p, request, "Content-Length");
        }),
        new("ranges", "single", p =>
        {
            var request = p.Request(HttpMethod.Get, "/range/1024");
            request.Headers.TryAddWithoutValidation("Range", "bytes=10-19");
            return Observe.HeadersAsync(p, request, "Content-Range", "Content-Length", "Accept-Ranges");
        }),
        new("ranges", "unsatisfiable", p =>
        {
            var request = p.Request(HttpMethod.Get, "/range/1024");
            request.Headers.TryAddWithoutValidation("Range", "bytes=2000-");
            return Observe.HeadersAsync(p, request, "Content-Range");
        }),
        new("compression", "gzip", p => CompressedAsync(p, "gzip")),
        new("compression", "deflate", p => CompressedAsync(p, "deflate")),
        new("compression", "accept-encoding-passed", p =>
        {
            var request = p.Request(HttpMethod.Get, "/anything");
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "br;q=1.0, gzip;q=0.8, *;q=0.1");
            return Observe.EchoAsync(p, request, "headers.Accept-Encoding");
        }),
    ];

    /// <summary>The body passed through still encoded: Content-Encoding and whether it decodes to httpbin's answer.</summary>
    private static async Task<Observation> CompressedAsync(Probe probe, string encoding)
    {
        var request = probe.Request(HttpMethod.Get, "/" + encoding);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
        using var response = await probe.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        string decoded;
        try
        {
            using Stream decoder = encoding == "gzip"
                ? new System.IO.Compression.GZipStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress)
                : new System.IO.Compression.ZLibStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress);
            using var json = System.Text.Json.JsonDocument.Parse(new StreamReader(decoder).ReadToEnd());
            decoded = json.RootElement.TryGetProperty($"{encoding}d", out var flag) && flag.GetBoolean() ? "decodes to httpbin's answer" : "decodes to something else";
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            decoded = "does not decode";
        }

        return new Observation($"{(int)response.StatusCode} Content-Encoding={string.Join(",", response.Content.Headers.ContentEncoding)} {decoded}");
    }
}
