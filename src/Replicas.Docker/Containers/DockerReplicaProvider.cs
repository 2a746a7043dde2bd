using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Docker;

/// <summary>
/// Each replica is a container labelled <c>io.ringway.*</c>, attached to a user-defined network under its hostname.
/// Only containers carrying this instance's labels are ever listed, adopted, stopped or removed.
/// </summary>
internal sealed partial class DockerReplicaProvider : EngineReplicaProvider<DockerReplicaOptions, ContainerListResponse>
{
    private readonly TimeProvider _time;
    private readonly string _portKey;

    // The replicas this provider started or adopted, by container id: die events for other containers are ignored,
    // and a replica the provider stops itself is taken out first so that its own stop is not reported as a failure.
    private readonly ConcurrentDictionary<string, Replica> _tracked = new(StringComparer.Ordinal);
    private long _lastOrder;

    public DockerReplicaProvider(IOptions<DockerReplicaOptions> options, ILogger<DockerReplicaProvider> logger, TimeProvider? time = null)
        : base(options.Value, logger, options.Value.Network, options.Value.CreateNetwork)
    {
        _time = time ?? TimeProvider.System;
        _portKey = $"{_options.ContainerPort}/tcp";
    }

    // Stopping a container waits for its grace period before the engine answers.
    private protected override TimeSpan RemoveTimeout => _options.EngineTimeout + _options.StopTimeout;

    private protected override string NetworkDriver => "bridge";

    private protected override string NetworkKind => "network";

    private protected override async Task<IReadOnlyList<Replica>> StartReplicasAsync(IReadOnlyList<string> hostnames, string what, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureNetworkAsync(what, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw EngineFailure(e, what);
        }

        // Created together, so the engine's creation times cannot order them; an explicit order label does (adoption).
        var order = NextOrder(hostnames.Count);
        var attempts = hostnames.Select((h, i) => StartOneAsync(h, order + i, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(attempts).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // All or nothing: remove what did start, then report the first failure.
            foreach (var started in attempts.Where(a => a.IsCompletedSuccessfully))
            {
                await RemoveQuietlyAsync(started.Result.ProviderId).ConfigureAwait(false);
            }
            var failure = attempts.First(a => !a.IsCompletedSuccessfully).Exception?.GetBaseException()
                ?? new OperationCanceledException(cancellationToken);
            throw EngineFailure(failure, what);
        }
        var replicas = attempts.Select(a => a.Result).ToList();
        foreach (var replica in replicas)
        {
            Track(replica);
            LogStarted(_logger, replica.Hostname, ShortId(replica.ProviderId), replica.Address);
        }
        return replicas;
    }

    /// <summary>
    /// The first of <paramref name="count"/> consecutive order numbers: the clock's ticks, kept increasing within this
    /// process, so replicas started later (by this balancer or a later one) sort after earlier ones.
    /// </summary>
    private long NextOrder(int count)
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastOrder);
            var next = Math.Max(last + 1, _time.GetUtcNow().UtcTicks);
            if (Interlocked.CompareExchange(ref _lastOrder, next + count - 1, last) == last)
            {
                return next;
            }
        }
    }

    private async Task<Replica> StartOneAsync(string hostname, long order, CancellationToken cancellationToken)
    {
        try
        {
            return await StartOneAsync(hostname, ResourceNames.ResourceName(hostname), order, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // The name is taken (by anything: the suffix is random, so this is rare): one more try under another name.
            return await StartOneAsync(hostname, ResourceNames.ResourceName(hostname), order, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Replica> StartOneAsync(string hostname, string name, long order, CancellationToken cancellationToken)
    {
        var hostConfig = new HostConfig
        {
            NetworkMode = _options.Network,
            Memory = _options.MemoryLimitBytes ?? 0,
            NanoCPUs = _options.CpuLimit is { } cpus ? (long)(cpus * 1e9) : 0,
            // The provider replaces failed replicas itself (under new names); the engine must not restart them.
            RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
        };
        if (_options.UsePublishedPorts)
        {
            hostConfig.PortBindings = new Dictionary<string, IList<PortBinding>>
            {
                [_portKey] = [new PortBinding { HostIP = _options.PublishedPortHostIp, HostPort = "" }],
            };
        }
        var parameters = new CreateContainerParameters
        {
            Name = name,
            Image = _options.Image,
            Hostname = ResourceNames.DnsLabel(hostname),
            Env = DockerEngine.EnvironmentFor(_options, hostname),
            Labels = ResourceNames.Labels(_options.InstanceName, hostname, _options.Image, order),
            ExposedPorts = new Dictionary<string, EmptyStruct> { [_portKey] = default },
            StopTimeout = _options.StopTimeout,
            HostConfig = hostConfig,
            NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings>
                {
                    [_options.Network] = new EndpointSettings { Aliases = ResourceNames.Aliases(hostname) },
                },
            },
        };

        using var timeout = DockerEngine.Timeout(_options.EngineTimeout, cancellationToken);
        var created = await _client.Containers.CreateContainerAsync(parameters, timeout.Token).ConfigureAwait(false);
        try
        {
            await _client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), timeout.Token).ConfigureAwait(false);
            var started = await _client.Containers.InspectContainerAsync(created.ID, timeout.Token).ConfigureAwait(false);
            var address = _options.UsePublishedPorts ? PublishedAddress(started) : AddressOnNetwork(name, started.NetworkSettings?.Networks);
            return new Replica(hostname, address ?? throw new ReplicaProviderException($"Cannot start replica '{hostname}': the engine published no port for {_portKey}."), created.ID);
        }
        catch
        {
            await RemoveQuietlyAsync(created.ID).ConfigureAwait(false);
            throw;
        }
    }

    private protected override void Track(Replica replica) => _tracked[replica.ProviderId] = replica;

    private protected override void Untrack(string providerId) => _tracked.TryRemove(providerId, out _);

    private protected override async Task<Inspected?> InspectAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var container = await _client.Containers.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false);
            return new Inspected(container.ID, container.Name, container.Config?.Labels);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    private protected override string Describe(Inspected resource) => $"container {ShortId(resource.Id)}";

    // By the order label (replicas started together were created concurrently); without one, the engine's order: newest
    // first to the nanosecond, but Created has whole seconds, so reversed, then a stable sort.
    private protected override IEnumerable<ContainerListResponse> OldestFirst(IList<ContainerListResponse> listed) =>
        Enumerable.Reverse(listed).OrderBy(c => ResourceNames.Order(c.Labels) ?? long.MaxValue).ThenBy(c => c.Created);

    private protected override string IdOf(ContainerListResponse resource) => resource.ID;

    private protected override string HostnameOf(ContainerListResponse resource) => resource.Labels[ResourceNames.HostnameLabel];

    private protected override bool IsRunning(ContainerListResponse resource) => resource.State == "running";

    private protected override string StateOf(ContainerListResponse resource) => resource.State;

    private protected override async Task<Uri?> AddressOfAsync(ContainerListResponse resource, CancellationToken cancellationToken) =>
        _options.UsePublishedPorts
            ? PublishedAddress(await _client.Containers.InspectContainerAsync(resource.ID, cancellationToken).ConfigureAwait(false))
            : AddressOnNetwork(resource.Names.FirstOrDefault()?.TrimStart('/') ?? resource.ID, resource.NetworkSettings?.Networks);

    public override async IAsyncEnumerable<Replica> WatchExitsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var exits = Channel.CreateUnbounded<Replica>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = Task.Run(() => PumpEventsAsync(exits.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var replica in exits.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return replica;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
        }
    }

    /// <summary>Follows the engine's event stream; reconnects with backoff and catches up on what it missed meanwhile.</summary>
    private async Task PumpEventsAsync(ChannelWriter<Replica> exits, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        string? since = null;
        var lostConnection = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var parameters = new ContainerEventsParameters { Filters = ResourceNames.InstanceFilter(_options.InstanceName), Since = since };
                parameters.Filters["type"] = new Dictionary<string, bool> { ["container"] = true };
                var connected = _client.System.MonitorEventsAsync(parameters, new SyncProgress(message =>
                {
                    since = EventTime(message) ?? since;
                    OnEvent(message, exits);
                }), cancellationToken);
                // The stream is open once the engine answers; events missed before that (or while it was down) come from a reconciliation.
                await ReconcileAsync(exits, cancellationToken).ConfigureAwait(false);
                if (lostConnection)
                {
                    LogEventsReconnected(_logger, _endpoint);
                    lostConnection = false;
                }
                delay = TimeSpan.FromMilliseconds(250);
                await connected.ConfigureAwait(false);
                throw new IOException("the engine closed the event stream");
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                lostConnection = true;
                since ??= UnixTime(_time.GetUtcNow());
                LogEventsLost(_logger, _endpoint, delay.TotalMilliseconds, e.GetBaseException().Message);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
            }
        }
    }

    private void OnEvent(Message message, ChannelWriter<Replica> exits)
    {
        if (message.Type != "container" || message.Actor?.ID is not { } id)
        {
            return;
        }
        var failed = message.Action == "die" || message.Action == "oom" || message.Action?.StartsWith("health_status: unhealthy", StringComparison.Ordinal) == true;
        if (failed && _tracked.TryRemove(id, out var replica))
        {
            LogReplicaDied(_logger, replica.Hostname, ShortId(id), message.Action!);
            exits.TryWrite(replica);
        }
    }

    /// <summary>Reports tracked replicas whose containers stopped or vanished while no event stream was open.</summary>
    private async Task ReconcileAsync(ChannelWriter<Replica> exits, CancellationToken cancellationToken)
    {
        using var timeout = DockerEngine.Timeout(_options.EngineTimeout, cancellationToken);
        var containers = await ListOwnAsync(timeout.Token).ConfigureAwait(false);
        var running = containers.Where(c => c.State == "running").Select(c => c.ID).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, _) in _tracked)
        {
            if (!running.Contains(id) && _tracked.TryRemove(id, out var replica))
            {
                LogReplicaDied(_logger, replica.Hostname, ShortId(id), "not running");
                exits.TryWrite(replica);
            }
        }
        // Dead replicas nobody tracks any more: ones whose removal failed while the engine was away.
        foreach (var container in containers.Where(c => c.State is "exited" or "dead" && !_tracked.ContainsKey(c.ID)))
        {
            LogRemovingLeftover(container, container.State);
            await RemoveQuietlyAsync(container.ID).ConfigureAwait(false);
        }
    }

    private protected override async Task<IList<ContainerListResponse>> ListOwnAsync(CancellationToken cancellationToken)
    {
        var containers = await _client.Containers.ListContainersAsync(
            new ContainersListParameters { All = true, Filters = ResourceNames.InstanceFilter(_options.InstanceName) },
            cancellationToken).ConfigureAwait(false);
        // The engine filtered by label already; checking again costs nothing and guards against a filter that was ignored.
        return OwnReplicas(containers, c => c.Labels, c => c.ID, (c, image) =>
            LogOtherImage(_logger, c.Names.FirstOrDefault()?.TrimStart('/') ?? "", ShortId(c.ID), image, _options.Image));
    }

    private protected override async Task StopAndRemoveAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Containers.StopContainerAsync(id,
                new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(_options.StopTimeout.TotalSeconds) },
                cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            return;
        }
        try
        {
            await _client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Removed meanwhile.
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // "removal already in progress"
        }
    }

    private protected override Task RemoveAsync(string id, CancellationToken cancellationToken) =>
        _client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, cancellationToken);

    private protected override async Task<int> RemoveOwnReplicasAsync(CancellationToken cancellationToken)
    {
        var containers = await ListOwnAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(containers.Select(c => StopAndRemoveAsync(c.ID, cancellationToken))).ConfigureAwait(false);
        return containers.Count;
    }

    // Network may also name the network by (a prefix of) its id.
    private protected override bool IsConfiguredNetwork(NetworkResponse network) =>
        base.IsConfiguredNetwork(network) || network.ID.StartsWith(_options.Network, StringComparison.Ordinal);

    private protected override string LogId(string id) => ShortId(id);

    /// <summary>
    /// A replica's address on the network: its IPv4 address there, or its name when the engine reports none. By address
    /// because names are resolved by Docker's DNS, which dockerd serves: with addresses, new connections to running
    /// replicas need no engine (routing goes on while it restarts), and a balancer on the Docker host itself can reach
    /// replicas on a bridge network. The address is stable: replicas are never restarted by the engine, only replaced.
    /// </summary>
    private Uri AddressOnNetwork(string name, IDictionary<string, EndpointSettings>? networks)
    {
        // The replica is attached to the configured network only; Network may name it or be (a prefix of) its id.
        var endpoint = networks is null ? null
            : networks.TryGetValue(_options.Network, out var named) ? named
            : networks.Count == 1 ? networks.Values.First()
            : null;
        var ipv4 = IPAddress.TryParse(endpoint?.IPAddress, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork;
        return NetworkAddress(ipv4 ? ip!.ToString() : name);
    }

    private Uri? PublishedAddress(ContainerInspectResponse container)
    {
        if (container.NetworkSettings?.Ports is { } ports && ports.TryGetValue(_portKey, out var bindings) && bindings is not null)
        {
            var binding = bindings.FirstOrDefault(b => !string.IsNullOrEmpty(b.HostPort));
            if (binding is not null)
            {
                var host = string.IsNullOrEmpty(binding.HostIP) || binding.HostIP == "0.0.0.0" ? "127.0.0.1" : binding.HostIP;
                return new Uri($"http://{host}:{binding.HostPort}/");
            }
        }
        return null;
    }

    internal static string ShortId(string id) => id.Length > 12 ? id[..12] : id;

    private static string? EventTime(Message message) =>
        message.TimeNano is { } nanos ? $"{nanos / 1_000_000_000}.{nanos % 1_000_000_000:D9}" : message.Time?.ToString(CultureInfo.InvariantCulture);

    private static string UnixTime(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs the callback on the thread that reads the stream, in order (Progress&lt;T&gt; would post it elsewhere).</summary>
    private sealed class SyncProgress(Action<Message> onMessage) : IProgress<Message>
    {
        public void Report(Message value) => onMessage(value);
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Started replica {Hostname} as container {ContainerId} at {Address}")]
    private static partial void LogStarted(ILogger logger, string hostname, string containerId, Uri address);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Stopped and removed replica {Hostname} (container {ContainerId})")]
    private static partial void LogStopped(ILogger logger, string hostname, string containerId);

    private protected override void LogStopped(string hostname, Inspected resource) => LogStopped(_logger, hostname, ShortId(resource.Id));

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Replica {Hostname} (container {ContainerId}) failed: {Reason}")]
    private static partial void LogReplicaDied(ILogger logger, string hostname, string containerId, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Docker engine error while trying to {Operation}: {Reason}")]
    private protected override partial void LogEngineError(string operation, string reason, Exception exception);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Lost the event stream of the Docker engine at {Endpoint}; reconnecting in {DelayMs} ms ({Reason})")]
    private static partial void LogEventsLost(ILogger logger, string endpoint, double delayMs, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Reconnected to the event stream of the Docker engine at {Endpoint}")]
    private static partial void LogEventsReconnected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Refused to touch container {ContainerName} ({ContainerId}): it does not carry this balancer's labels")]
    private static partial void LogRefused(ILogger logger, string containerName, string containerId);

    private protected override void LogRefused(Inspected resource) => LogRefused(_logger, resource.Name, ShortId(resource.Id));

    [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "Removing leftover replica container {Hostname} ({ContainerId}): {Reason}")]
    private static partial void LogRemovingLeftover(ILogger logger, string hostname, string containerId, string reason);

    private protected override void LogRemovingLeftover(ContainerListResponse resource, string reason) =>
        LogRemovingLeftover(_logger, HostnameOf(resource), ShortId(resource.ID), reason);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "Could not clean up {What}: {Reason}")]
    private protected override partial void LogCleanupFailed(string what, string reason);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "Created network {Network}")]
    private protected override partial void LogNetworkCreated(string network);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Balancer stopping: removed {Count} replica containers")]
    private protected override partial void LogShutdownRemoved(int count);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Left alone container {ContainerName} ({ContainerId}): it carries this balancer's labels but image label {ImageLabel}, not the configured image {Image}")]
    private static partial void LogOtherImage(ILogger logger, string containerName, string containerId, string imageLabel, string image);
}
