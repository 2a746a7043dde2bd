using Ringway.Conformance.Tests.Infrastructure;

namespace Ringway.Conformance.Tests.Cases;

/// <summary>
/// Raw-socket probes of request framing and syntax: pipelining, Content-Length against Transfer-Encoding, HTTP/1.0 with
/// chunked, malformed request lines and headers. Requests that must never reach httpbin carry their own marker, and the
/// answer says which of them did.
/// </summary>
internal static class FramingCases
{
    private const string Group = "framing";

    public static IEnumerable<ConformanceCase> All =>
    [
        Probe("pipelined-two", m =>
            $"GET /anything/one HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-one\r\n\r\n" +
            $"GET /anything/two HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-two\r\nConnection: close\r\n\r\n", "one", "two"),
        Probe("pipelined-after-body", m =>
            $"POST /anything/one HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-one\r\nContent-Length: 3\r\n\r\nabc" +
            $"GET /anything/two HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-two\r\nConnection: close\r\n\r\n", "one", "two"),
        Probe("http10-chunked-keep-alive", m =>
            $"POST /anything/outer HTTP/1.0\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
            $"GET /anything/hidden HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-hidden\r\nConnection: close\r\n\r\n", "outer", "hidden") with { RingwayBody = "json" },
        Probe("content-length-and-chunked", m =>
            $"POST /anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
            $"GET /anything/hidden HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-hidden\r\nConnection: close\r\n\r\n", "outer", "hidden") with
        {
            NginxDifference = "nginx refuses Content-Length with Transfer-Encoding (400). Kestrel drops the Content-Length, reads the body as chunked and closes the connection after the request, so the replica gets the chunked request alone and the bytes behind it are never read: the forwarding RFC 9112 section 6.3 allows an intermediary.",
        },
        Probe("chunked-twice", m =>
            $"POST /anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n" +
            $"GET /anything/hidden HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-hidden\r\nConnection: close\r\n\r\n", "outer", "hidden") with
        {
            NginxDifference = "Both refuse it and close. A sender must never apply chunked twice (RFC 9112 section 7), so Ringway calls the request malformed (400); nginx answers 501 to every Transfer-Encoding other than chunked alone.",
            RingwayBody = "json",
        },
        Probe("coding-before-chunked", m =>
            $"POST /anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" +
            $"GET /anything/hidden HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-hidden\r\nConnection: close\r\n\r\n", "outer", "hidden") with { RingwayBody = "json" },
        Probe("transfer-encoding-not-chunked", m =>
            $"POST /anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nTransfer-Encoding: gzip\r\n\r\nabc", "outer") with
        {
            NginxDifference = "Both refuse it and close. RFC 9112 section 6.3 says a request whose final coding is not chunked cannot be framed and gets 400, which Kestrel answers; nginx answers 501 (Not Implemented).",
            RingwayBody = "empty",
        },
        Probe("transfer-encoding-space-before-colon", m =>
            $"POST /anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", "outer") with { RingwayBody = "empty" },
        Probe("two-content-lengths", m =>
            $"POST /anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde", "outer") with { RingwayBody = "empty" },
        Probe("chunk-size-overflow", m =>
            $"POST /anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nffffffffffffffffff1\r\nabc\r\n0\r\n\r\n", "outer") with { RingwayBody = "json" },
        Probe("chunk-size-not-hex", m =>
            $"POST /anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", "outer") with { RingwayBody = "json" },
        Probe("obs-fold", m =>
            $"GET /anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n", "outer") with { RingwayBody = "empty" },
        Probe("nul-in-header", m =>
            $"GET /anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nX-Nul: a\0b\r\nConnection: close\r\n\r\n", "outer") with { RingwayBody = "empty" },
        Probe("bare-lf", m =>
            $"GET /anything/outer HTTP/1.1\nHost: {{host}}\nUser-Agent: {m}-outer\nConnection: close\n\n", "outer"),
        Probe("garbage-request-line", _ => "GARBAGE\r\n\r\n") with { RingwayBody = "empty" },
        Probe("missing-host", m => $"GET /anything/outer HTTP/1.1\r\nUser-Agent: {m}-outer\r\nConnection: close\r\n\r\n", "outer") with { RingwayBody = "empty" },
        Probe("http10-without-host", m => $"GET /anything/outer HTTP/1.0\r\nUser-Agent: {m}-outer\r\n\r\n", "outer"),
        Probe("absolute-form-target", m =>
            $"GET http://{{host}}/anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nConnection: close\r\n\r\n", "outer"),
        Probe("non-ascii-in-path", m =>
            $"GET /anything/caf\u00e9 HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nConnection: close\r\n\r\n", "outer") with
        {
            NginxDifference = "Kestrel refuses a raw byte above 0x7F in the request target (RFC 3986 allows only percent-encoded ones) with 400; nginx passes it on.",
            RingwayBody = "empty",
        },
        Probe("non-ascii-in-header", m =>
            $"GET /anything/outer HTTP/1.1\r\nHost: {{host}}\r\nUser-Agent: {m}-outer\r\nX-Latin: caf\u00e9\r\nConnection: close\r\n\r\n", "outer") with
        {
            NginxDifference = "Kestrel refuses raw bytes above 0x7F in header values (obsolete text in RFC 9110 section 5.5) with 400 unless `RequestHeaderEncodingSelector` says how to decode them; nginx passes them on.",
            RingwayBody = "empty",
        },
    ];

    /// <summary>Raw bytes ({host} filled in, markers from the probe's), and which marked requests reached httpbin.</summary>
    private static ConformanceCase Probe(string name, Func<string, string> request, params string[] marked) => new(Group, name, p =>
        Observe.RawAsync(p, request(p.Marker), [.. marked.Select(m => $"{p.Marker}-{m}")]));
}
