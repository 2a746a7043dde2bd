using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// Probes the replicas' heartbeat path over HTTP and posts what matters to the supervisor: failures, first answers and
/// recoveries (a healthy replica's routine answer changes nothing and is not posted). An answer's load report goes to
/// <see cref="ReplicaLoadReports"/>. Every wait and timeout runs on the <see cref="TimeProvider"/>.
/// </summary>
internal sealed class HeartbeatProber : IDisposable
{
    /// <summary>How long a new replica has to give its first answer before it counts as failed.</summary>
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How often a new replica is probed until its first answer: it joins the ring soon after it listens.</summary>
    public static readonly TimeSpan StartupPollInterval = TimeSpan.FromMilliseconds(50);

    private readonly HttpClient _client;
    private readonly string _path;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _timeout;
    private readonly Version _version;
    private readonly HttpVersionPolicy _versionPolicy;
    private readonly TimeProvider _time;
    private readonly ReplicaLoadReports? _loadReports;

    public HeartbeatProber(IOptions<ConsistentHashBalancerOptions> options, TimeProvider time, ReplicaLoadReports? loadReports = null)
        // The replicas' own protocol and certificate trust: an h2c-only replica (gRPC) or a privately signed one answers probes too.
        : this(options.Value, time, ReplicaHttpHandler.Create(options.Value.Forwarding, Timeout.InfiniteTimeSpan, pooledConnectionIdleTimeout: TimeSpan.FromSeconds(30)), loadReports)
    {
    }

    /// <summary>Probes through <paramref name="handler"/>, which the prober owns.</summary>
    internal HeartbeatProber(ConsistentHashBalancerOptions options, TimeProvider time, HttpMessageHandler handler, ReplicaLoadReports? loadReports = null)
    {
        _loadReports = loadReports is { Enabled: true } ? loadReports : null;
        _path = options.Health.Path;
        _interval = options.Health.Interval;
        _timeout = options.Health.Timeout;
        _version = options.Forwarding.HttpVersion;
        _versionPolicy = options.Forwarding.HttpVersionPolicy;
        _time = time;
        // The probe's own token carries the timeout (connect included), on the TimeProvider; the client adds none.
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Every interval, probes each member that has answered before, all at once; the next round waits for this one.</summary>
    public async Task RunAsync(Func<IReadOnlyList<SupervisedReplica>> members, Action<HeartbeatResult> report, CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(_interval, _time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await Task.WhenAll(members().Select(m => ProbeAndReportAsync(m, report, cancellationToken))).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Probes a new replica every <see cref="StartupPollInterval"/> until it answers or <see cref="StartupTimeout"/> passes.</summary>
    public async Task WaitUntilAnswersAsync(SupervisedReplica member, Action<HeartbeatResult> report, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            while (!member.Removed && _time.GetElapsedTime(started) < StartupTimeout)
            {
                if (await ProbeMemberAsync(member, cancellationToken).ConfigureAwait(false))
                {
                    report(new HeartbeatResult(member, Ok: true, StartupFailed: false));
                    return;
                }

                await Task.Delay(StartupPollInterval, _time, cancellationToken).ConfigureAwait(false);
            }

            report(new HeartbeatResult(member, Ok: false, StartupFailed: true));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One GET of the heartbeat path: true for a success status within the heartbeat timeout.</summary>
    public async Task<bool> ProbeAsync(ReplicaState replica, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(replica.ForwardPrefix + _path)) { Version = _version, VersionPolicy = _versionPolicy };
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (_loadReports is not null && response.IsSuccessStatusCode
                && response.Headers.NonValidated.TryGetValues(ConsistentHashing.OrcaLoadReport.HeaderName, out var report))
            {
                _loadReports.Receive(replica, report.ToString());
            }

            return response.IsSuccessStatusCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Probes a member and keeps how long its answer took (what the dashboard shows); failures keep no latency.</summary>
    private async Task<bool> ProbeMemberAsync(SupervisedReplica member, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var ok = await ProbeAsync(member.State, cancellationToken).ConfigureAwait(false);
        if (ok)
        {
            member.HeartbeatLatency = _time.GetElapsedTime(started);
        }

        return ok;
    }

    private async Task ProbeAndReportAsync(SupervisedReplica member, Action<HeartbeatResult> report, CancellationToken cancellationToken)
    {
        // New replicas are polled by WaitUntilAnswersAsync until their first answer.
        if (!member.Ready.Task.IsCompleted || member.Removed)
        {
            return;
        }

        var ok = await ProbeMemberAsync(member, cancellationToken).ConfigureAwait(false);
        if (!ok || member.Failures > 0 || !member.State.IsRoutable)
        {
            report(new HeartbeatResult(member, ok, StartupFailed: false));
        }
    }
}
