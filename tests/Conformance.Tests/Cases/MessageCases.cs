using System.Text;
using Ringway.Conformance.Tests.Infrastructure;

namespace Ringway.Conformance.Tests.Cases;

/// <summary>Methods with bodies, uploads (chunked, 100-continue, large, over the limit), large and streamed responses.</summary>
internal static class MessageCases
{
    private const string Group = "messages";

    public static IEnumerable<ConformanceCase> All =>
    [
        new(Group, "post-text", p => Observe.EchoAsync(p, p.Request(HttpMethod.Post, "/anything", Probe.Text("hello world")),
            "method", "data", "headers.Content-Type", "headers.Content-Length")),
        new(Group, "put-json", p => Observe.EchoAsync(p, p.Request(HttpMethod.Put, "/anything", Probe.Text("{\"a\": [1, 2]}", "application/json")),
            "method", "json", "headers.Content-Length")),
        new(Group, "patch-form", p => Observe.EchoAsync(p, p.Request(HttpMethod.Patch, "/anything", new FormUrlEncodedContent([new("a", "1"), new("b", "x y")])),
            "method", "form")),
        new(Group, "delete-with-body", p => Observe.EchoAsync(p, p.Request(HttpMethod.Delete, "/anything", Probe.Text("gone")),
            "method", "data")),
        new(Group, "options", p => Observe.HeadersAsync(p, p.Request(HttpMethod.Options, "/get"), "Allow")),
        new(Group, "upload-chunked", p =>
        {
            var request = p.Request(HttpMethod.Post, "/anything", new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(new string('c', 100_000)))));
            request.Headers.TransferEncodingChunked = true;
            return Observe.EchoAsync(p, request, "data", "headers.Transfer-Encoding", "headers.Content-Length");
        }),
        new(Group, "upload-5mb", p => Observe.EchoAsync(p, p.Request(HttpMethod.Post, "/anything", Probe.Text(new string('u', 5 * 1024 * 1024))),
            "data", "headers.Content-Length")),
        new(Group, "upload-100-continue", async p =>
        {
            // Headers first; the body follows the 100 Continue, or after two seconds without one, as curl does.
            var result = await RawExchange.SendExpectingContinueAsync(
                p.Target.Address,
                $"POST /anything HTTP/1.1\r\nHost: {p.Target.Address.Authority}\r\nUser-Agent: {p.Marker}\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n",
                "hello",
                TimeSpan.FromSeconds(2));
            var echo = result.Answers.LastOrDefault()?.BodyText ?? "";
            return new Observation($"{(result.Interim.Count == 0 ? "no 100, " : "")}{(await Observe.DescribeAsync(p, result)).Answer} " +
                                   $"data={(echo.Contains("\"data\":\"hello\"", StringComparison.Ordinal) ? "hello" : "-")}");
        }),
        new(Group, "upload-over-limit", async p =>
        {
            // 31 MB announced, only the head and a little body sent: a proxy with a 30 MB limit answers at once.
            var result = await RawExchange.SendAsync(p.Target.Address,
                $"POST /anything HTTP/1.1\r\nHost: {p.Target.Address.Authority}\r\nUser-Agent: {p.Marker}\r\nContent-Length: 31000000\r\n\r\n{new string('x', 1000)}");
            return await Observe.DescribeAsync(p, result);
        })
        {
            NginxDifference = "Both answer 413 at once. nginx then keeps the connection and discards the announced body as it arrives; Kestrel closes the connection rather than read 31 MB it will not use.",
            RingwayBody = "json",
        },
        new(Group, "response-100kb", p => Observe.DigestAsync(p, p.Request(HttpMethod.Get, "/bytes/102400?seed=7"))),
        new(Group, "response-chunked-100kb", p => Observe.DigestAsync(p, p.Request(HttpMethod.Get, "/stream-bytes/102400?seed=7&chunk_size=4096"))),
        new(Group, "response-5mb-echo", p => Observe.EchoAsync(p, p.Request(HttpMethod.Post, "/anything", Probe.Text(new string('r', 5 * 1024 * 1024))), "data")),
        new(Group, "response-streamed", p => Observe.StreamingAsync(p, p.Request(HttpMethod.Get, "/drip?duration=3&numbytes=6&delay=0&code=200"))),
        new(Group, "response-stream-lines", async p =>
        {
            using var response = await p.Client.SendAsync(p.Request(HttpMethod.Get, "/stream/20"));
            var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return new Observation($"{(int)response.StatusCode} {lines.Length} lines, chunked={response.Headers.TransferEncodingChunked == true}");
        }),
    ];
}
