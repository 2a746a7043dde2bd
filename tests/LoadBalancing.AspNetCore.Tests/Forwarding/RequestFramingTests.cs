using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;

/// <summary>
/// Requests whose framing the balancer cannot pass on (HTTP/1.0 with Transfer-Encoding, chunked twice, a coding before
/// chunked) are answered in the JSON shape and the connection closed, on both forwarders, before anything reaches a
/// replica, so nothing sent after them is read as a request; ordinary pipelined requests still reach it.
/// </summary>
public sealed class RequestFramingTests : BackendsPerTest
{
    private const string Hidden = "GET /whoami HTTP/1.1\r\nHost: lb\r\n\r\n";

    public RequestFramingTests()
        : base("A")
    {
    }

    [Theory]
    [InlineData(ReplicaForwarder.Yarp, 400, "POST /whoami HTTP/1.0\r\nHost: lb\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    [InlineData(ReplicaForwarder.Http1, 400, "POST /whoami HTTP/1.0\r\nHost: lb\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    [InlineData(ReplicaForwarder.Yarp, 400, "POST /whoami HTTP/1.0\r\nHost: lb\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")]
    [InlineData(ReplicaForwarder.Http1, 400, "POST /whoami HTTP/1.0\r\nHost: lb\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")]
    [InlineData(ReplicaForwarder.Yarp, 400, "POST /whoami HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n")]
    [InlineData(ReplicaForwarder.Http1, 400, "POST /whoami HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    [InlineData(ReplicaForwarder.Yarp, 501, "POST /whoami HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")]
    [InlineData(ReplicaForwarder.Http1, 501, "POST /whoami HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")]
    public async Task Forward_RefusedFramingWithRequestBehind_AnsweredAndClosedAndNothingReachesReplica(ReplicaForwarder forwarder, int status, string request)
    {
        var backend = Backends[0];
        await using var balancer = await TestBalancer.StartAsync(Backends, o => o.Forwarding.Forwarder = forwarder);

        var answers = await SendAndReadUntilClosedAsync(balancer.Address, request + Hidden);

        var answer = Assert.Single(answers);
        Assert.Equal(status, answer.Status);
        Assert.Equal("close", answer.Header("Connection"));
        using var json = JsonDocument.Parse(answer.Body);
        Assert.Equal("failure", json.RootElement.GetProperty("status").GetString());
        Assert.StartsWith("<Error> The request's framing is refused: ", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, backend.Requests);
    }

    /// <summary>
    /// Content-Length with chunked: Kestrel drops the Content-Length and closes after the request, so the replica gets the
    /// chunked body alone and the bytes behind it are never read (the forwarding RFC 9112 section 6.3 allows; nginx answers 400).
    /// </summary>
    [Theory]
    [InlineData(ReplicaForwarder.Yarp)]
    [InlineData(ReplicaForwarder.Http1)]
    public async Task Forward_ContentLengthWithChunked_ForwardedAsChunkedOnlyAndConnectionClosed(ReplicaForwarder forwarder)
    {
        var backend = Backends[0];
        await using var balancer = await TestBalancer.StartAsync(Backends, o => o.Forwarding.Forwarder = forwarder);

        var answers = await SendAndReadUntilClosedAsync(
            balancer.Address, "POST /headers HTTP/1.1\r\nHost: lb\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Hidden);

        var answer = Assert.Single(answers);
        Assert.Equal(200, answer.Status);
        var seen = JsonSerializer.Deserialize<Dictionary<string, string>>(answer.Body)!;
        Assert.False(seen.ContainsKey("Content-Length"), answer.Body);
        Assert.Equal("chunked", seen["Transfer-Encoding"]);
        Assert.Equal(1, backend.Requests);
    }

    /// <summary>The same connections without the ambiguity: every request reaches the replica, so the test above can see one that does.</summary>
    [Theory]
    [InlineData(ReplicaForwarder.Yarp, "POST /whoami HTTP/1.0\r\nHost: lb\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc")]
    [InlineData(ReplicaForwarder.Http1, "POST /whoami HTTP/1.0\r\nHost: lb\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc")]
    [InlineData(ReplicaForwarder.Yarp, "POST /whoami HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")]
    [InlineData(ReplicaForwarder.Http1, "POST /whoami HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")]
    public async Task Forward_UnambiguousFramingWithRequestBehind_BothReachReplica(ReplicaForwarder forwarder, string request)
    {
        var backend = Backends[0];
        await using var balancer = await TestBalancer.StartAsync(Backends, o => o.Forwarding.Forwarder = forwarder);

        var answers = await SendAndReadUntilClosedAsync(balancer.Address, request + Hidden.Replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n", StringComparison.Ordinal));

        Assert.Equal([200, 200], answers.Select(a => a.Status));
        Assert.Equal(["A", "A"], answers.Select(a => a.Body));
        Assert.Equal(2, backend.Requests);
    }

    /// <summary>Sends the bytes at once and parses every Content-Length-framed response until the server closes.</summary>
    private static async Task<List<Answer>> SendAndReadUntilClosedAsync(Uri address, string bytes)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(bytes));
        // Reading to the end proves the server closed the connection; a kept-open one fails here after the timeout.
        var received = Encoding.ASCII.GetString(await new RawReader(stream).ReadToEndAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        var answers = new List<Answer>();
        var position = 0;
        while (position < received.Length)
        {
            var headEnd = received.IndexOf("\r\n\r\n", position, StringComparison.Ordinal);
            var head = received[position..headEnd].Split("\r\n");
            var headers = head.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
            var length = int.Parse(headers["Content-Length"], System.Globalization.CultureInfo.InvariantCulture);
            answers.Add(new Answer(int.Parse(head[0].AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture), headers, received.Substring(headEnd + 4, length)));
            position = headEnd + 4 + length;
        }

        return answers;
    }

    private sealed record Answer(int Status, Dictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.GetValueOrDefault(name);
    }
}
