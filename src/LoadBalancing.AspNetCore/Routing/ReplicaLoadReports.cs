using System.Text;
using Microsoft.Extensions.Options;
using Ringway.ConsistentHashing;

namespace Ringway.LoadBalancing.AspNetCore.Routing;

/// <summary>
/// Takes the load replicas report in ORCA's <c>endpoint-load-metrics</c> header (TEXT form, named metric <c>rif</c>:
/// requests in flight from every balancer) from their responses and heartbeat answers, into
/// <see cref="ReplicaState.Reported"/>. Only with <see cref="ReportedLoadOptions.Enabled"/>; then the forwarders also
/// keep the header from clients, as it is addressed to the balancer. A value that does not parse changes nothing.
/// </summary>
internal sealed class ReplicaLoadReports
{
    /// <summary>The metric read, by its full name in the TEXT form.</summary>
    private const string RequestsInFlight = "named_metrics." + OrcaLoadReport.RequestsInFlight;

    /// <summary>The longest header value read (a TEXT report of a few metrics is far shorter).</summary>
    private const int MaxValueLength = 1024;

    private readonly TimeProvider _time;

    public ReplicaLoadReports(TimeProvider time, IOptions<ConsistentHashBalancerOptions> options)
    {
        _time = time;
        Enabled = options.Value.Hashing.ReportedLoad.Enabled;
    }

    /// <summary>Whether reports are read (and the header kept from clients).</summary>
    public bool Enabled { get; }

    /// <summary>Whether a response header name is the report's (ASCII, any case).</summary>
    public static bool IsReportHeader(ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(name, OrcaLoadReport.HeaderName);

    /// <summary>Whether a response header name is the report's (any case).</summary>
    public static bool IsReportHeader(string name) => string.Equals(name, OrcaLoadReport.HeaderName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Records a report from <paramref name="replica"/> (the header's value as text).</summary>
    public void Receive(ReplicaState replica, ReadOnlySpan<char> value)
    {
        if (Enabled && OrcaLoadReport.TryReadMetric(value, RequestsInFlight, out var rif))
        {
            replica.Reported.Report(rif, replica.InFlight, _time.GetUtcNow());
        }
    }

    /// <summary>Records a report from <paramref name="replica"/> (the header's value as the bytes it arrived in), without allocating.</summary>
    public void Receive(ReplicaState replica, ReadOnlySpan<byte> value)
    {
        if (!Enabled || value.Length > MaxValueLength || !Ascii.IsValid(value))
        {
            return;
        }

        Span<char> chars = stackalloc char[value.Length];
        Ascii.ToUtf16(value, chars, out var written);
        Receive(replica, chars[..written]);
    }
}
