using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Http;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;

public sealed class ForwardingTests : BackendsPerTest
{
    public ForwardingTests()
        : base("A", "B", "C")
    {
    }

    [Fact]
    public async Task Forward_SameKey_SameReplicaAcrossRequestsAndBalancers()
    {
        await using var first = await TestBalancer.StartAsync(Backends, o => o.Keys.Sources.Add("query:key"));
        await using var second = await TestBalancer.StartAsync(Backends.Reverse(), o => o.Keys.Sources.Add("query:key"));
        var seen = new HashSet<string>();
        for (var i = 0; i < 60; i++)
        {
            var key = $"user-{i}";
            var a1 = await first.Client.GetStringAsync($"/whoami?key={key}");
            var a2 = await first.Client.GetStringAsync($"/whoami?key={key}");
            var b = await second.Client.GetStringAsync($"/whoami?key={key}");
            Assert.Equal(a1, a2);
            Assert.Equal(a1, b);
            seen.Add(a1);
        }

        Assert.Equal(3, seen.Count); // 60 keys over 3 replicas reach them all; a constant answer would not.
    }

    [Fact]
    public async Task Forward_AllMethods_PassedThrough()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends);
        foreach (var method in new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), "/whoami");
            using var response = await balancer.Client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method}: {(int)response.StatusCode}");
            Assert.Contains(await response.Content.ReadAsStringAsync(), new[] { "A", "B", "C" });
        }

        using var head = await balancer.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/whoami"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Fact]
    public async Task Forward_StatusCodesAndResponseHeaders_PassedThroughWithoutHopByHop()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends);
        using var created = await balancer.Client.GetAsync("/response-headers");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("custom-value", created.Headers.GetValues("X-Custom").Single());
        Assert.Equal("a=1", created.Headers.GetValues("Set-Cookie").Single());
        Assert.False(created.Headers.Contains("Keep-Alive"));

        using var teapot = await balancer.Client.GetAsync("/status/418");
        Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
        using var notFound = await balancer.Client.GetAsync("/status/404");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode); // the 404 -> 400 mapping is off by default
    }

    [Fact]
    public async Task Forward_RequestHeaders_CopiedExceptHopByHop_ForwardedReplaced()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        request.Headers.TryAddWithoutValidation("X-Custom", "kept");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
        request.Headers.TryAddWithoutValidation("Connection", "X-Drop-Me");
        request.Headers.TryAddWithoutValidation("X-Drop-Me", "listed in Connection");
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=5");
        request.Headers.TryAddWithoutValidation("Proxy-Connection", "keep-alive");
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        using var response = await balancer.Client.SendAsync(request);
        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync())!;
        var received = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);

        Assert.Equal("kept", received["X-Custom"]);
        Assert.Equal("127.0.0.1", received["X-Forwarded-For"]); // the client is no known proxy: its value is replaced
        Assert.Equal("http", received["X-Forwarded-Proto"]);
        Assert.Equal(balancer.Address.Authority, received["X-Forwarded-Host"]);
        Assert.DoesNotContain("Keep-Alive", received.Keys, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("Proxy-Connection", received.Keys, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("X-Drop-Me", received.Keys, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("TE", received.Keys, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Forward_ClientHost_ReachesReplicaSoAbsoluteRedirectsPointAtTheBalancer()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends);
        using var redirect = await balancer.Client.GetAsync("/redirect-absolute");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        // Built by the replica from the Host it received: the balancer's, not the replica's own address.
        Assert.Equal($"http://{balancer.Address.Authority}/target", redirect.Headers.Location?.ToString());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        request.Headers.Host = "shop.example";
        using var response = await balancer.Client.SendAsync(request);
        var received = JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("shop.example", received["Host"]);
    }

    [Theory]
    [InlineData("/raw/a%2Fb")]
    [InlineData("/raw/a%252Fb/%7E/%41?q=%2F&r=a+b%20c")]
    [InlineData("/raw/caf%C3%A9/x;y=1?")]
    public async Task Forward_PercentEncodedTarget_ReachesReplicaByteForByte(string target)
    {
        await using var balancer = await TestBalancer.StartAsync(Backends);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, balancer.Address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: lb\r\n\r\n"));
        var answer = await new RawReader(stream).ReadRequestAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("HTTP/1.1 200 ", answer?.Head, StringComparison.Ordinal);
        Assert.Equal(target, Encoding.ASCII.GetString(answer!.Body));
    }

    [Fact]
    public async Task Forward_ReplicaUnreachable_Returns502Json()
    {
        var closedPort = ClosedPort();
        await using var balancer = await TestBalancer.StartAsync(
            b => b.AddStaticReplicas([$"http://127.0.0.1:{closedPort}"]),
            o => o.Health.Interval = TimeSpan.FromHours(1));
        using var response = await balancer.Client.GetAsync("/home");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        await AssertErrorJsonAsync(response);
    }

    [Fact]
    public async Task Forward_ReplicaTooSlow_Returns504Json()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends, o => o.Forwarding.ResponseTimeout = TimeSpan.FromMilliseconds(300));
        using var response = await balancer.Client.GetAsync("/slow?ms=3000");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        await AssertErrorJsonAsync(response);
    }

    [Fact]
    public async Task Forward_ChosenReplicaStopped_FailsOverToNextReplica()
    {
        var backends = await Task.WhenAll(TestBackend.StartAsync("X"), TestBackend.StartAsync("Y"), TestBackend.StartAsync("Z"));
        try
        {
            // Heartbeats off in practice: only failover can save the requests.
            await using var balancer = await TestBalancer.StartAsync(backends, o =>
            {
                o.Keys.Sources.Add("query:key");
                o.Health.Interval = TimeSpan.FromHours(1);
            });
            var owners = new Dictionary<string, string>();
            for (var i = 0; i < 30; i++)
            {
                owners[$"k{i}"] = await balancer.Client.GetStringAsync($"/whoami?key=k{i}");
            }

            await backends[0].StopAsync();
            using var stopped = LoopbackPort.Hold(backends[0].Address.Port);
            foreach (var (key, owner) in owners)
            {
                using var post = await balancer.Client.PostAsync($"/whoami?key={key}", new StringContent("body"));
                Assert.Equal(HttpStatusCode.OK, post.StatusCode);
                var now = await post.Content.ReadAsStringAsync();
                Assert.NotEqual("X", now);
                if (owner != "X")
                {
                    Assert.Equal(owner, now); // keys of the live replicas do not move
                }
            }

            Assert.Contains("X", owners.Values);
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Forward_KeylessRequestsWithOneReplicaStopped_AllFailOverToLiveReplicas()
    {
        var backends = await Task.WhenAll(TestBackend.StartAsync("X"), TestBackend.StartAsync("Y"), TestBackend.StartAsync("Z"));
        try
        {
            // No key source: each request hashes its random id, and failover walks that id's preference order.
            await using var balancer = await TestBalancer.StartAsync(backends, o => o.Health.Interval = TimeSpan.FromHours(1));
            await backends[0].StopAsync();
            using var stopped = LoopbackPort.Hold(backends[0].Address.Port);
            var owners = new HashSet<string>();
            for (var i = 0; i < 40; i++)
            {
                using var response = await balancer.Client.GetAsync("/whoami");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                owners.Add(await response.Content.ReadAsStringAsync());
            }

            Assert.Equal(["Y", "Z"], owners.Order());
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Forward_ClientDisconnects_UpstreamRequestCancelled()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends, o => o.Keys.Sources.Add("header:X-Key"));
        using var cts = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hang");
        request.Headers.Add("X-Key", "hang");
        var pending = balancer.Client.SendAsync(request, cts.Token);
        var started = await Task.WhenAny(Backends.Select(b => b.HangStarted.Task)).WaitAsync(TimeSpan.FromSeconds(10));
        var backend = Backends.Single(b => b.HangStarted.Task == started);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        await backend.HangAborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Forward_NotFoundAsBadRequestOn_ReplicaNotFoundBecomes400()
    {
        await using var balancer = await TestBalancer.StartAsync(Backends, o => o.Forwarding.NotFoundAsBadRequest = true);
        using var response = await balancer.Client.GetAsync("/no/such/path");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = await AssertErrorJsonAsync(response);
        Assert.Equal("<Error> '/no/such/path' endpoint does not exist in server replicas", message);
    }

    internal static async Task<string> AssertErrorJsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("failure", json.RootElement.GetProperty("status").GetString());
        var message = json.RootElement.GetProperty("message").GetString()!;
        Assert.StartsWith("<Error> ", message, StringComparison.Ordinal);
        return message;
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
