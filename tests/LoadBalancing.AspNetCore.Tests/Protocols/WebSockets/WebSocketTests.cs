using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Waiting;
using Yarp.ReverseProxy.Forwarder;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Protocols.WebSockets;

/// <summary>
/// WebSocket sessions through a real balancer to real Kestrel replicas, with a real <see cref="ClientWebSocket"/>, on both
/// forwarder settings (the lean path hands every upgrade to YARP's forwarder).
/// </summary>
public sealed class WebSocketTests : BackendsPerTest
{
    public WebSocketTests()
        : base("A", "B", "C")
    {
    }

    public static TheoryData<ReplicaForwarder> Forwarders => [ReplicaForwarder.Yarp, ReplicaForwarder.Http1];

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task WebSocket_EchoedThroughBalancer(ReplicaForwarder forwarder)
    {
        await using var balancer = await StartBalancerAsync(forwarder);
        using var socket = await WebSocketClient.ConnectAsync(balancer);
        foreach (var text in new[] { "hello", "through", "the ring" })
        {
            var echoed = await socket.RoundTripAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);
            Assert.Equal(text, Encoding.UTF8.GetString(echoed));
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal("bye", socket.CloseStatusDescription); // the replica's own close frame came back
    }

    [Theory]
    [InlineData(ReplicaForwarder.Yarp, null)]
    [InlineData(ReplicaForwarder.Yarp, "X-Session")]
    [InlineData(ReplicaForwarder.Http1, null)]
    [InlineData(ReplicaForwarder.Http1, "X-Session")]
    public async Task WebSocket_SameKey_AlwaysSameReplica_TheKeysOwner(ReplicaForwarder forwarder, string? keyHeader)
    {
        await using var balancer = await StartBalancerAsync(forwarder);
        var seen = new HashSet<string>();
        for (var i = 0; i < 12; i++)
        {
            var key = $"session-{i}";
            var owner = PreferenceOrder(balancer, key)[0];
            for (var connection = 0; connection < 2; connection++)
            {
                using var socket = await WebSocketClient.ConnectAsync(balancer, key, keyHeader);
                Assert.Equal(owner, await socket.WhoAmIAsync());
                Assert.Equal(owner, await socket.WhoAmIAsync()); // and every message of the session stays there
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }

            seen.Add(owner);
        }

        Assert.True(seen.Count > 1, "12 keys over 3 replicas reach more than one; a constant answer would not.");
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task WebSocket_UpgradeGoesThroughYarpForwarder_OnBothSettings(ReplicaForwarder forwarder)
    {
        var counter = new CountingForwarder();
        await using var balancer = await TestBalancer.StartAsync(
            b => b.AddStaticReplicas(Backends.Select(x => x.Address.ToString())),
            o => o.Forwarding.Forwarder = forwarder,
            services: builder => counter.Wrap(builder.Services));
        var effective = balancer.Services.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value.Forwarding.Forwarder;

        Assert.NotEmpty(await balancer.Client.GetStringAsync("/whoami"));
        var afterPlainRequest = counter.Calls;
        using (var socket = await WebSocketClient.ConnectAsync(balancer, "k"))
        {
            await socket.WhoAmIAsync();
        }

        Assert.Equal(afterPlainRequest + 1, counter.Calls); // the upgrade went through YARP's forwarder
        Assert.Equal(1, counter.Upgrades);
        // The lean path forwarded the plain GET itself; YARP's forwarder saw only the upgrade.
        Assert.Equal(effective == ReplicaForwarder.Http1 ? 0 : 1, afterPlainRequest);
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task WebSocket_ReplicaKilled_ClientSocketEndsPromptly_NextSessionGoesToNextReplicaInKeysOrder(ReplicaForwarder forwarder)
    {
        // Heartbeats off in practice: the killed replica stays in the ring, so failover at connect time has to move the key.
        await using var balancer = await StartBalancerAsync(forwarder);
        const string key = "chat-room-7";
        var order = PreferenceOrder(balancer, key);
        using var socket = await WebSocketClient.ConnectAsync(balancer, key);
        Assert.Equal(order[0], await socket.WhoAmIAsync());

        await Backends.Named(order[0]).KillAsync();
        var clock = Stopwatch.StartNew();
        var end = await socket.EndAsync(within: TimeSpan.FromSeconds(15));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"ended after {clock.Elapsed} ({end})");

        using var next = await WebSocketClient.ConnectAsync(balancer, key);
        Assert.Equal(order[1], await next.WhoAmIAsync());
        Assert.Equal(order[1], await next.WhoAmIAsync());
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task WebSocket_ReplicaDropsConnection_ClientSocketEndsPromptly(ReplicaForwarder forwarder)
    {
        await using var balancer = await StartBalancerAsync(forwarder);
        const string key = "dropped";
        var owner = Backends.Named(PreferenceOrder(balancer, key)[0]);
        using var socket = await WebSocketClient.ConnectAsync(balancer, key);
        Assert.Equal(owner.Id, await socket.WhoAmIAsync());

        owner.AbortWebSockets();
        await socket.EndAsync(within: TimeSpan.FromSeconds(15));

        // The replica still runs: the key's next session goes back to it.
        using var again = await WebSocketClient.ConnectAsync(balancer, key);
        Assert.Equal(owner.Id, await again.WhoAmIAsync());
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task WebSocket_IdleTunnel_ClosedAfterResponseTimeout(ReplicaForwarder forwarder)
    {
        var timeout = TimeSpan.FromSeconds(1);
        await using var balancer = await StartBalancerAsync(forwarder, o => o.Forwarding.ResponseTimeout = timeout);
        const string key = "idle";
        var owner = Backends.Named(PreferenceOrder(balancer, key)[0]);
        using var errors = new ForwardErrors(owner.Address.Authority);
        using var socket = await WebSocketClient.ConnectAsync(balancer, key);
        await socket.WhoAmIAsync();
        var idleSince = Stopwatch.StartNew();

        var end = await socket.EndAsync(within: TimeSpan.FromSeconds(20));
        Assert.True(idleSince.Elapsed >= timeout * 0.9, $"closed after {idleSince.Elapsed}, before the timeout");
        Assert.StartsWith("dropped", end, StringComparison.Ordinal); // the connection is aborted; there is no close frame
        // The replica's side of the tunnel is closed too, not left open.
        await Eventually.AssertAsync(() => owner.OpenWebSockets == 0, "the replica's session ended", TimeSpan.FromSeconds(20));
        // Counted as the timeout it is, not as a replica that failed mid-response.
        await Eventually.AssertAsync(() => errors.Types.Count > 0, "the forwarding error measurement", TimeSpan.FromSeconds(10));
        Assert.All(errors.Types, type => Assert.Equal("timeout", type)); // a handshake retried after a 504 adds one more
    }

    public enum Activity
    {
        /// <summary>The client sends a message every fifth of the timeout.</summary>
        Messages,

        /// <summary>Nobody sends messages; the client's keep-alive frames (ClientWebSocketOptions.KeepAliveInterval) cross the tunnel.</summary>
        ClientKeepAlive,

        /// <summary>Nobody sends messages; the replica's pings (Kestrel's WebSocketOptions.KeepAliveInterval) cross the tunnel.</summary>
        ReplicaKeepAlive,
    }

    [Theory]
    [InlineData(ReplicaForwarder.Yarp, Activity.Messages)]
    [InlineData(ReplicaForwarder.Yarp, Activity.ClientKeepAlive)]
    [InlineData(ReplicaForwarder.Yarp, Activity.ReplicaKeepAlive)]
    [InlineData(ReplicaForwarder.Http1, Activity.Messages)]
    [InlineData(ReplicaForwarder.Http1, Activity.ClientKeepAlive)]
    [InlineData(ReplicaForwarder.Http1, Activity.ReplicaKeepAlive)]
    public async Task WebSocket_ActiveTunnel_KeptBeyondResponseTimeout(ReplicaForwarder forwarder, Activity activity)
    {
        var timeout = TimeSpan.FromSeconds(2);
        var beat = timeout / 5;
        await using var pinging = await TestBackend.StartAsync("P", webSocketKeepAlive: beat);
        var replicas = activity == Activity.ReplicaKeepAlive ? [pinging] : Backends;
        await using var balancer = await TestBalancer.StartAsync(
            b => b.AddStaticReplicas(replicas.Select(x => x.Address.ToString())),
            o =>
            {
                o.Forwarding.Forwarder = forwarder;
                o.Forwarding.ResponseTimeout = timeout;
                o.Health.Interval = TimeSpan.FromHours(1); // a heartbeat missed on a busy machine must not empty the ring
            });
        using var socket = await WebSocketClient.ConnectAsync(balancer, "busy", keepAlive: activity == Activity.ClientKeepAlive ? beat : TimeSpan.Zero);
        var owner = await socket.WhoAmIAsync();

        var held = Stopwatch.StartNew();
        var sent = 0;
        while (held.Elapsed < timeout * 2.5)
        {
            await Task.Delay(beat);
            if (activity == Activity.Messages)
            {
                var echoed = await socket.RoundTripAsync(BitConverter.GetBytes(++sent));
                Assert.Equal(sent, BitConverter.ToInt32(echoed));
            }
        }

        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.Equal(owner, await socket.WhoAmIAsync()); // the same session, still open, after two and a half timeouts
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task WebSocket_OneMegabyteMessages_PassBothWays(ReplicaForwarder forwarder)
    {
        await using var balancer = await StartBalancerAsync(forwarder);
        using var socket = await WebSocketClient.ConnectAsync(balancer, "large");
        var message = TestBackend.Pattern(1024 * 1024);
        for (var i = 0; i < 3; i++)
        {
            message[i] = (byte)i; // each message differs
            var echoed = await socket.RoundTripAsync(message);
            Assert.Equal(message.Length, echoed.Length);
            Assert.True(message.AsSpan().SequenceEqual(echoed), "the echoed megabyte differs");
        }

        var text = new string('x', 1024 * 1024);
        Assert.Equal(text, Encoding.UTF8.GetString(await socket.RoundTripAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text)));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    private Task<TestBalancer> StartBalancerAsync(ReplicaForwarder forwarder, Action<ConsistentHashBalancerOptions>? configure = null)
        => TestBalancer.StartAsync(Backends, o =>
        {
            o.Keys.Sources.Add("header:X-Session");
            o.Keys.Sources.Add("query:key");
            o.Forwarding.Forwarder = forwarder;
            o.Health.Interval = TimeSpan.FromHours(1); // a heartbeat missed on a busy machine must not empty the ring
            configure?.Invoke(o);
        });

    /// <summary>The backend ids in the key's preference order (a static replica's hostname is its address's authority).</summary>
    private string[] PreferenceOrder(TestBalancer balancer, string key)
        => [.. balancer.PreferenceOrder(key).Select(hostname => Backends.Single(b => b.Address.Authority == hostname).Id)];

    /// <summary>The <c>error.type</c> of every <c>ringway.loadbalancing.forward.errors</c> measurement for one replica.</summary>
    private sealed class ForwardErrors : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<string> _types = [];

        public ForwardErrors(string replica)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument is { Name: "ringway.loadbalancing.forward.errors", Meter.Name: "Ringway.LoadBalancing" })
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? type = null;
                var mine = false;
                foreach (var tag in tags)
                {
                    mine |= tag is { Key: "replica" } && Equals(tag.Value, replica);
                    type = tag.Key == "error.type" ? tag.Value as string : type;
                }

                if (mine)
                {
                    lock (_types)
                    {
                        _types.Add(type ?? "");
                    }
                }
            });
            _listener.Start();
        }

        public IReadOnlyList<string> Types
        {
            get
            {
                lock (_types)
                {
                    return [.. _types];
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Counts the requests that reach YARP's <see cref="IHttpForwarder"/>, passing them on to the real one.</summary>
    private sealed class CountingForwarder : IHttpForwarder
    {
        private IHttpForwarder? _inner;
        private int _calls;
        private int _upgrades;

        public int Calls => Volatile.Read(ref _calls);

        public int Upgrades => Volatile.Read(ref _upgrades);

        public void Wrap(IServiceCollection services)
        {
            var original = services.Last(d => d.ServiceType == typeof(IHttpForwarder));
            services.Remove(original);
            services.AddSingleton<IHttpForwarder>(provider =>
            {
                _inner = (IHttpForwarder)ActivatorUtilities.CreateInstance(provider, original.ImplementationType!);
                return this;
            });
        }

        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer)
        {
            Interlocked.Increment(ref _calls);
            if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true })
            {
                Interlocked.Increment(ref _upgrades);
            }

            return _inner!.SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer);
        }

        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return _inner!.SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, cancellationToken);
        }
    }
}
