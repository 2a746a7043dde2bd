using System.Net;
using System.Net.Http;
using Grpc.Core;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Http;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Grpc;

/// <summary>
/// Real Grpc.Net.Client calls through a real balancer to real Grpc.AspNetCore replicas over HTTP/2, keyed by gRPC metadata,
/// on both forwarder settings (the lean HTTP/1.1 path hands HTTP/2 to YARP's forwarder).
/// </summary>
public sealed class GrpcThroughBalancerTests : IAsyncLifetime
{
    private readonly List<GrpcReplica> _replicas = [];

    public static TheoryData<ReplicaForwarder> Forwarders => [ReplicaForwarder.Yarp, ReplicaForwarder.Http1];

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "g1", "g2", "g3" })
        {
            _replicas.Add(await GrpcReplica.StartAsync(name));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task EveryCallKind_SameKey_ReachesTheSameReplica(ReplicaForwarder forwarder)
    {
        await using var echo = await StartAsync(forwarder);
        var client = echo.Client;
        var reached = new HashSet<string>();
        for (var k = 0; k < 12; k++)
        {
            var key = $"user-{k}";
            var headers = GrpcBalancer.Key(key);
            var unary = (await client.UnaryAsync(new EchoRequest { Text = "u" }, headers)).Replica;
            Assert.Equal(ExpectedReplica(echo.Balancer, key), unary);
            reached.Add(unary);

            using var serverStream = client.ServerStream(new EchoRequest { Text = "s", Count = 3 }, headers);
            var streamed = await serverStream.ResponseStream.ReadAllAsync().Select(r => r.Replica).ToListAsync();
            Assert.Equal([unary, unary, unary], streamed);

            using var clientStream = client.ClientStream(headers);
            foreach (var text in new[] { "a", "b", "c" })
            {
                await clientStream.RequestStream.WriteAsync(new EchoRequest { Text = text });
            }

            await clientStream.RequestStream.CompleteAsync();
            var summed = await clientStream;
            Assert.Equal((unary, "a,b,c"), (summed.Replica, summed.Text));

            using var bidi = client.Bidi(headers);
            var answers = new List<EchoReply>();
            foreach (var text in new[] { "x", "y" })
            {
                await bidi.RequestStream.WriteAsync(new EchoRequest { Text = text });
                Assert.True(await bidi.ResponseStream.MoveNext(CancellationToken.None)); // each answer before the next question
                answers.Add(bidi.ResponseStream.Current);
            }

            await bidi.RequestStream.CompleteAsync();
            Assert.False(await bidi.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal([(unary, "x"), (unary, "y")], answers.Select(a => (a.Replica, a.Text)));
        }

        Assert.True(reached.Count > 1, "the keys all went to one replica: the key was not read from the metadata");
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task Deadline_ReachesTheReplica_AndEndsItsCall(ReplicaForwarder forwarder)
    {
        await using var echo = await StartAsync(forwarder);
        var client = echo.Client;
        var replica = Replica(ExpectedReplica(echo.Balancer, "deadline-key"));
        var deadline = DateTime.UtcNow.AddSeconds(3);

        var call = client.UnaryAsync(new EchoRequest { Mode = "wait" }, GrpcBalancer.Key("deadline-key"), deadline);
        var seenDeadline = await replica.Seen.WaitStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
        // grpc-timeout is relative: the replica's deadline is the client's, give or take the time on the way.
        Assert.InRange(seenDeadline, deadline.AddSeconds(-2), deadline.AddSeconds(2));
        await replica.Seen.WaitCancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task Cancellation_ReachesTheReplica(ReplicaForwarder forwarder)
    {
        await using var echo = await StartAsync(forwarder);
        var client = echo.Client;
        var replica = Replica(ExpectedReplica(echo.Balancer, "cancel-key"));
        using var cancel = new CancellationTokenSource();

        var call = client.UnaryAsync(new EchoRequest { Mode = "wait" }, GrpcBalancer.Key("cancel-key"), cancellationToken: cancel.Token);
        await replica.Seen.WaitStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var cancelledAt = DateTime.UtcNow;
        await cancel.CancelAsync();

        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, failure.StatusCode);
        var replicaSawIt = await replica.Seen.WaitCancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(replicaSawIt >= cancelledAt);
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task ErrorStatus_TrailersAndRichDetails_Arrive(ReplicaForwarder forwarder)
    {
        await using var echo = await StartAsync(forwarder);
        var client = echo.Client;
        var expected = ExpectedReplica(echo.Balancer, "error-key");

        var failure = await Assert.ThrowsAsync<RpcException>(
            () => client.UnaryAsync(new EchoRequest { Text = "item-7", FailWith = (int)StatusCode.NotFound }, GrpcBalancer.Key("error-key")).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, failure.StatusCode);
        Assert.Equal($"{expected} refuses 'item-7'", failure.Status.Detail);
        var rich = failure.GetRpcStatus();
        Assert.NotNull(rich);
        var info = rich.GetDetail<Google.Rpc.ErrorInfo>();
        Assert.Equal(("REFUSED", expected), (info?.Reason, info?.Domain));
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task ReplicaKilledMidStream_ClientGetsUnavailable_AndTheKeyMovesToItsNextReplica(ReplicaForwarder forwarder)
    {
        await using var echo = await StartAsync(forwarder, o => o.Health.Interval = TimeSpan.FromMinutes(5)); // failover, not heartbeats, moves the key
        var client = echo.Client;
        var order = PreferenceOrder(echo.Balancer, "stream-key");
        var victim = Replica(order[0]);

        using var stream = client.ServerStream(new EchoRequest { Text = "s", Count = 10_000, IntervalMs = 20 }, GrpcBalancer.Key("stream-key"));
        var reading = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var reply in stream.ResponseStream.ReadAllAsync())
            {
                Assert.Equal(victim.Name, reply.Replica);
                count++;
            }

            return count;
        });
        await victim.Seen.Streaming.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await victim.KillAsync();

        // Within a bounded time, never a hang: the stream ends with UNAVAILABLE, as a client's retry policy expects.
        var failure = await Assert.ThrowsAsync<RpcException>(() => reading.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);

        var next = await client.UnaryAsync(new EchoRequest { Text = "after" }, GrpcBalancer.Key("stream-key"));
        Assert.Equal(order[1], next.Replica);
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task NoReplicaInTheRing_GrpcClientGetsUnavailableWithTheBalancersMessage(ReplicaForwarder forwarder)
    {
        await using var echo = new EchoThroughBalancer(await StartEmptyAsync(forwarder));

        await AssertUnavailableAsync(echo.Client, "No replica is available to serve the request");
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task UnreachableReplica_GrpcClientGetsUnavailableWithTheBalancersMessage(ReplicaForwarder forwarder)
    {
        var nobody = Nobody(); // in the ring until its heartbeats fail, answering nothing
        await using var echo = new EchoThroughBalancer(await GrpcBalancer.StartAsync([nobody], forwarder, o => o.Health.Interval = TimeSpan.FromMinutes(5)));

        await AssertUnavailableAsync(echo.Client, $"Replica '{nobody.Authority}' could not be reached");
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task NoReplicaInTheRing_AnswerIsTrailersOnly_NotJson(ReplicaForwarder forwarder)
    {
        await using var balancer = await StartEmptyAsync(forwarder);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ringway.tests.KeyedEcho/Unary") { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        request.Content.Headers.ContentType = new("application/grpc");

        using var response = await SendHttp2Async(balancer, request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("14", Assert.Single(response.Headers.GetValues("grpc-status")));
        Assert.Equal("No replica is available to serve the request", Uri.UnescapeDataString(Assert.Single(response.Headers.GetValues("grpc-message"))));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task OrdinaryRequest_NoReplica_StillGetsJson(ReplicaForwarder forwarder)
    {
        await using var balancer = await StartEmptyAsync(forwarder);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/home");

        using var response = await SendHttp2Async(balancer, request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>A balancer over the three replicas, once all are in the ring, and a client to it.</summary>
    private async Task<EchoThroughBalancer> StartAsync(ReplicaForwarder forwarder, Action<ConsistentHashBalancerOptions>? configure = null)
    {
        var balancer = await GrpcBalancer.StartAsync(_replicas.Select(r => r.Address), forwarder, configure);
        await Eventually.AssertAsync(() => balancer.Table.Current.Count == _replicas.Count, "all gRPC replicas in the ring", TimeSpan.FromSeconds(30));
        return new EchoThroughBalancer(balancer);
    }

    /// <summary>A balancer whose only replica never answers: it leaves the ring after its first failed heartbeat.</summary>
    private static async Task<TestBalancer> StartEmptyAsync(ReplicaForwarder forwarder)
    {
        var balancer = await GrpcBalancer.StartAsync([Nobody()], forwarder, o =>
        {
            o.Health.Interval = TimeSpan.FromMilliseconds(100);
            o.Health.FailureThreshold = 1;
        });
        await Eventually.AssertAsync(() => balancer.Table.Current.Count == 0, "the ring empty", TimeSpan.FromSeconds(30));
        return balancer;
    }

    private GrpcReplica Replica(string name) => _replicas.Single(r => r.Name == name);

    /// <summary>The replicas in the key's preference order, by the replica names the gRPC replicas answer with.</summary>
    private string[] PreferenceOrder(TestBalancer balancer, string key)
    {
        var snapshot = balancer.Table.Current;
        var order = new int[snapshot.Count];
        var count = snapshot.Hash!.GetNodeIndexes(key, order);
        return order.Take(count).Select(i => _replicas.Single(r => r.Address.ToString() == snapshot.Replicas[i].Replica.Address.ToString()).Name).ToArray();
    }

    private string ExpectedReplica(TestBalancer balancer, string key) => PreferenceOrder(balancer, key)[0];

    /// <summary>A replica address where nothing listens.</summary>
    private static Uri Nobody() => new($"http://127.0.0.1:{LoopbackPort.Free()}/");

    /// <summary>A unary call without a replica to answer it: UNAVAILABLE, with the balancer's message.</summary>
    private static async Task AssertUnavailableAsync(KeyedEcho.KeyedEchoClient client, string detail)
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest(), GrpcBalancer.Key("k")).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Equal(detail, failure.Status.Detail);
    }

    /// <summary>A plain HTTP/2 request (prior knowledge, as gRPC clients speak) from outside any gRPC client.</summary>
    private static Task<HttpResponseMessage> SendHttp2Async(TestBalancer balancer, HttpRequestMessage request)
    {
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return balancer.Client.SendAsync(request);
    }
}
