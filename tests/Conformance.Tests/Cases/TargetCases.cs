using Ringway.Conformance.Tests.Infrastructure;

namespace Ringway.Conformance.Tests.Cases;

/// <summary>Request targets as sent (encoded paths, queries, long URLs) and header counts and sizes.</summary>
internal static class TargetCases
{
    public static IEnumerable<ConformanceCase> All =>
    [
        Path("encoded-slash", "/anything/a%2Fb"),
        Path("encoded-utf8", "/anything/%E2%82%AC"),
        Path("encoded-space-and-plus", "/anything/a%20b+c"),
        Path("encoded-percent", "/anything/100%25"),
        Path("semicolon", "/anything/a;b=c"),
        Path("double-slash", "/anything//twice"),
        Path("dot-segments", "/anything/./a/../b"),
        Path("query", "/anything?x=%2F&y=a+b&z=%E2%82%AC&empty=&flag"),
        Path("long-path-4k", "/anything/" + new string('p', 4000)),
        Path("long-query-7k", "/anything?q=" + new string('q', 7000)),
        Path("long-target-9k", "/anything?q=" + new string('q', 9000)) with { RingwayBody = "empty" },
        Headers("headers-50", Enumerable.Range(1, 50).Select(i => ($"X-Many-{i}", $"value {i}"))),
        Headers("headers-101", Enumerable.Range(1, 101).Select(i => ($"X-Many-{i}", $"value {i}"))) with
        {
            NginxDifference = "Kestrel refuses more than 100 request headers (`MaxRequestHeaderCount`, default 100) with 431; nginx has no count limit, only a size limit.",
            RingwayBody = "empty",
        },
        Headers("header-16kb", [("X-Big", new string('h', 16 * 1024))]) with
        {
            NginxDifference = "nginx refuses a header line longer than one of its `large_client_header_buffers` (8 KB) with 400; Kestrel limits all headers together (`MaxRequestHeadersTotalSize`, default 32 KB), so a single 16 KB header passes.",
        },
        Headers("headers-40kb", Enumerable.Range(1, 10).Select(i => ($"X-Big-{i}", new string('h', 4 * 1024)))) with
        {
            NginxDifference = "Both refuse 40 KB of headers; Kestrel says 431 (Request Header Fields Too Large, `MaxRequestHeadersTotalSize`), nginx 400.",
            RingwayBody = "empty",
        },
        new("headers", "duplicate-field", p => RawEcho.Async(p,
            "GET /anything HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {marker}\r\nX-Dup: one\r\nX-Dup: two\r\nConnection: close\r\n\r\n", "headers.X-Dup"))
        {
            NginxDifference = "Kestrel hands a repeated header to the application as one list, and both forwarders send it on as one line, `one, two`; nginx passes the two lines. RFC 9110 section 5.3 makes the two forms equivalent (for request headers; a response's Set-Cookie lines stay separate, see `cookies/set-two`).",
        },
    ];

    /// <summary>The target sent byte for byte (HttpClient would normalise it): the status and the target httpbin received.</summary>
    private static ConformanceCase Path(string name, string target) => new("targets", name, async p =>
    {
        var result = await RawExchange.SendAsync(p.Target.Address,
            $"GET {target} HTTP/1.1\r\nHost: {p.Target.Address.Authority}\r\nUser-Agent: {p.Marker}\r\nConnection: close\r\n\r\n");
        var status = (await Observe.DescribeAsync(p, result)).Answer;
        var received = result.Answers.FirstOrDefault()?.Status == 200 ? (await p.App.WaitForRequestLinesAsync(p.Marker)).FirstOrDefault()?.Split(' ')[1] : null;
        var shown = received is null ? "-" : received.Length > 80 ? $"{received.Length} chars, {(received == target ? "as sent" : "changed")}" : received;
        return new Observation($"{status} received={shown}", Probe.BodyKind(result.Answers.FirstOrDefault()?.Header("Content-Type"), result.Answers.FirstOrDefault()?.BodyText ?? ""));
    });

    /// <summary>Extra headers: the status and how many of them httpbin saw.</summary>
    private static ConformanceCase Headers(string name, IEnumerable<(string Name, string Value)> headers) => new("headers", name, async p =>
    {
        var list = headers.ToList();
        var text = string.Concat(list.Select(h => $"{h.Name}: {h.Value}\r\n"));
        var result = await RawExchange.SendAsync(p.Target.Address,
            $"GET /anything HTTP/1.1\r\nHost: {p.Target.Address.Authority}\r\nUser-Agent: {p.Marker}\r\n{text}Connection: close\r\n\r\n");
        var answer = result.Answers.FirstOrDefault();
        var seen = answer?.Status == 200 ? list.Count(h => answer.BodyText.Contains($"\"{h.Name}\":", StringComparison.OrdinalIgnoreCase)) : 0;
        return new Observation($"{(await Observe.DescribeAsync(p, result)).Answer} app saw {seen} of {list.Count}",
            answer is null ? null : Probe.BodyKind(answer.Header("Content-Type"), answer.BodyText));
    });
}
