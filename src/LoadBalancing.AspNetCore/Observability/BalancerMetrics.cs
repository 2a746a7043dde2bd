using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ringway.LoadBalancing.AspNetCore.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Observability;

/// <summary>
/// The <c>Ringway.LoadBalancing</c> meter: requests by replica and status class, forwarding duration, failed forwarding
/// attempts and failovers by error type, ring size.
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

    public BalancerMetrics(IMeterFactory meterFactory, ReplicaTable table)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>(RequestsInstrument, "{request}", "Requests answered, by replica and status class.");
        _duration = meter.CreateHistogram<double>("ringway.loadbalancing.forward.duration", "s", "Time from choosing a replica to the end of the response, by replica.");
        _failovers = meter.CreateCounter<long>("ringway.loadbalancing.failovers", "{failover}", "Requests moved to the next replica because the chosen one failed, by replica and error type.");
        _forwardErrors = meter.CreateCounter<long>(ForwardErrorsInstrument, "{error}", "Failed forwarding attempts (each replica tried), by replica and error type.");
        meter.CreateObservableGauge("ringway.loadbalancing.ring.size", () => table.Current.Count, "{replica}", "Replicas receiving new requests.");
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
}
