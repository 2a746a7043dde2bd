using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ringway.LoadBalancing.AspNetCore.Observability;

namespace Ringway.LoadBalancing.AspNetCore.Dashboard;

/// <summary>
/// Requests per second and failed forwarding attempts per replica, read from the balancer's own meter while someone
/// watches the dashboard. A <see cref="MeterListener"/> exists only between a dashboard request and
/// <see cref="IdleAfter"/> without one, so with nobody watching the request path records nothing extra.
/// </summary>
internal sealed class ReplicaTraffic : IDisposable
{
    /// <summary>How long the listener outlives the last dashboard request.</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(30);

    /// <summary>The shortest span a requests-per-second figure is measured over.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(1);

    private readonly object _meterScope;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly ITimer _idleCheck;
    private ConcurrentDictionary<string, Counts> _counts = new(StringComparer.Ordinal);
    private MeterListener? _listener;
    private long _lastWatched;
    private long _sampledAt;
    private Dictionary<string, long> _sampledRequests = new(StringComparer.Ordinal);
    private Dictionary<string, double> _rates = new(StringComparer.Ordinal);

    /// <param name="meterScope">The <see cref="IMeterFactory"/> the balancer's meter came from: only its instruments count.</param>
    /// <param name="time">The clock for rates and the idle stop.</param>
    public ReplicaTraffic(object meterScope, TimeProvider time)
    {
        _meterScope = meterScope;
        _time = time;
        _idleCheck = time.CreateTimer(_ => StopWhenIdle(), null, IdleAfter, IdleAfter);
    }

    /// <summary>Whether the meter is being listened to now.</summary>
    public bool IsListening
    {
        get
        {
            lock (_gate)
            {
                return _listener is not null;
            }
        }
    }

    /// <summary>
    /// Notes that someone watches (starting the listener when needed) and returns each replica's requests per second,
    /// measured over at least <see cref="RateWindow"/>, and failed attempts counted since watching began.
    /// </summary>
    public IReadOnlyDictionary<string, (double RequestsPerSecond, long Errors)> Read()
    {
        lock (_gate)
        {
            _lastWatched = _time.GetTimestamp();
            if (_listener is null)
            {
                Start();
            }

            var elapsed = _time.GetElapsedTime(_sampledAt);
            if (elapsed >= RateWindow)
            {
                var sampled = new Dictionary<string, long>(StringComparer.Ordinal);
                var rates = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var (replica, counts) in _counts)
                {
                    var requests = Interlocked.Read(ref counts.Requests);
                    sampled[replica] = requests;
                    rates[replica] = (requests - _sampledRequests.GetValueOrDefault(replica)) / elapsed.TotalSeconds;
                }

                (_sampledRequests, _rates, _sampledAt) = (sampled, rates, _time.GetTimestamp());
            }

            var result = new Dictionary<string, (double, long)>(StringComparer.Ordinal);
            foreach (var (replica, counts) in _counts)
            {
                result[replica] = (_rates.GetValueOrDefault(replica), Interlocked.Read(ref counts.Errors));
            }

            return result;
        }
    }

    public void Dispose()
    {
        _idleCheck.Dispose();
        lock (_gate)
        {
            Stop();
        }
    }

    private void Start()
    {
        _counts = new ConcurrentDictionary<string, Counts>(StringComparer.Ordinal);
        _sampledRequests = new Dictionary<string, long>(StringComparer.Ordinal);
        _rates = new Dictionary<string, double>(StringComparer.Ordinal);
        _sampledAt = _time.GetTimestamp();
        var counts = _counts;
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == BalancerMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, _meterScope)
                    && instrument.Name is BalancerMetrics.RequestsInstrument or BalancerMetrics.ForwardErrorsInstrument)
                {
                    l.EnableMeasurementEvents(instrument, counts);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>(OnMeasurement);
        listener.Start();
        _listener = listener;
    }

    private void Stop()
    {
        _listener?.Dispose();
        _listener = null;
    }

    private void StopWhenIdle()
    {
        lock (_gate)
        {
            if (_listener is not null && _time.GetElapsedTime(_lastWatched) >= IdleAfter)
            {
                Stop();
            }
        }
    }

    private static void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? replica = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "replica")
            {
                replica = tag.Value as string;
            }
        }

        if (replica is null || state is not ConcurrentDictionary<string, Counts> counts)
        {
            return;
        }

        var entry = counts.GetOrAdd(replica, static _ => new Counts());
        if (instrument.Name == BalancerMetrics.RequestsInstrument)
        {
            Interlocked.Add(ref entry.Requests, value);
        }
        else
        {
            Interlocked.Add(ref entry.Errors, value);
        }
    }

    private sealed class Counts
    {
        public long Requests;
        public long Errors;
    }
}
