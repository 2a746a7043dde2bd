using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding.Http1;

/// <summary>
/// The lean HTTP/1.1 forwarder (<see cref="ReplicaForwarder.Http1"/>) against a hand-written replica: what it parses
/// (Content-Length, chunked, close-delimited bodies, interim responses), connection reuse, pipelined clients and
/// malformed responses. The routing and forwarding behaviour it shares with the YARP path is covered by running the
/// whole test assembly with it switched on (<see cref="Http1ForwarderSwitch"/>).
/// </summary>
public sealed class Http1ReplicaForwarderTests
{
    private static Task<TestBalancer> StartBalancerAsync(RawReplica replica, Action<ConsistentHashBalancerOptions>? configure = null)
        => TestBalancer.StartAsync(
            b => b.AddStaticReplicas([replica.Address.ToString()]),
            o =>
            {
                o.Forwarding.Forwarder = ReplicaForwarder.Http1;
                o.Health.Interval = TimeSpan.FromHours(1);
                configure?.Invoke(o);
            });

    /// <summary>Heartbeats get an empty 200; everything else the test's answer.</summary>
    private static RawReplica Replica(Func<RawRequest, RawAnswer> answer)
        => new(r => r.Target.StartsWith("/heartbeat", StringComparison.Ordinal) ? RawAnswer.Of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") : answer(r));

    private static List<RawRequest> Forwarded(RawReplica replica)
    {
        lock (replica.Requests)
        {
            return replica.Requests.Where(r => !r.Target.StartsWith("/heartbeat", StringComparison.Ordinal)).ToList();
        }
    }

    [Fact]
    public async Task Forward_ChunkedResponseWithExtensionsAndTrailers_BodyPassedThroughAndConnectionReused()
    {
        await using var replica = Replica(_ => new RawAnswer(
        [
            Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Custom: yes\r\n\r\n5;name=value\r\nhel"),
            Encoding.ASCII.GetBytes("lo\r\n7\r\n, world\r\nA\r\n from raw!\r\n0\r\nX-Trailer: dropped\r\n\r\n"),
        ]));
        await using var balancer = await StartBalancerAsync(replica);

        for (var i = 0; i < 3; i++)
        {
            using var response = await balancer.Client.GetAsync($"/chunked?i={i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("yes", response.Headers.GetValues("X-Custom").Single());
            Assert.Equal("hello, world from raw!", await response.Content.ReadAsStringAsync());
        }

        var forwarded = Forwarded(replica);
        Assert.Equal(3, forwarded.Count);
        Assert.Single(forwarded.Select(r => r.Connection).Distinct());
    }

    [Fact]
    public async Task Forward_ContentLengthResponses_SentOverOneKeptAliveConnection()
    {
        await using var replica = Replica(r => RawAnswer.Of($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {r.Target.Length}\r\n\r\n{r.Target}"));
        await using var balancer = await StartBalancerAsync(replica);

        for (var i = 0; i < 5; i++)
        {
            using var response = await balancer.Client.GetAsync($"/item/{i}?q=a%20b");
            Assert.Equal($"/item/{i}?q=a%20b", await response.Content.ReadAsStringAsync());
            Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        }

        var forwarded = Forwarded(replica);
        Assert.Equal(5, forwarded.Count);
        Assert.Single(forwarded.Select(r => r.Connection).Distinct());
    }

    [Fact]
    public async Task Forward_ResponseWithoutLengthClosedByReplica_BodyReadUntilClose()
    {
        await using var replica = Replica(r => RawAnswer.Of($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close {r.Target}", close: true));
        await using var balancer = await StartBalancerAsync(replica);

        using var first = await balancer.Client.GetAsync("/a");
        Assert.Equal("until close /a", await first.Content.ReadAsStringAsync());
        using var second = await balancer.Client.GetAsync("/b");
        Assert.Equal("until close /b", await second.Content.ReadAsStringAsync());

        var forwarded = Forwarded(replica);
        Assert.Equal(2, forwarded.Select(r => r.Connection).Distinct().Count());
    }

    [Fact]
    public async Task Forward_InterimResponse_SkippedAndFinalResponsePassedThrough()
    {
        await using var replica = Replica(_ => RawAnswer.Of("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"));
        await using var balancer = await StartBalancerAsync(replica);

        using var response = await balancer.Client.GetAsync("/interim");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(response.Headers.Contains("Link"));
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Forward_HeadWithContentLength_NoBodyExpectedAndConnectionReused()
    {
        await using var replica = Replica(r => r.RequestLine.StartsWith("HEAD", StringComparison.Ordinal)
            ? RawAnswer.Of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
            : RawAnswer.Of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
        await using var balancer = await StartBalancerAsync(replica);

        using var head = await balancer.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/h"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(5, head.Content.Headers.ContentLength);
        using var get = await balancer.Client.GetAsync("/h");
        Assert.Equal("hello", await get.Content.ReadAsStringAsync());
        Assert.Single(Forwarded(replica).Select(r => r.Connection).Distinct());
    }

    [Fact]
    public async Task Forward_RequestBodies_ContentLengthAndChunkedForwardedWithHeaders()
    {
        await using var replica = Replica(r => RawAnswer.Of($"HTTP/1.1 200 OK\r\nContent-Length: {r.Body.Length}\r\n\r\n{Encoding.Latin1.GetString(r.Body)}"));
        await using var balancer = await StartBalancerAsync(replica);
        var payload = string.Concat(Enumerable.Repeat("0123456789abcdef", 4096)); // 64 KiB: several reads and chunks

        using var sized = await balancer.Client.PostAsync("/upload?kind=sized", new StringContent(payload));
        Assert.Equal(payload, await sized.Content.ReadAsStringAsync());
        using var chunkedContent = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(payload)));
        using var chunkedRequest = new HttpRequestMessage(HttpMethod.Post, "/upload?kind=chunked") { Content = chunkedContent };
        chunkedRequest.Headers.TransferEncodingChunked = true;
        using var chunked = await balancer.Client.SendAsync(chunkedRequest);
        Assert.Equal(payload, await chunked.Content.ReadAsStringAsync());

        var forwarded = Forwarded(replica);
        Assert.Equal("POST /upload?kind=sized HTTP/1.1", forwarded[0].RequestLine);
        Assert.False(forwarded[0].Chunked);
        Assert.Equal(payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), forwarded[0].Header("Content-Length"));
        Assert.Equal("POST /upload?kind=chunked HTTP/1.1", forwarded[1].RequestLine);
        Assert.True(forwarded[1].Chunked);
        Assert.Null(forwarded[1].Header("Content-Length"));
        foreach (var request in forwarded)
        {
            Assert.Equal(balancer.Address.Authority, request.Header("Host")); // the client's Host, as the YARP path sends it
            Assert.Equal("127.0.0.1", request.Header("X-Forwarded-For"));
            Assert.Equal("http", request.Header("X-Forwarded-Proto"));
            Assert.Equal(balancer.Address.Authority, request.Header("X-Forwarded-Host"));
            Assert.Single(request.Head.Split("\r\n"), l => l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task Forward_ClientPipelinesRequests_AnsweredInOrder()
    {
        await using var replica = Replica(r => RawAnswer.Of($"HTTP/1.1 200 OK\r\nContent-Length: {r.Target.Length}\r\n\r\n{r.Target}"));
        await using var balancer = await StartBalancerAsync(replica);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, balancer.Address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "GET /one HTTP/1.1\r\nHost: lb\r\n\r\nPOST /two HTTP/1.1\r\nHost: lb\r\nContent-Length: 3\r\n\r\nabcGET /three HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n"));
        var text = Encoding.ASCII.GetString(await new RawReader(stream).ReadToEndAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        var bodies = text.Split("HTTP/1.1 200 OK").Skip(1).Select(r => r[(r.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]).ToArray();
        Assert.Equal(["/one", "/two", "/three"], bodies);
    }

    [Theory]
    [InlineData("/status/401", "HTTP/1.1 401 ")] // answers without reading the body
    [InlineData("/limited", "HTTP/1.1 413 ")]   // Kestrel's answer to a body over the replica's limit, then it closes
    public async Task Forward_ReplicaAnswersBeforeUploadEnds_AnswerReachesClientBeforeTheRestIsSent(string path, string expected)
    {
        var backend = await TestBackend.StartAsync("X");
        await using var _ = backend;
        await using var balancer = await TestBalancer.StartAsync([backend], o =>
        {
            o.Forwarding.Forwarder = ReplicaForwarder.Http1;
            o.Health.Interval = TimeSpan.FromHours(1);
        });

        // The client announces 100,000 bytes, sends 2,000 and waits: only an answer forwarded while the upload is still
        // under way can reach it.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, balancer.Address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: lb\r\nContent-Length: 100000\r\n\r\n"));
        await stream.WriteAsync(new byte[2000]);
        var reader = new RawReader(stream);
        var head = await reader.ReadUntilAsync("\r\n\r\n"u8.ToArray(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.StartsWith(expected, Encoding.ASCII.GetString(head ?? []), StringComparison.Ordinal);

        // The client's connection stays usable: the balancer's server reads and drops the rest of the upload (it can only
        // if the forwarder left the request body in a readable state) and then serves the next request on it.
        await stream.WriteAsync(new byte[98_000]);
        await stream.WriteAsync("GET /whoami HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n"u8.ToArray());
        var rest = Encoding.ASCII.GetString(await reader.ReadToEndAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("HTTP/1.1 200 OK", rest, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nX", rest, StringComparison.Ordinal);

        // The balancer goes on working with that replica.
        Assert.Equal("X", await balancer.Client.GetStringAsync("/whoami"));
        using var upload = await balancer.Client.PostAsync("/echo", new ByteArrayContent(new byte[5000]));
        Assert.Equal(5000, (await upload.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Forward_ReplicaAnswersThenStopsReading_StalledUploadAbandonedAndClientAnswered()
    {
        // A replica that reads the request head, waits a second and answers 401, never reading the body nor closing: by then
        // the forwarder's writes of a 64 MB upload stall on full socket buffers (the replica's kept small), and they must
        // be abandoned once the answer has gone out, not left hanging until the response timeout.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Server.ReceiveBufferSize = 64 * 1024; // accepted sockets inherit it
        listener.Start();
        using var stop = new CancellationTokenSource();
        var replica = Task.Run(async () =>
        {
            var connections = new List<TcpClient>();
            try
            {
                while (true)
                {
                    var connection = await listener.AcceptTcpClientAsync(stop.Token);
                    connections.Add(connection);
                    var stream = connection.GetStream();
                    var head = Encoding.ASCII.GetString(await new RawReader(stream).ReadUntilAsync("\r\n\r\n"u8.ToArray(), stop.Token) ?? []);
                    var heartbeat = head.StartsWith("GET /heartbeat", StringComparison.Ordinal);
                    await Task.Delay(heartbeat ? TimeSpan.Zero : TimeSpan.FromSeconds(1), stop.Token);
                    var answer = heartbeat ? "HTTP/1.1 200 OK" : "HTTP/1.1 401 Unauthorized";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(answer + "\r\nContent-Length: 0\r\n\r\n"), stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                connections.ForEach(c => c.Dispose());
            }
        });

        await using (var balancer = await TestBalancer.StartAsync(
            b => b.AddStaticReplicas([$"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/"]),
            o =>
            {
                o.Forwarding.Forwarder = ReplicaForwarder.Http1;
                o.Health.Interval = TimeSpan.FromHours(1);
                o.Forwarding.ResponseTimeout = TimeSpan.FromSeconds(60);
            }))
        {
            using var response = await balancer.Client.PostAsync("/upload", new ByteArrayContent(new byte[64_000_000])).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

            // The balancer's server read and dropped the rest of the client's upload, so the client's connection served
            // the answer whole; the next request is answered too (by a new connection to the replica).
            using var next = await balancer.Client.PostAsync("/upload", new ByteArrayContent(new byte[10])).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.Unauthorized, next.StatusCode);
        }

        await stop.CancelAsync();
        await replica;
    }

    [Theory]
    [InlineData("HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Header\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n")]
    [InlineData("")]
    public async Task Forward_MalformedResponse_Returns502Json(string answer)
    {
        await using var replica = Replica(_ => RawAnswer.Of(answer, close: true));
        await using var balancer = await StartBalancerAsync(replica);

        using var response = await balancer.Client.GetAsync("/malformed").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("failure", json.RootElement.GetProperty("status").GetString());
        Assert.StartsWith("<Error> ", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_ReplicaClosesMidBody_ClientResponseAborted()
    {
        await using var replica = Replica(_ => new RawAnswer(
            [Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"), new byte[1000]], Close: true)
        {
            PauseBetweenParts = TimeSpan.FromMilliseconds(50),
        });
        await using var balancer = await StartBalancerAsync(replica);

        using var response = await balancer.Client.GetAsync("/cut", HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var error = await Record.ExceptionAsync(() => response.Content.ReadAsByteArrayAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(error is HttpRequestException or IOException, $"expected an aborted response, got {error?.GetType().Name ?? "a complete body"}");
    }

    [Fact]
    public async Task Forward_ReplicaClosedKeptAliveConnection_RequestRetriedOnNewConnection()
    {
        // Answers every request and then closes without saying so: the pooled connection is stale for the next one.
        await using var replica = Replica(r => new RawAnswer([Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {r.Target.Length}\r\n\r\n{r.Target}")], Close: true));
        await using var balancer = await StartBalancerAsync(replica, o => o.Forwarding.MaxAttempts = 1);

        for (var i = 0; i < 3; i++)
        {
            using var response = await balancer.Client.GetAsync($"/stale/{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"/stale/{i}", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Forward_ReplicaSilent_Returns504Json()
    {
        await using var replica = Replica(_ => new RawAnswer([Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n"), Encoding.ASCII.GetBytes("Content-Length: 0\r\n\r\n")])
        {
            PauseBetweenParts = TimeSpan.FromSeconds(5),
        });
        await using var balancer = await StartBalancerAsync(replica, o => o.Forwarding.ResponseTimeout = TimeSpan.FromMilliseconds(300));

        using var response = await balancer.Client.GetAsync("/silent");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }

    [Theory]
    [InlineData(ReplicaForwarder.Http1, "Everything Fine", "Everything Fine")]
    [InlineData(ReplicaForwarder.Yarp, "Everything Fine", "Everything Fine")]
    [InlineData(ReplicaForwarder.Http1, "", "OK")]
    [InlineData(ReplicaForwarder.Yarp, "", "OK")]
    [InlineData(ReplicaForwarder.Http1, "Tr\u00e8s bien", "OK")] // not plain ASCII: the standard phrase instead
    public async Task Forward_ReasonPhrase_PassedThroughLikeYarp(ReplicaForwarder forwarder, string sent, string expected)
    {
        await using var replica = Replica(_ => RawAnswer.Of($"HTTP/1.1 200 {sent}\r\nContent-Length: 2\r\n\r\nok"));
        await using var balancer = await StartBalancerAsync(replica, o => o.Forwarding.Forwarder = forwarder);

        using var response = await balancer.Client.GetAsync("/reason");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.ReasonPhrase);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(ReplicaForwarder.Http1)]
    [InlineData(ReplicaForwarder.Yarp)]
    public async Task Forward_ResponseHeadOver16KiB_PassedThroughUpTo64KiB(ReplicaForwarder forwarder)
    {
        var big = new string('a', 40 * 1024);
        await using var replica = Replica(r => RawAnswer.Of(
            r.Target == "/big" ? $"HTTP/1.1 200 OK\r\nX-Big: {big}\r\nContent-Length: 2\r\n\r\nok"
                : $"HTTP/1.1 200 OK\r\nX-Huge: {new string('b', 70 * 1024)}\r\nContent-Length: 2\r\n\r\nok"));
        await using var balancer = await StartBalancerAsync(replica, o => o.Forwarding.Forwarder = forwarder);

        // Twice over one pooled connection: the grown buffer keeps working for the next response.
        for (var i = 0; i < 2; i++)
        {
            using var response = await balancer.Client.GetAsync("/big");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(big, Assert.Single(response.Headers.GetValues("X-Big")));
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }

        using var tooLarge = await balancer.Client.GetAsync("/huge");
        Assert.Equal(HttpStatusCode.BadGateway, tooLarge.StatusCode);
        Assert.Equal("application/json", tooLarge.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Forward_SlowUploadLongerThanResponseTimeout_NotCutOff()
    {
        await using var replica = Replica(r => RawAnswer.Of($"HTTP/1.1 200 OK\r\nContent-Length: {r.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length}\r\n\r\n{r.Body.Length}"));
        await using var balancer = await StartBalancerAsync(replica, o => o.Forwarding.ResponseTimeout = TimeSpan.FromSeconds(2));

        // Ten pieces 300 ms apart: 3 s in all, but never 2 s without activity (the 1.7 s margin absorbs a busy CI machine
        // stretching a pause; a timeout that counted from the start would still cut the upload off).
        using var response = await balancer.Client.PostAsync("/upload", new TricklingContent(10, 1000, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("10000", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Forward_ChunkedUploadEndingLate_ReplicaGetsFullTimeoutAfterRequestSent()
    {
        // The client's end of body comes 2 s after its only data, and the replica answers 2 s after that. Counted from the
        // last data, that is 4 s, over the 3 s timeout; counted from the end of the request, 2 s. Each side has 1 s of
        // margin for a busy CI machine.
        await using var replica = Replica(r => new RawAnswer(
            [[], Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {r.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length}\r\n\r\n{r.Body.Length}")])
        {
            PauseBetweenParts = TimeSpan.FromSeconds(2),
        });
        await using var balancer = await StartBalancerAsync(replica, o => o.Forwarding.ResponseTimeout = TimeSpan.FromSeconds(3));

        using var response = await balancer.Client.PostAsync("/upload", new TricklingContent(1, 1000, TimeSpan.FromSeconds(2), chunked: true));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1000", await response.Content.ReadAsStringAsync());
    }

    private sealed class TricklingContent(int pieces, int size, TimeSpan pause, bool chunked = false) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var i = 0; i < pieces; i++)
            {
                await stream.WriteAsync(new byte[size]);
                await stream.FlushAsync();
                await Task.Delay(pause);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = (long)pieces * size;
            return !chunked;
        }
    }
}
