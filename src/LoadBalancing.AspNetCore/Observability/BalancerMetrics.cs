using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ringway.LoadBalancing.AspNetCore.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Observability;

/// <summary>
/// The <c>Ringway.LoadBalancing</c> meter: requests by replica and status class, forwarding duration, failed forwarding
/// attempts and failovers by error type, ring size, membership epoch and replicas warming up; and per attempt
/// OpenTelemetry's <c>http.client.request.duration</c>.
/// </summary>
internal sealed class BalancerMetrics
{
    public const string MeterName = "Ringway.LoadBalancing";
    public const string RequestsInstrument = "ringway.loadbalancing.requests";
    public const string ForwardErrorsInstrument = "ringway.loadbalancing.forward.errors";

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _failovers;
    private readonly Counter<long> _forwardErrors;
    private readonly Histogram<double> _clientDuration;

    public BalancerMetrics(IMeterFactory meterFactory, ReplicaTable table, TimeProvider time)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>(RequestsInstrument, "{request}", "Requests answered, by replica and status class.");
        _duration = meter.CreateHistogram<double>("ringway.loadbalancing.forward.duration", "s", "Time from choosing a replica to the end of the response, by replica.");
        _failovers = meter.CreateCounter<long>("ringway.loadbalancing.failovers", "{failover}", "Requests moved to the next replica because the chosen one failed, by replica and error type.");
        _forwardErrors = meter.CreateCounter<long>(ForwardErrorsInstrument, "{error}", "Failed forwarding attempts (each replica tried), by replica and error type.");
        // Named, tagged and bucketed as OpenTelemetry's HTTP client semantic conventions (and .NET's HttpClient) do.
        _clientDuration = meter.CreateHistogram<double>(
            "http.client.request.duration",
            "s",
            "Duration of each attempt to forward a request to a replica (HTTP client request).",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        meter.CreateObservableGauge("ringway.loadbalancing.ring.size", () => table.Current.Count, "{replica}", "Replicas receiving new requests.");
        // The epoch as a tag on a constant 1 (an "info" gauge): a 64-bit digest does not survive a floating-point value.
        meter.CreateObservableGauge(
            "ringway.loadbalancing.ring.epoch",
            () => table.Current is { Count: > 0 } current ? [new Measurement<int>(1, new KeyValuePair<string, object?>("epoch", current.EpochText))] : Array.Empty<Measurement<int>>(),
            "{ring}",
            "The membership epoch of the ring (tag epoch, 16 hexadecimal digits): balancers with the same epoch place every key alike.");
        meter.CreateObservableGauge(
            "ringway.loadbalancing.warmup.replicas",
            () => BalancerHealthCheck.Warming(table.Current, time.GetUtcNow()).Length,
            "{replica}",
            "Replicas still warming up (taking part of their share of keys).");
    }

    public void RequestCompleted(string? replica, int statusCode, long startTimestamp)
    {
        if (_requests.Enabled)
        {
            var statusClass = statusCode is >= 100 and < 600 ? StatusClasses[(statusCode / 100) - 1] : "other";
            _requests.Add(1, new TagList { { "replica", replica ?? "none" }, { "status_class", statusClass } });
        }

        if (_duration.Enabled && replica is not null)
        {
            _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("replica", replica));
        }
    }

    public void Failover(string from, ForwardOutcome outcome)
    {
        if (_failovers.Enabled)
        {
            _failovers.Add(1, new KeyValuePair<string, object?>("replica", from), new KeyValuePair<string, object?>("error.type", outcome.ErrorType()));
        }
    }

    /// <summary>One failed attempt on <paramref name="replica"/>, tagged with what went wrong (<see cref="ForwardOutcomeNames.ErrorType"/>).</summary>
    public void ForwardFailed(string replica, ForwardOutcome outcome)
    {
        if (_forwardErrors.Enabled)
        {
            _forwardErrors.Add(1, new KeyValuePair<string, object?>("replica", replica), new KeyValuePair<string, object?>("error.type", outcome.ErrorType()));
        }
    }

    /// <summary>
    /// One attempt to forward to <paramref name="replica"/>: <c>http.request.method</c>, <c>server.address</c>,
    /// <c>server.port</c>, and <c>http.response.status_code</c> when it answered, <c>error.type</c> when it failed.
    /// </summary>
    public void ClientAttempt(string method, ReplicaState replica, int? statusCode, string? errorType, long startTimestamp)
    {
        if (!_clientDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "http.request.method", HttpClientSemantics.Method(method).Name },
            { "server.address", replica.ServerAddress },
            { "server.port", replica.ServerPort },
        };
        if (statusCode is { } code)
        {
            tags.Add("http.response.status_code", HttpClientSemantics.Boxed(code));
        }

        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        _clientDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }
}
