using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Ringway.TestSupport.Http;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Observability;

/// <summary>
/// The balancer under the OpenTelemetry SDK, on both forwarders: a request gives the balancer's server span (ASP.NET
/// Core's instrumentation), under it a client span per attempt (source <c>Ringway.LoadBalancing</c>), and under that the
/// replica's own server span, recorded by the SDK in the replica's host from the W3C trace context the balancer sent.
/// Each attempt is also a measurement of <c>http.client.request.duration</c>.
/// </summary>
[Collection(ProcessWideTracing.Name)]
public sealed class TracingTests
{
    private const string Source = "Ringway.LoadBalancing";

    [Theory]
    [InlineData(ReplicaForwarder.Yarp)]
    [InlineData(ReplicaForwarder.Http1)]
    public async Task Request_UnderOpenTelemetry_ReplicaSpanIsChildOfAttemptSpanUnderServerSpan(ReplicaForwarder forwarder)
    {
        await using var replica = await TracedReplica.StartAsync();
        var spans = new Spans(replica.Exported);
        await using var balancer = await StartBalancerAsync([replica.Address], forwarder, spans);

        var (traceId, clientSpan) = await SendTracedAsync(balancer, "/orders/7?x=1");

        var trace = await spans.EventuallyAsync(traceId, s => s.Count(a => a.Kind == ActivityKind.Server) == 2 && s.Any(a => a.Source.Name == Source));
        var server = Assert.Single(trace, a => a.Kind == ActivityKind.Server && a.ParentSpanId == clientSpan);
        var attempt = Assert.Single(trace, a => a.Source.Name == Source);
        var replicaSpan = Assert.Single(trace, a => a.Kind == ActivityKind.Server && a.ParentSpanId != clientSpan);
        Assert.Equal(ActivityKind.Client, attempt.Kind);
        Assert.Equal(server.SpanId, attempt.ParentSpanId);
        Assert.Equal(attempt.SpanId, replicaSpan.ParentSpanId);
        Assert.Equal("vendor=ringway-test", replicaSpan.TraceStateString);
        Assert.Equal("GET", attempt.DisplayName);
        Assert.Equal("GET", attempt.GetTagItem("http.request.method"));
        Assert.Equal("127.0.0.1", attempt.GetTagItem("server.address"));
        Assert.Equal(replica.Address.Port, attempt.GetTagItem("server.port"));
        Assert.Equal(200, attempt.GetTagItem("http.response.status_code"));
        Assert.Equal($"http://127.0.0.1:{replica.Address.Port}/orders/7?x=1", attempt.GetTagItem("url.full"));
        Assert.Null(attempt.GetTagItem("error.type"));

        // Meters, like activity listeners, are process-wide: other tests' balancers are measured too, so only this replica's points count.
        var port = replica.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var measurements = await ClientDurationsAsync(balancer, spans, m => m.Any(t => t[2] == port));
        var measured = Assert.Single(measurements, t => t[2] == port);
        Assert.Equal(["GET", "127.0.0.1", port, "200", "-"], measured);
    }

    [Theory]
    [InlineData(ReplicaForwarder.Yarp)]
    [InlineData(ReplicaForwarder.Http1)]
    public async Task Failover_UnderOpenTelemetry_TwoAttemptSpansAndOnlyTheSecondHasTheReplicaBelow(ReplicaForwarder forwarder)
    {
        await using var replica = await TracedReplica.StartAsync();
        var dead = new Uri($"http://127.0.0.1:{Forwarding.ForwardingTests.ClosedPort()}");
        var spans = new Spans(replica.Exported);
        await using var balancer = await StartBalancerAsync([dead, replica.Address], forwarder, spans);

        // Keys split between the two replicas; one of the first twenty is owned by the dead one (1 - 2^-20).
        for (var i = 0; i < 20; i++)
        {
            var (traceId, _) = await SendTracedAsync(balancer, $"/item?key=k{i}");
            var trace = await spans.EventuallyAsync(traceId, s => s.Count(a => a.Kind == ActivityKind.Server) == 2);
            var attempts = trace.Where(a => a.Source.Name == Source).OrderBy(a => a.StartTimeUtc).ToList();
            if (attempts.Count == 1)
            {
                continue;
            }

            Assert.Equal(2, attempts.Count);
            var server = Assert.Single(trace, a => a.Kind == ActivityKind.Server && a.Source.Name != Source && attempts.All(x => x.SpanId != a.ParentSpanId));
            Assert.All(attempts, a => Assert.Equal(server.SpanId, a.ParentSpanId));
            Assert.Equal("connection_error", attempts[0].GetTagItem("error.type"));
            Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
            Assert.Equal(dead.Port, attempts[0].GetTagItem("server.port"));
            Assert.Equal(replica.Address.Port, attempts[1].GetTagItem("server.port"));
            Assert.Equal(1, attempts[1].GetTagItem("http.request.resend_count"));
            Assert.Equal(200, attempts[1].GetTagItem("http.response.status_code"));
            var replicaSpan = Assert.Single(trace, a => a.Kind == ActivityKind.Server && a != server);
            Assert.Equal(attempts[1].SpanId, replicaSpan.ParentSpanId);

            var deadPort = dead.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var durations = await ClientDurationsAsync(balancer, spans, m => m.Any(t => t[2] == deadPort));
            Assert.Contains(["GET", "127.0.0.1", deadPort, "-", "connection_error"], durations);
            return;
        }

        Assert.Fail("No request was sent to the dead replica first.");
    }

    [Theory]
    [InlineData(ReplicaForwarder.Yarp)]
    [InlineData(ReplicaForwarder.Http1)]
    public async Task Request_NoOneListensToTheSource_ClientTraceContextReachesReplicaUnchanged(ReplicaForwarder forwarder)
    {
        string? seen = null;
        await using var replica = await TracedReplica.StartAsync(context => seen = context.Request.Headers.TraceParent, traced: false);
        await using var balancer = await TestBalancer.StartAsync(b => b.AddStaticReplicas([replica.Address.ToString()]), o => o.Forwarding.Forwarder = forwarder);
        var traceparent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/plain");
        request.Headers.TryAddWithoutValidation("traceparent", traceparent);
        using var response = await balancer.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.Equal(traceparent, seen);
    }

    private static Task<TestBalancer> StartBalancerAsync(Uri[] replicas, ReplicaForwarder forwarder, Spans spans)
        => TestBalancer.StartAsync(
            b => b.AddStaticReplicas(replicas.Select(r => r.ToString())),
            o =>
            {
                o.Forwarding.Forwarder = forwarder;
                o.Keys.Sources.Add("query:key");
                o.Health.Interval = TimeSpan.FromHours(1); // the dead replica stays in the ring: only failover saves its keys
            },
            services: builder => builder.Services.AddOpenTelemetry()
                .WithTracing(t => t.AddSource(Source).AddAspNetCoreInstrumentation().AddInMemoryExporter(spans.Balancer))
                .WithMetrics(m => m.AddMeter(Source).AddInMemoryExporter(spans.Metrics)));

    /// <summary>Sends a request as a traced client would (its own traceparent and tracestate); returns the trace and its span.</summary>
    private static async Task<(ActivityTraceId TraceId, ActivitySpanId SpanId)> SendTracedAsync(TestBalancer balancer, string path)
    {
        var traceId = ActivityTraceId.CreateRandom();
        var spanId = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{spanId}-01");
        request.Headers.TryAddWithoutValidation("tracestate", "vendor=ringway-test");
        using var response = await balancer.Client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (traceId, spanId);
    }

    /// <summary>The <c>http.client.request.duration</c> points as [method, address, port, status, error type] ("-" when absent).</summary>
    private static async Task<List<string[]>> ClientDurationsAsync(TestBalancer balancer, Spans spans, Func<List<string[]>, bool> enough)
    {
        var provider = balancer.Services.GetRequiredService<MeterProvider>();
        var exported = spans.Metrics;
        List<string[]> points = [];
        await Eventually.AssertAsync(() =>
        {
            provider.ForceFlush();
            lock (exported)
            {
                // Every balancer's meter is a metric of its own, exported again at each flush (cumulative): each tag set once.
                points = [.. exported.Where(m => m.Name == "http.client.request.duration").SelectMany(m => m.MetricPoints).Select(Tags).DistinctBy(t => string.Join("|", t))];
                return exported.Any(m => m.Name == "http.client.request.duration" && m.Unit == "s" && m.MetricType == MetricType.Histogram) && enough(points);
            }
        }, "http.client.request.duration measurements", TimeSpan.FromSeconds(20));
        return points;

        static string[] Tags(MetricPoint point)
        {
            var tags = new Dictionary<string, string>();
            foreach (var tag in point.Tags)
            {
                tags[tag.Key] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }

            return [.. new[] { "http.request.method", "server.address", "server.port", "http.response.status_code", "error.type" }.Select(k => tags.GetValueOrDefault(k, "-"))];
        }
    }

    /// <summary>
    /// Spans exported in this process. Activity listeners are process-wide, so each host's exporter may see the other's
    /// spans too (and other tests'): a trace is read from both, by its id, each span once.
    /// </summary>
    private sealed class Spans(List<Activity> replica)
    {
        public List<Activity> Balancer { get; } = [];

        public List<MetricSnapshot> Metrics { get; } = [];

        public async Task<List<Activity>> EventuallyAsync(ActivityTraceId traceId, Func<List<Activity>, bool> complete)
        {
            List<Activity> trace = [];
            await Eventually.AssertAsync(() =>
            {
                trace = [.. Snapshot(Balancer).Concat(Snapshot(replica)).Where(a => a.TraceId == traceId).DistinctBy(a => a.SpanId)];
                return complete(trace);
            }, $"the spans of trace {traceId}", TimeSpan.FromSeconds(20));
            return trace;
        }

        private static List<Activity> Snapshot(List<Activity> list)
        {
            lock (list)
            {
                return [.. list];
            }
        }
    }

    /// <summary>A replica app with the OpenTelemetry SDK and ASP.NET Core's instrumentation, exporting to memory; 200 to everything.</summary>
    private sealed class TracedReplica : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private TracedReplica(WebApplication app, Uri address, List<Activity> exported)
        {
            _app = app;
            Address = address;
            Exported = exported;
        }

        public Uri Address { get; }

        public List<Activity> Exported { get; }

        public static async Task<TracedReplica> StartAsync(Action<HttpContext>? onRequest = null, bool traced = true)
        {
            var exported = new List<Activity>();
            var builder = LoopbackApp.CreateBuilder();
            if (traced)
            {
                builder.Services.AddOpenTelemetry().WithTracing(t => t.AddAspNetCoreInstrumentation().AddInMemoryExporter(exported));
            }

            var app = builder.Build();
            app.Run(context =>
            {
                if (context.Request.Path != "/heartbeat")
                {
                    onRequest?.Invoke(context);
                }

                return context.Response.WriteAsync("ok");
            });
            return new TracedReplica(app, await LoopbackApp.StartAsync(app), exported);
        }

        public async ValueTask DisposeAsync() => await LoopbackApp.StopAsync(_app);
    }
}

/// <summary>
/// Tests that listen to the balancer's ActivitySource: a listener makes every balancer in the process start attempt spans
/// and send their trace context, so they run after the others, one at a time, and cannot change what other tests' replicas see.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideTracing
{
    public const string Name = "Process-wide tracing listeners";
}
