using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Ringway.ConsistentHashing;

/// <summary>
/// A load report in the TEXT form of ORCA's <c>endpoint-load-metrics</c> response header (as Envoy and gRPC read it),
/// for example <c>TEXT cpu_utilization=0.3, rps_fractional=10, named_metrics.rif=12</c>. Ringway reads the named
/// metric <see cref="RequestsInFlight"/> as a replica's load. No HTTP dependency: the header value is plain text.
/// </summary>
/// <remarks>
/// The grammar, the fields and what Ringway does with them are in docs/hashing.md ("Replica-reported load").
/// Parsing is strict, as in Envoy: an unknown field, a duplicate, an empty key, or a value that is not a finite
/// number &gt;= 0 rejects the whole header. <c>name:value</c> is accepted as well as <c>name=value</c>.
/// </remarks>
public sealed class OrcaLoadReport
{
    /// <summary>The response header that carries the report: <c>endpoint-load-metrics</c>.</summary>
    public const string HeaderName = "endpoint-load-metrics";

    /// <summary>The named metric Ringway reads as a replica's load: <c>rif</c>, requests in flight at the replica.</summary>
    public const string RequestsInFlight = "rif";

    private static readonly ReadOnlyDictionary<string, double> Empty = new(new Dictionary<string, double>());

    private readonly double? _cpuUtilization;
    private readonly double? _memUtilization;
    private readonly double? _applicationUtilization;
    private readonly double? _rpsFractional;
    private readonly double? _eps;
    private readonly IReadOnlyDictionary<string, double> _namedMetrics = Empty;
    private readonly IReadOnlyDictionary<string, double> _utilization = Empty;

    /// <summary><c>cpu_utilization</c>: CPU in use as a fraction of what is available (may exceed 1). Null when absent.</summary>
    public double? CpuUtilization { get => _cpuUtilization; init => _cpuUtilization = Checked(value, "cpu_utilization"); }

    /// <summary><c>mem_utilization</c>: memory in use as a fraction of what is available. Null when absent.</summary>
    public double? MemUtilization { get => _memUtilization; init => _memUtilization = Checked(value, "mem_utilization"); }

    /// <summary><c>application_utilization</c>: an application-defined utilization. Null when absent.</summary>
    public double? ApplicationUtilization { get => _applicationUtilization; init => _applicationUtilization = Checked(value, "application_utilization"); }

    /// <summary><c>rps_fractional</c>: requests per second served. Null when absent.</summary>
    public double? RpsFractional { get => _rpsFractional; init => _rpsFractional = Checked(value, "rps_fractional"); }

    /// <summary><c>eps</c>: errors per second. Null when absent.</summary>
    public double? Eps { get => _eps; init => _eps = Checked(value, "eps"); }

    /// <summary><c>named_metrics.&lt;key&gt;</c>: application-defined metrics by key (Ringway reads <see cref="RequestsInFlight"/>). Empty by default.</summary>
    public IReadOnlyDictionary<string, double> NamedMetrics { get => _namedMetrics; init => _namedMetrics = CheckedMap(value, "named_metrics."); }

    /// <summary><c>utilization.&lt;key&gt;</c>: resource utilizations by key, as fractions. Empty by default.</summary>
    public IReadOnlyDictionary<string, double> Utilization { get => _utilization; init => _utilization = CheckedMap(value, "utilization."); }

    /// <summary>Parses a header value in the TEXT form; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out OrcaLoadReport? report, [NotNullWhen(false)] out string? error)
    {
        report = null;
        if (!OrcaTextReader.TryStart(value, out var reader, out error))
        {
            return false;
        }

        double? cpu = null, mem = null, application = null, rps = null, eps = null;
        var named = new Dictionary<string, double>(StringComparer.Ordinal);
        var utilization = new Dictionary<string, double>(StringComparer.Ordinal);
        while (reader.TryNext(out var name, out double metric, out error))
        {
            switch (name)
            {
                case "cpu_utilization": cpu = metric; break;
                case "mem_utilization": mem = metric; break;
                case "application_utilization": application = metric; break;
                case "rps_fractional": rps = metric; break;
                case "eps": eps = metric; break;
                default:
                    var key = OrcaTextReader.NamedKey(name);
                    (key.IsEmpty ? utilization : named)[(key.IsEmpty ? OrcaTextReader.UtilizationKey(name) : key).ToString()] = metric;
                    break;
            }
        }

        if (error is not null)
        {
            return false;
        }

        report = new OrcaLoadReport
        {
            CpuUtilization = cpu,
            MemUtilization = mem,
            ApplicationUtilization = application,
            RpsFractional = rps,
            Eps = eps,
            NamedMetrics = named,
            Utilization = utilization,
        };
        return true;
    }

    /// <summary>
    /// Reads one metric, by its full name as written (<c>cpu_utilization</c>, <c>named_metrics.rif</c>...), from a header
    /// value, checking the whole value as <see cref="TryParse"/> does. Allocation-free for well-formed values; false
    /// when the value is malformed or lacks the metric.
    /// </summary>
    public static bool TryReadMetric(ReadOnlySpan<char> value, ReadOnlySpan<char> name, out double metric)
    {
        metric = 0;
        if (!OrcaTextReader.TryStart(value, out var reader, out _))
        {
            return false;
        }

        bool found = false;
        while (reader.TryNext(out var entry, out double read, out string? error) || error is not null)
        {
            if (error is not null)
            {
                metric = 0;
                return false;
            }

            if (entry.SequenceEqual(name))
            {
                metric = read;
                found = true;
            }
        }

        return found;
    }

    /// <summary>The header value: <c>TEXT</c>, then the fields present in a fixed order and the keyed metrics by key, comma-separated.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("TEXT ");
        void Add(string name, double? value)
        {
            if (value is { } v)
            {
                text.Append(text.Length > 5 ? ", " : "").Append(name).Append('=').Append(v.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        Add("cpu_utilization", CpuUtilization);
        Add("mem_utilization", MemUtilization);
        Add("application_utilization", ApplicationUtilization);
        Add("rps_fractional", RpsFractional);
        Add("eps", Eps);
        foreach (var (key, value) in Utilization.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add("utilization." + key, value);
        }

        foreach (var (key, value) in NamedMetrics.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add("named_metrics." + key, value);
        }

        return text.ToString();
    }

    private static double? Checked(double? value, string name)
    {
        if (value is { } v && (!double.IsFinite(v) || v < 0))
        {
            throw new ArgumentOutOfRangeException(name, v, $"ORCA metric '{name}' must be a finite number >= 0.");
        }

        return value;
    }

    private static ReadOnlyDictionary<string, double> CheckedMap(IReadOnlyDictionary<string, double> metrics, string prefix)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var copy = new Dictionary<string, double>(metrics.Count, StringComparer.Ordinal);
        foreach (var (key, value) in metrics)
        {
            if (!OrcaTextReader.IsValidKey(key))
            {
                throw new ArgumentException($"ORCA metric key '{prefix}{key}' must be non-empty visible ASCII without spaces, ',', '=' or ':'.", nameof(metrics));
            }

            copy[key] = Checked(value, prefix + key)!.Value;
        }

        return copy.AsReadOnly();
    }
}
