using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Docker;

/// <summary>
/// Which of several balancers sharing one instance's Swarm replicas acts on membership: the holder of a lease kept in the
/// engine, a Swarm service without tasks whose labels name the holder. Every write is an update at the version read, so
/// of two balancers writing at once the engine takes one and refuses the other ("update out of sequence"): there is never
/// more than one holder, and no protocol of our own. The holder renews every third of the lease; the others take it over
/// once its version stood still for a whole lease by their own clock (so the machines' clocks need not agree).
/// </summary>
internal sealed partial class SwarmLeadership : BackgroundService, IReplicaLeadership
{
    public const string LeaseLabel = "io.ringway.lease";
    public const string LeaderLabel = "io.ringway.leader";
    private const string RenewalLabel = "io.ringway.lease.renewal";

    private readonly SwarmReplicaOptions _options;
    private readonly SwarmLeadershipOptions _lease;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private DockerClient? _client;
    private long _renewedAt; // timestamp at which the last successful write began; 0 when this balancer does not hold the lease
    private (ulong Version, long SeenAt)? _seen;
    private long _renewals;
    private volatile string? _leader;

    public SwarmLeadership(IOptions<SwarmReplicaOptions> options, ILogger<SwarmLeadership> logger, TimeProvider time)
    {
        _options = options.Value;
        _lease = _options.Leadership;
        _time = time;
        _logger = logger;
        Name = _lease.Name ?? $"{Environment.MachineName}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";
        LeaseName = $"ringway-lease-{ResourceNames.DnsLabel(_options.InstanceName)}";
    }

    public string Name { get; }

    /// <summary>The lease service's name.</summary>
    public string LeaseName { get; }

    public string? Leader => _leader;

    // Valid for two thirds of the lease after the write began: a balancer taking over waits a whole lease after it saw that write.
    public bool IsLeader => Volatile.Read(ref _renewedAt) is var at && at != 0 && _time.GetElapsedTime(at) < _lease.LeaseDuration * 2 / 3;

    private TimeSpan RenewInterval => _lease.LeaseDuration / 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_lease.Enabled)
        {
            return;
        }
        _client = DockerEngine.CreateClient(_options);
        LogStarting(_logger, Name, LeaseName);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The engine is unreachable or slow: the lease runs out on its own if this balancer held it.
                LogLeaseError(_logger, e.GetBaseException().Message);
            }
            try
            {
                await Task.Delay(RenewInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>On a clean stop the holder hands the lease back at once, so another balancer need not wait for it to run out.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var held = IsLeader;
        Volatile.Write(ref _renewedAt, 0);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (held && _client is not null)
        {
            try
            {
                using var timeout = DockerEngine.Timeout(_options.EngineTimeout, cancellationToken);
                if (await FindAsync(timeout.Token).ConfigureAwait(false) is { } lease && HolderOf(lease) == Name)
                {
                    await WriteAsync(lease, "", timeout.Token).ConfigureAwait(false);
                    LogReleased(_logger, Name);
                }
            }
            catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or OperationCanceledException)
            {
                LogLeaseError(_logger, e.GetBaseException().Message);
            }
        }
    }

    public override void Dispose()
    {
        _client?.Dispose();
        base.Dispose();
    }

    /// <summary>One round: create the lease when there is none, renew it when held, take it over when its holder went quiet.</summary>
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var began = _time.GetTimestamp();
        // A slow engine cannot make the lease last longer: it counts from when the round began, not when the write returned.
        using var timeout = DockerEngine.Timeout(_options.EngineTimeout, cancellationToken);
        var lease = await FindAsync(timeout.Token).ConfigureAwait(false);
        if (lease is null)
        {
            await TryCreateAsync(began, timeout.Token).ConfigureAwait(false);
            return;
        }
        var holder = HolderOf(lease);
        var version = lease.Version?.Index ?? 0;
        if (holder == Name)
        {
            await TryTakeAsync(lease, began, timeout.Token).ConfigureAwait(false);
            return;
        }
        Lost(holder);
        if (_seen?.Version != version)
        {
            _seen = (version, began);
        }
        // No holder (handed back), or no renewal seen for a whole lease: the holder is gone or cut off.
        if (holder.Length == 0 || _time.GetElapsedTime(_seen!.Value.SeenAt) >= _lease.LeaseDuration)
        {
            await TryTakeAsync(lease, began, timeout.Token).ConfigureAwait(false);
        }
    }

    private async Task TryCreateAsync(long began, CancellationToken cancellationToken)
    {
        var spec = new ServiceSpec
        {
            Name = LeaseName,
            Labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ResourceNames.ManagedLabel] = "true",
                [LeaseLabel] = _options.InstanceName,
                [LeaderLabel] = Name,
                [RenewalLabel] = "0",
            },
            // No task ever runs: the service only carries the labels and the version.
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 0 } },
            TaskTemplate = new TaskSpec { ContainerSpec = new ContainerSpec { Image = _options.Image } },
        };
        try
        {
            await _client!.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            return; // another balancer created it first; the next round reads who holds it
        }
        Held(began, "created the lease");
    }

    private async Task TryTakeAsync(SwarmService lease, long began, CancellationToken cancellationToken)
    {
        var previous = HolderOf(lease);
        try
        {
            await WriteAsync(lease, Name, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (IsOutOfSequence(e))
        {
            // Another balancer wrote first (renewed or took over): this one does not hold the lease.
            Lost(null);
            return;
        }
        Held(began, previous == Name ? null : previous.Length == 0 ? "took the lease (handed back)" : $"took the lease over from {previous}");
    }

    /// <summary>Writes <paramref name="holder"/> into the lease at the version read; the engine refuses it if anyone wrote since.</summary>
    private async Task WriteAsync(SwarmService lease, string holder, CancellationToken cancellationToken)
    {
        var spec = lease.Spec ?? throw new InvalidOperationException($"The engine returned lease {LeaseName} without its spec.");
        spec.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
        spec.Labels[LeaderLabel] = holder;
        spec.Labels[RenewalLabel] = Interlocked.Increment(ref _renewals).ToString(CultureInfo.InvariantCulture);
        await _client!.Swarm.UpdateServiceAsync(lease.ID, new ServiceUpdateParameters
        {
            Service = spec,
            Version = (long)(lease.Version?.Index ?? 0),
        }, cancellationToken).ConfigureAwait(false);
    }

    private void Held(long began, string? how)
    {
        var was = IsLeader;
        Volatile.Write(ref _renewedAt, began);
        _leader = Name;
        if (!was && how is not null)
        {
            LogLeading(_logger, Name, how);
        }
        else if (!was)
        {
            LogLeading(_logger, Name, "renewed its lease");
        }
    }

    private void Lost(string? holder)
    {
        if (Interlocked.Exchange(ref _renewedAt, 0) != 0)
        {
            LogNoLongerLeading(_logger, Name);
        }
        _leader = string.IsNullOrEmpty(holder) ? (holder is null ? _leader : null) : holder;
    }

    private async Task<SwarmService?> FindAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client!.Swarm.InspectServiceAsync(LeaseName, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static string HolderOf(SwarmService lease) =>
        lease.Spec?.Labels is { } labels && labels.TryGetValue(LeaderLabel, out var holder) ? holder : "";

    // Swarm answers a write at an old version with "update out of sequence" (HTTP 500 on older engines, 409 on newer).
    private static bool IsOutOfSequence(DockerApiException e) =>
        e.StatusCode == HttpStatusCode.Conflict || e.ResponseBody?.Contains("out of sequence", StringComparison.OrdinalIgnoreCase) == true;

    [LoggerMessage(EventId = 4064, Level = LogLevel.Information, Message = "Balancer {Name} shares its replicas: only the holder of the lease {Lease} acts on membership")]
    private static partial void LogStarting(ILogger logger, string name, string lease);

    [LoggerMessage(EventId = 4065, Level = LogLevel.Information, Message = "Balancer {Name} holds the lease ({How}): it acts on membership")]
    private static partial void LogLeading(ILogger logger, string name, string how);

    [LoggerMessage(EventId = 4066, Level = LogLevel.Warning, Message = "Balancer {Name} no longer holds the lease: another balancer acts on membership")]
    private static partial void LogNoLongerLeading(ILogger logger, string name);

    [LoggerMessage(EventId = 4067, Level = LogLevel.Warning, Message = "Could not read or write the lease: {Reason}")]
    private static partial void LogLeaseError(ILogger logger, string reason);

    [LoggerMessage(EventId = 4068, Level = LogLevel.Information, Message = "Balancer {Name} handed the lease back on stopping")]
    private static partial void LogReleased(ILogger logger, string name);
}
