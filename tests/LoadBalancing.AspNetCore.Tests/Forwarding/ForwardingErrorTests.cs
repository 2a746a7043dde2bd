using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;

/// <summary>
/// A replica that cannot be reached and one that answers with something that is not HTTP are told apart, on both
/// forwarders: in the 502 answer's message, in the log event and in the <c>error.type</c> tag of the metrics.
/// </summary>
public sealed class ForwardingErrorTests
{
    public static TheoryData<ReplicaForwarder, string> GarbageAnswers()
    {
        var data = new TheoryData<ReplicaForwarder, string>();
        foreach (var forwarder in new[] { ReplicaForwarder.Yarp, ReplicaForwarder.Http1 })
        {
            data.Add(forwarder, "HTTP/1.1 100 Continue\r\nBad Header\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"); // a broken 1xx
            data.Add(forwarder, "HELLO THERE\r\n\r\n");                                                                   // a garbage status line
            data.Add(forwarder, "HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 0\r\n\r\n");                        // a control character
            data.Add(forwarder, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");                   // conflicting lengths
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GarbageAnswers))]
    public async Task Forward_ReplicaAnswersGarbage_502SaysInvalidResponseInAnswerLogAndMetric(ReplicaForwarder forwarder, string answer)
    {
        await using var replica = new RawReplica(r => r.Target.StartsWith("/heartbeat", StringComparison.Ordinal)
            ? RawAnswer.Of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            : RawAnswer.Of(answer, close: true));
        using var observed = new Observed();
        await using var balancer = await StartAsync([replica.Address], forwarder, observed, o => o.Forwarding.MaxAttempts = 1);

        using var response = await balancer.Client.GetAsync("/garbage");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var hostname = replica.Address.Authority;
        Assert.Equal($"<Error> Replica '{hostname}' sent an invalid response", await ForwardingTests.AssertErrorJsonAsync(response));
        await observed.EventuallyAsync(hostname, "invalid_response", eventId: 102);
    }

    [Theory]
    [InlineData(ReplicaForwarder.Yarp)]
    [InlineData(ReplicaForwarder.Http1)]
    public async Task Forward_ReplicaRefusesConnections_502SaysCouldNotBeReachedInAnswerLogAndMetric(ReplicaForwarder forwarder)
    {
        var address = new Uri($"http://127.0.0.1:{ForwardingTests.ClosedPort()}");
        using var observed = new Observed();
        await using var balancer = await StartAsync([address], forwarder, observed, o => o.Forwarding.MaxAttempts = 1);

        using var response = await balancer.Client.GetAsync("/refused");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal($"<Error> Replica '{address.Authority}' could not be reached", await ForwardingTests.AssertErrorJsonAsync(response));
        await observed.EventuallyAsync(address.Authority, "connection_error", eventId: 102);
    }

    [Theory]
    [InlineData(ReplicaForwarder.Yarp)]
    [InlineData(ReplicaForwarder.Http1)]
    public async Task Forward_InvalidResponse_IdempotentGetRetriedOnNextReplicaPostWithBodyNot(ReplicaForwarder forwarder)
    {
        static RawAnswer Heartbeat() => RawAnswer.Of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        await using var broken = new RawReplica(r => r.Target.StartsWith("/heartbeat", StringComparison.Ordinal) ? Heartbeat() : RawAnswer.Of("NOT HTTP\r\n\r\n", close: true));
        await using var good = new RawReplica(r => r.Target.StartsWith("/heartbeat", StringComparison.Ordinal) ? Heartbeat() : RawAnswer.Of("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood"));
        using var observed = new Observed();
        await using var balancer = await StartAsync([broken.Address, good.Address], forwarder, observed, o => o.Keys.Sources.Add("query:key"));

        // Every GET is answered by the good replica, those whose key belongs to the broken one after a retry.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("good", await balancer.Client.GetStringAsync($"/item?key=k{i}"));
        }

        string[] keysOfBroken;
        lock (broken.Requests)
        {
            keysOfBroken = [.. broken.Requests.Select(r => r.Target).Where(t => t.StartsWith("/item", StringComparison.Ordinal)).Select(t => t[(t.IndexOf('=') + 1)..])];
        }

        Assert.NotEmpty(keysOfBroken);
        await observed.EventuallyAsync(broken.Address.Authority, "invalid_response", eventId: 101);

        // A POST with a body is not repeated: the broken replica's failure is the answer.
        using var post = await balancer.Client.PostAsync($"/item?key={keysOfBroken[0]}", new StringContent("body"));
        Assert.Equal(HttpStatusCode.BadGateway, post.StatusCode);
        Assert.Equal($"<Error> Replica '{broken.Address.Authority}' sent an invalid response", await ForwardingTests.AssertErrorJsonAsync(post));
    }

    private static Task<TestBalancer> StartAsync(Uri[] replicas, ReplicaForwarder forwarder, Observed observed, Action<ConsistentHashBalancerOptions> configure)
        => TestBalancer.StartAsync(
            b => b.AddStaticReplicas([.. replicas.Select(r => r.ToString())]),
            o =>
            {
                o.Forwarding.Forwarder = forwarder;
                o.Health.Interval = TimeSpan.FromHours(1);
                configure(o);
            },
            services: builder => builder.Logging.AddProvider(observed));

    /// <summary>The balancer's log events and its <c>ringway.loadbalancing.forward.errors</c> measurements.</summary>
    private sealed class Observed : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<(int EventId, string Message)> _logs = new();
        private readonly ConcurrentQueue<string> _errors = new();
        private readonly MeterListener _listener = new();

        public Observed()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Ringway.LoadBalancing" && instrument.Name == "ringway.loadbalancing.forward.errors")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                var text = new StringBuilder();
                foreach (var tag in tags)
                {
                    text.Append(tag.Key).Append('=').Append(tag.Value).Append(';');
                }

                _errors.Enqueue(text.ToString());
            });
            _listener.Start();
        }

        /// <summary>Waits for a log event naming the replica and the error type, and a measurement tagged with both.</summary>
        public async Task EventuallyAsync(string replica, string errorType, int eventId)
        {
            var seen = await Eventually.TrueAsync(
                () => _logs.Any(l => l.EventId == eventId && l.Message.Contains(replica, StringComparison.Ordinal) && l.Message.Contains($"({errorType})", StringComparison.Ordinal))
                    && _errors.Any(e => e.Contains($"replica={replica};", StringComparison.Ordinal) && e.Contains($"error.type={errorType};", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10));
            Assert.True(seen, $"no log event {eventId} and forward.errors measurement for {replica} with {errorType}; logs: "
                + $"{string.Join(" | ", _logs.Select(l => $"{l.EventId} {l.Message}"))}; measurements: {string.Join(" | ", _errors)}");
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => _logs.Enqueue((eventId.Id, formatter(state, exception)));

        public void Dispose() => _listener.Dispose();
    }
}
