using Ringway.Conformance.Tests.Infrastructure;

namespace Ringway.Conformance.Tests.Cases;

/// <summary>
/// Replicas that answer with a malformed response (two of them, so a retry shows): what the client gets, and how many
/// replicas were sent the request. nginx answers 502 and, as a malformed answer is not a connection failure, does not
/// try the next server (its default <c>proxy_next_upstream error timeout</c>). Ringway answers 502 too, after trying the next
/// replica: a GET without a body is repeated after an invalid response (<c>Forwarding:RetryIdempotentRequests</c>).
/// </summary>
internal static class MalformedResponseCases
{
    private const string Group = "malformed-response";

    public static IEnumerable<ConformanceCase> All =>
    [
        Case("header-without-colon", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nBroken header line\r\n\r\nok") with { NginxDifference = TriesNext },
        Case("broken-interim", "HTTP/1.1 103 Early Hints\r\nLink <a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") with { NginxDifference = TriesNext },
        Case("status-not-a-number", "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok") with
        {
            NginxDifference = "nginx takes a status line it cannot parse for an HTTP/0.9 answer and passes the replica's bytes on as they are, which no HTTP/1.1 client can read; Ringway calls it an invalid response (502) and, the request being a GET without a body, tries the next replica first.",
        },
        Case("content-length-not-a-number", "HTTP/1.1 200 OK\r\nContent-Length: two\r\n\r\nok") with
        {
            NginxDifference = "nginx 1.22 ignores a Content-Length that is not a number and reads the body until the replica closes; RFC 9112 section 6.3 makes an invalid Content-Length an unrecoverable error, which Ringway answers with 502.",
        },
    ];

    private const string TriesNext = "Both answer 502. Ringway first sends a GET without a body to the next replica, as nginx does with `proxy_next_upstream invalid_header` (not in its default): another replica may answer properly, and repeating such a request is harmless (`Forwarding:RetryIdempotentRequests`, on by default).";

    private static ConformanceCase Case(string name, string answer) => new(Group, name, async p =>
    {
        foreach (var replica in p.MalformedReplicas)
        {
            replica.Answer = answer;
            replica.ResetCount();
        }

        var result = await RawExchange.SendAsync(p.Target.Address, $"GET /malformed HTTP/1.1\r\nHost: {p.Target.Address.Authority}\r\nConnection: close\r\n\r\n");
        var status = result.Answers.FirstOrDefault() is { } first ? (first.Status == 0 ? "garbage" : first.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)) : "no answer";
        return new Observation($"{status}, sent to {p.MalformedReplicas.Sum(r => r.Requests)} replica(s)");
    })
    {
        Malformed = true,
    };
}
