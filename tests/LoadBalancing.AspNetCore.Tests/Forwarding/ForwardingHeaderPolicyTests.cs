using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;

/// <summary>
/// The same header cases through both forwarders, from a raw client (so the exact header lines are sent) to a real
/// Kestrel replica that reports what it received: each forwarder must give the expected headers, and both the same.
/// </summary>
public sealed class ForwardingHeaderPolicyTests : BackendsPerTest
{
    public ForwardingHeaderPolicyTests()
        : base("A")
    {
    }

    /// <summary>Case name -> the client's header lines, what must arrive (null: must not arrive).</summary>
    private static readonly Dictionary<string, (string[] Sent, Dictionary<string, string?> Expected)> Cases = new()
    {
        ["connection-listed"] = (["Connection: X-Drop-Me", "X-Drop-Me: 1", "X-Kept: 2"], new() { ["X-Drop-Me"] = null, ["X-Kept"] = "2", ["Connection"] = null }),
        // Kestrel reduces these Connection values to their one option; the names come from the endpoint's capture.
        ["connection-listed-after-keep-alive"] = (["Connection: keep-alive, X-Hop", "X-Hop: 1", "X-Kept: 2"], new() { ["X-Hop"] = null, ["X-Kept"] = "2", ["Connection"] = null }),
        ["connection-listed-before-close"] = (["Connection: X-Hop,close", "X-Hop: 1"], new() { ["X-Hop"] = null }),
        ["connection-listed-on-a-second-line"] = (["Connection: keep-alive", "Connection: X-Hop", "X-Hop: 1"], new() { ["X-Hop"] = null }),
        ["connection-several-tokens-and-lines"] = (["Connection: X-A,X-B ,\tX-C", "Connection: X-D", "X-A: 1", "X-B: 2", "X-C: 3", "X-D: 4", "X-E: 5"],
            new() { ["X-A"] = null, ["X-B"] = null, ["X-C"] = null, ["X-D"] = null, ["X-E"] = "5" }),
        ["connection-with-non-token"] = (["Connection: X-A, not a token, ,", "X-A: 1", "X-Not: 2"], new() { ["X-A"] = null, ["X-Not"] = "2" }),
        ["hop-by-hop"] = (["Keep-Alive: timeout=5", "Proxy-Connection: keep-alive", "TE: trailers", "Upgrade-Insecure-Requests: 1", "Trailer: X-T",
            "Proxy-Authorization: Basic eA==", "Alt-Svc: clear", "HTTP2-Settings: AAA"],
            new()
            {
                ["Keep-Alive"] = null,
                ["Proxy-Connection"] = null,
                ["TE"] = null,
                ["Upgrade-Insecure-Requests"] = null,
                ["Trailer"] = null,
                ["Proxy-Authorization"] = null,
                ["Alt-Svc"] = null,
                ["HTTP2-Settings"] = null
            }),
        ["client-host"] = (["X-Case: host"], new() { ["Host"] = "shop.example", ["X-Forwarded-Host"] = "shop.example" }),
        ["end-to-end"] = (["X-Custom: kept", "Cookie: a=1", "Cookie: b=2", "Accept: text/plain", "User-Agent: raw/1.0"],
            new() { ["X-Custom"] = "kept", ["Cookie"] = "a=1; b=2", ["Accept"] = "text/plain", ["User-Agent"] = "raw/1.0" }),
        // The client is no known proxy (none is configured): what it claims is replaced by what the balancer saw.
        ["forwarded-sent-by-client"] = (["X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.invalid"],
            new() { ["X-Forwarded-For"] = "127.0.0.1", ["X-Forwarded-Proto"] = "http", ["X-Forwarded-Host"] = "shop.example" }),
        ["forwarded-sent-twice-by-client"] = (["X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 198.51.100.1, 192.0.2.9"],
            new() { ["X-Forwarded-For"] = "127.0.0.1" }),
        ["forwarded-none-sent"] = ([], new() { ["X-Forwarded-For"] = "127.0.0.1", ["X-Forwarded-Proto"] = "http", ["X-Forwarded-Host"] = "shop.example" }),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Forward_HeaderCase_ExpectedAndSameThroughBothForwarders(string name)
    {
        var (sent, expected) = Cases[name];
        var received = new Dictionary<ReplicaForwarder, Dictionary<string, string>>();
        foreach (var forwarder in new[] { ReplicaForwarder.Yarp, ReplicaForwarder.Http1 })
        {
            await using var balancer = await TestBalancer.StartAsync(Backends, o => o.Forwarding.Forwarder = forwarder);
            var headers = await SendAsync(balancer, sent);
            foreach (var (header, value) in expected)
            {
                Assert.True(
                    value is null ? !headers.ContainsKey(header) : headers.GetValueOrDefault(header) == value,
                    $"{forwarder}: {header} should be {value ?? "absent"}, was {headers.GetValueOrDefault(header) ?? "absent"}");
            }

            received[forwarder] = headers;
        }

        Assert.Equal(Format(received[ReplicaForwarder.Yarp]), Format(received[ReplicaForwarder.Http1]));

        static string Format(Dictionary<string, string> headers)
            => string.Join("\n", headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(h => $"{h.Key.ToLowerInvariant()}: {h.Value}"));
    }

    [Theory]
    [InlineData(ReplicaForwarder.Yarp, "proxy", "127.0.0.1", true)]
    [InlineData(ReplicaForwarder.Http1, "proxy", "127.0.0.1", true)]
    [InlineData(ReplicaForwarder.Yarp, "network", "127.0.0.0/8", true)]
    [InlineData(ReplicaForwarder.Http1, "network", "127.0.0.0/8", true)]
    [InlineData(ReplicaForwarder.Yarp, "proxy", "10.1.2.3", false)]
    [InlineData(ReplicaForwarder.Http1, "network", "::1/128", false)]
    public async Task Forward_ForwardedHeadersFromKnownProxy_KeptWithBalancerEntryAppended(ReplicaForwarder forwarder, string kind, string known, bool trusted)
    {
        await using var balancer = await TestBalancer.StartAsync(Backends, o =>
        {
            o.Forwarding.Forwarder = forwarder;
            (kind == "proxy" ? o.Forwarding.KnownProxies : o.Forwarding.KnownNetworks).Add(known);
        });
        var headers = await SendAsync(balancer, ["X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: https", "X-Forwarded-Host: public.example"]);

        Assert.Equal(trusted ? "203.0.113.7, 127.0.0.1" : "127.0.0.1", headers["X-Forwarded-For"]);
        Assert.Equal(trusted ? "https, http" : "http", headers["X-Forwarded-Proto"]);
        Assert.Equal(trusted ? "public.example, shop.example" : "shop.example", headers["X-Forwarded-Host"]);
    }

    [Theory]
    [InlineData(ReplicaForwarder.Yarp)]
    [InlineData(ReplicaForwarder.Http1)]
    public async Task Forward_ResponseHopByHopHeaders_NotPassedToClient(ReplicaForwarder forwarder)
    {
        await using var replica = new RawReplica(_ => RawAnswer.Of(
            "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Resp-Hop\r\nX-Resp-Hop: 1\r\nKeep-Alive: timeout=5\r\nTrailer: X-T\r\n"
            + "Proxy-Authenticate: Basic\r\nX-Kept: 2\r\nContent-Length: 2\r\n\r\nok"));
        await using var balancer = await TestBalancer.StartAsync(
            b => b.AddStaticReplicas([replica.Address.ToString()]),
            o =>
            {
                o.Forwarding.Forwarder = forwarder;
                o.Health.Interval = TimeSpan.FromHours(1);
            });

        using var response = await balancer.Client.GetAsync("/response");
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal("2", response.Headers.GetValues("X-Kept").Single());
        foreach (var hop in new[] { "X-Resp-Hop", "Keep-Alive", "Trailer", "Proxy-Authenticate" })
        {
            Assert.False(response.Headers.Contains(hop), $"{forwarder}: {hop} reached the client");
        }
    }

    /// <summary>Sends <c>GET /headers</c> with the given lines (Host: shop.example unless given) and returns the headers the replica received.</summary>
    private static async Task<Dictionary<string, string>> SendAsync(TestBalancer balancer, string[] lines)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, balancer.Address.Port);
        var stream = client.GetStream();
        var head = new StringBuilder("GET /headers HTTP/1.1\r\n");
        if (!lines.Any(l => l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase)))
        {
            head.Append("Host: shop.example\r\n");
        }

        foreach (var line in lines)
        {
            head.Append(line).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.Append("\r\n").ToString()));
        var response = await new RawReader(stream).ReadRequestAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(response);
        Assert.StartsWith("HTTP/1.1 200 ", response.Head, StringComparison.Ordinal);
        var json = JsonSerializer.Deserialize<Dictionary<string, string>>(response.Body)!;
        return new Dictionary<string, string>(json, StringComparer.OrdinalIgnoreCase);
    }
}
