using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Docker;

/// <summary>
/// Each replica is a one-task Swarm service labelled <c>io.ringway.*</c> on an attachable overlay network: Swarm
/// places it on any node and restarts its task when it fails. Only services with this instance's labels are touched.
/// </summary>
internal sealed partial class SwarmReplicaProvider : EngineReplicaProvider<SwarmReplicaOptions, SwarmService>
{
    private readonly TimeProvider _time;
    private readonly List<NodeConstraint> _constraints;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _announced = new(StringComparer.Ordinal);

    public SwarmReplicaProvider(IOptions<SwarmReplicaOptions> options, ILogger<SwarmReplicaProvider> logger, TimeProvider? time = null)
        : base(options.Value, logger, options.Value.Network, options.Value.CreateNetwork)
    {
        _time = time ?? TimeProvider.System;
        _constraints = _options.ParsedConstraints();
    }

    private protected override string NetworkDriver => "overlay";

    private protected override bool NetworkAttachable => true;

    private protected override string NetworkKind => "overlay network";

    // Replicas shared with other balancers keep serving them when this one stops.
    private protected override bool RemovesOnShutdown => base.RemovesOnShutdown && !_options.Leadership.Enabled;

    private protected override async Task<IReadOnlyList<Replica>> StartReplicasAsync(IReadOnlyList<string> hostnames, string what, CancellationToken cancellationToken)
    {
        var attempts = new List<Task<Replica>>();
        try
        {
            await EnsureNetworkAsync(what, cancellationToken).ConfigureAwait(false);
            var placement = await PlacementAsync(cancellationToken).ConfigureAwait(false);
            // Together: each waits for its task to run, which takes seconds; the nodes are chosen one after another.
            attempts.AddRange(hostnames.Select(hostname => PlaceAsync(hostname, placement, cancellationToken)));
            await Task.WhenAll(attempts).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // All or nothing: remove what did start, then report the first failure.
            foreach (var started in attempts.Where(a => a.IsCompletedSuccessfully))
            {
                await RemoveQuietlyAsync(started.Result.ProviderId).ConfigureAwait(false);
            }
            var failure = attempts.FirstOrDefault(a => a.IsFaulted)?.Exception?.GetBaseException() ?? e;
            throw EngineFailure(failure, what);
        }
        var replicas = attempts.Select(a => a.Result).ToList();
        foreach (var replica in replicas)
        {
            LogStarted(_logger, replica.Hostname, replica.ProviderId, replica.Location ?? "(unknown)", replica.Address);
        }
        return replicas;
    }

    /// <summary>Creates the service of one replica, pinned to <paramref name="node"/> when there is one; returns its id and address.</summary>
    private async Task<(string Id, Uri Address)> CreateServiceAsync(string hostname, SwarmNode? node, CancellationToken cancellationToken)
    {
        var name = ResourceNames.ResourceName(hostname);
        var labels = ResourceNames.Labels(_options.InstanceName, hostname, _options.Image);
        var spec = new ServiceSpec
        {
            Name = name,
            Labels = labels,
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = _options.Image,
                    Labels = labels,
                    Hostname = ResourceNames.DnsLabel(hostname),
                    Env = DockerEngine.EnvironmentFor(_options, hostname),
                    StopGracePeriod = _options.StopTimeout,
                },
                RestartPolicy = new SwarmRestartPolicy { Condition = "any", Delay = _options.RestartDelay },
                Resources = new ResourceRequirements
                {
                    Limits = new SwarmLimit
                    {
                        MemoryBytes = _options.MemoryLimitBytes ?? 0,
                        NanoCPUs = _options.CpuLimit is { } cpus ? (long)(cpus * 1e9) : 0,
                    },
                },
                Placement = new Placement { Constraints = PlacementConstraints(node) },
                Networks = [new NetworkAttachmentConfig { Target = _options.Network, Aliases = ResourceNames.Aliases(hostname) }],
            },
            // One task per service: a virtual IP would balance over a single task, and needs IPVS on every node. DNS round
            // robin resolves the service name straight to its task. Published ports then use host mode on a port picked here.
            EndpointSpec = new EndpointSpec
            {
                Mode = _options.UseVirtualIp ? "vip" : "dnsrr",
                Ports = _options.UsePublishedPorts
                    ? [new PortConfig
                    {
                        Protocol = "tcp",
                        TargetPort = (uint)_options.ContainerPort,
                        PublishedPort = (uint)FreeLoopbackPort(),
                        PublishMode = _options.UseVirtualIp ? "ingress" : "host",
                    }]
                    : null,
            },
        };
        using var timeout = DockerEngine.Timeout(_options.EngineTimeout, cancellationToken);
        var created = await _client.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec }, timeout.Token).ConfigureAwait(false);
        var id = created.ID ?? throw new ReplicaProviderException($"Cannot start replica '{hostname}': the engine returned no service id.");
        try
        {
            var address = _options.UsePublishedPorts
                ? PublishedAddress(await _client.Swarm.InspectServiceAsync(id, timeout.Token).ConfigureAwait(false))
                : NetworkAddress(name);
            return (id, address ?? throw new ReplicaProviderException($"Cannot start replica '{hostname}': Swarm published no port."));
        }
        catch
        {
            await RemoveQuietlyAsync(id).ConfigureAwait(false);
            throw;
        }
    }

    private protected override async Task<Inspected?> InspectAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var service = await _client.Swarm.InspectServiceAsync(id, cancellationToken).ConfigureAwait(false);
            return new Inspected(service.ID, service.Spec?.Name ?? service.ID, service.Spec?.Labels);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private protected override string Describe(Inspected resource) => $"service {resource.Name}";

    // Removing a service needs no wait: Swarm stops its task (with StopGracePeriod) after answering.
    private protected override Task StopAndRemoveAsync(string id, CancellationToken cancellationToken) => RemoveAsync(id, cancellationToken);

    private protected override IEnumerable<SwarmService> OldestFirst(IList<SwarmService> listed) => listed.OrderBy(s => s.CreatedAt);

    private protected override string IdOf(SwarmService resource) => resource.ID;

    private protected override string HostnameOf(SwarmService resource) => resource.Spec!.Labels![ResourceNames.HostnameLabel];

    private protected override Task<Uri?> AddressOfAsync(SwarmService resource, CancellationToken cancellationToken) =>
        Task.FromResult(_options.UsePublishedPorts ? PublishedAddress(resource) : NetworkAddress(NameOf(resource)));

    private static string NameOf(SwarmService service) => service.Spec?.Name ?? service.ID;

    /// <summary>Swarm restarts failed tasks of a service itself, so there is nothing to replace: this yields nothing.</summary>
    public override async IAsyncEnumerable<Replica> WatchExitsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            yield break;
        }
        yield break;
    }

    private protected override async Task<IList<SwarmService>> ListOwnAsync(CancellationToken cancellationToken)
    {
        var services = await _client.Swarm.ListServicesAsync(
            new ServiceListParameters { Filters = ResourceNames.InstanceFilter(_options.InstanceName) },
            cancellationToken).ConfigureAwait(false);
        return OwnReplicas(services, s => s.Spec?.Labels, s => s.ID, (service, image) =>
            LogOtherImage(_logger, NameOf(service), image, _options.Image));
    }

    private protected override async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Swarm.RemoveServiceAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Removed meanwhile.
        }
    }

    private protected override async Task<int> RemoveOwnReplicasAsync(CancellationToken cancellationToken)
    {
        var services = await ListOwnAsync(cancellationToken).ConfigureAwait(false);
        foreach (var service in services)
        {
            await RemoveAsync(service.ID, cancellationToken).ConfigureAwait(false);
        }
        return services.Count;
    }

    private protected override void CheckExistingNetwork(NetworkResponse network, string what)
    {
        if (network.Driver != "overlay")
        {
            throw new ReplicaProviderException($"Cannot {what}: network '{_options.Network}' is a {network.Driver} network, not an overlay network.");
        }
    }

    // Task containers leave the overlay a few seconds after their service is removed; until then the network is in use.
    private protected override async Task DeleteNetworkAsync(string network, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _client.Networks.DeleteNetworkAsync(network, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DockerNetworkNotFoundException)
            {
                return;
            }
            catch (DockerApiException e) when (e.StatusCode != HttpStatusCode.NotFound)
            {
                if (attempt == 40)
                {
                    throw;
                }
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A port free on this machine now; the task publishes it (on a one-node swarm, this machine).</summary>
    private static int FreeLoopbackPort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private Uri? PublishedAddress(SwarmService service)
    {
        var port = (service.Spec?.EndpointSpec?.Ports ?? service.Endpoint?.Ports)?
            .FirstOrDefault(p => p.TargetPort == (uint)_options.ContainerPort && p.PublishedPort is > 0);
        return port is null ? null : new Uri($"http://127.0.0.1:{port.PublishedPort!.Value.ToString(CultureInfo.InvariantCulture)}/");
    }

    [LoggerMessage(EventId = 4050, Level = LogLevel.Information, Message = "Started replica {Hostname} as Swarm service {ServiceId} on node {Node} at {Address}")]
    private static partial void LogStarted(ILogger logger, string hostname, string serviceId, string node, Uri address);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Information, Message = "Removed replica {Hostname} (Swarm service {ServiceName})")]
    private static partial void LogStopped(ILogger logger, string hostname, string serviceName);

    private protected override void LogStopped(string hostname, Inspected resource) => LogStopped(_logger, hostname, resource.Name);

    [LoggerMessage(EventId = 4053, Level = LogLevel.Error, Message = "Docker engine error while trying to {Operation}: {Reason}")]
    private protected override partial void LogEngineError(string operation, string reason, Exception exception);

    [LoggerMessage(EventId = 4056, Level = LogLevel.Warning, Message = "Refused to touch Swarm service {ServiceName}: it does not carry this balancer's labels")]
    private static partial void LogRefused(ILogger logger, string serviceName);

    private protected override void LogRefused(Inspected resource) => LogRefused(_logger, resource.Name);

    [LoggerMessage(EventId = 4057, Level = LogLevel.Information, Message = "Removing leftover replica service {Hostname} ({ServiceName})")]
    private static partial void LogRemovingLeftover(ILogger logger, string hostname, string serviceName);

    // A service has no state of its own here: the reason is left out of its message.
    private protected override void LogRemovingLeftover(SwarmService resource, string reason) =>
        LogRemovingLeftover(_logger, HostnameOf(resource), NameOf(resource));

    [LoggerMessage(EventId = 4058, Level = LogLevel.Warning, Message = "Could not clean up {What}: {Reason}")]
    private protected override partial void LogCleanupFailed(string what, string reason);

    [LoggerMessage(EventId = 4059, Level = LogLevel.Information, Message = "Created overlay network {Network}")]
    private protected override partial void LogNetworkCreated(string network);

    [LoggerMessage(EventId = 4060, Level = LogLevel.Information, Message = "Balancer stopping: removed {Count} replica services")]
    private protected override partial void LogShutdownRemoved(int count);

    [LoggerMessage(EventId = 4061, Level = LogLevel.Warning, Message = "Left alone Swarm service {ServiceName}: it carries this balancer's labels but image label {ImageLabel}, not the configured image {Image}")]
    private static partial void LogOtherImage(ILogger logger, string serviceName, string imageLabel, string image);
}
