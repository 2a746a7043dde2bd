using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Docker;

/// <summary>Where replicas run: the node each new one goes to, waiting until Swarm runs it there, and the nodes of listed ones.</summary>
internal sealed partial class SwarmReplicaProvider
{
    private const string PinPrefix = "node.id==";
    private static readonly TimeSpan TaskPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The swarm's nodes and where this instance's replicas run now; null when replicas are not spread (Swarm places them).</summary>
    private async Task<NodePlacement?> PlacementAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(_options.SpreadOver))
        {
            return null;
        }
        using var timeout = DockerEngine.Timeout(_options.EngineTimeout, cancellationToken);
        var nodes = (await _client.Swarm.ListNodesAsync(timeout.Token).ConfigureAwait(false)).Select(SwarmNode.From).ToList();
        var services = await ListOwnAsync(timeout.Token).ConfigureAwait(false);
        var replicasByNode = services.Select(PinnedNode).OfType<string>()
            .GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new NodePlacement(nodes, _constraints, _options.SpreadOver, replicasByNode, Random.Shared);
    }

    /// <summary>
    /// Starts one replica and waits until Swarm runs its task: on the node <paramref name="placement"/> picks, pinned there;
    /// when that node does not run it, the service is removed and the next node tried, until none is left.
    /// </summary>
    private async Task<Replica> PlaceAsync(string hostname, NodePlacement? placement, CancellationToken cancellationToken)
    {
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<string>();
        while (true)
        {
            var node = placement?.Reserve(excluded);
            if (placement is not null && node is null)
            {
                throw new ReplicaProviderException(failures.Count > 0
                    ? $"Cannot start replica '{hostname}': it did not run on any node ({string.Join("; ", failures)})."
                    : $"Cannot start replica '{hostname}': no node of the swarm is ready and active{(_constraints.Count > 0 ? $" and satisfies the constraints {string.Join(", ", _constraints)}" : "")}.");
            }
            var (id, address) = await CreateServiceAsync(hostname, node, cancellationToken).ConfigureAwait(false);
            string? failure;
            string? runsOn;
            try
            {
                (runsOn, failure) = await WaitUntilRunningAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await RemoveQuietlyAsync(id).ConfigureAwait(false);
                throw;
            }
            if (failure is null)
            {
                var location = node?.Hostname ?? await NodeHostnameAsync(runsOn!, cancellationToken).ConfigureAwait(false);
                return new Replica(hostname, address, id) { Location = location };
            }
            await RemoveQuietlyAsync(id).ConfigureAwait(false);
            if (node is null)
            {
                throw new ReplicaProviderException($"Cannot start replica '{hostname}': {failure}.");
            }
            placement!.Release(node);
            excluded.Add(node.Id);
            failures.Add($"{node}: {failure}");
            LogNodeGivenUp(_logger, hostname, node.ToString(), failure);
        }
    }

    /// <summary>
    /// Polls the service's tasks until one runs (returns its node id), or its node cannot run it: a task that ended (rejected,
    /// failed: the image is missing there...), one Swarm cannot place ("no suitable node": its node went down), or none
    /// running within <see cref="SwarmReplicaOptions.TaskStartTimeout"/> (a node cut off but not yet marked down).
    /// </summary>
    private async Task<(string? NodeId, string? Failure)> WaitUntilRunningAsync(string serviceId, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var parameters = new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [serviceId] = true } },
        };
        var last = "no task yet";
        while (true)
        {
            using (var timeout = DockerEngine.Timeout(_options.EngineTimeout, cancellationToken))
            {
                var tasks = await _client.Tasks.ListAsync(parameters, timeout.Token).ConfigureAwait(false);
                if (tasks.FirstOrDefault(t => t.Status?.State == TaskState.Running && t.DesiredState == TaskState.Running) is { } running)
                {
                    return (running.NodeID, null);
                }
                // A new service: any task that ended already failed (Swarm starts the next one at once with RestartDelay 0, so
                // the newest may be preparing again while an earlier one was rejected).
                var ended = tasks.Where(t => t.Status?.State is TaskState.Failed or TaskState.Rejected or TaskState.Complete
                    or TaskState.Shutdown or TaskState.Orphaned or TaskState.Remove).OrderBy(t => t.CreatedAt).FirstOrDefault();
                if ((ended ?? tasks.OrderByDescending(t => t.CreatedAt).FirstOrDefault())?.Status is { } status)
                {
                    var error = string.IsNullOrEmpty(status.Err) ? status.Message : status.Err;
                    last = $"{status.State?.ToString().ToLowerInvariant()}{(string.IsNullOrEmpty(error) ? "" : $": {error}")}";
                    if (ended is not null || (status.State == TaskState.Pending && error?.Contains("no suitable node", StringComparison.OrdinalIgnoreCase) == true))
                    {
                        return (null, $"its task did not run ({last})");
                    }
                }
            }
            if (_time.GetElapsedTime(started) >= _options.TaskStartTimeout)
            {
                return (null, $"its task did not run within {_options.TaskStartTimeout.TotalSeconds:0.#} s (last state: {last})");
            }
            await Task.Delay(TaskPollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The constraints of a new replica's service: the configured ones, and its node when it is pinned to one.</summary>
    private List<string> PlacementConstraints(SwarmNode? node)
    {
        var constraints = _options.Constraints.ToList();
        if (node is not null)
        {
            constraints.Add(PinPrefix + node.Id);
        }
        return constraints;
    }

    /// <summary>The node a service is pinned to, or null.</summary>
    private static string? PinnedNode(SwarmService service) =>
        service.Spec?.TaskTemplate?.Placement?.Constraints?.FirstOrDefault(c => c.StartsWith(PinPrefix, StringComparison.Ordinal))?[PinPrefix.Length..];

    /// <summary>
    /// The hostname of the node each listed service runs on, by service id: the node it is pinned to, else the node of its
    /// running task. Services that run nowhere now are left out.
    /// </summary>
    private protected override async Task<IReadOnlyDictionary<string, string>> LocationsAsync(IList<SwarmService> services, CancellationToken cancellationToken)
    {
        var locations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (services.Count == 0)
        {
            return locations;
        }
        var nodes = (await _client.Swarm.ListNodesAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(n => n.ID, n => n.Description?.Hostname ?? n.ID, StringComparer.Ordinal);
        var unpinned = services.Where(s => PinnedNode(s) is null).Select(s => s.ID).ToList();
        var running = new Dictionary<string, string>(StringComparer.Ordinal);
        if (unpinned.Count > 0)
        {
            var tasks = await _client.Tasks.ListAsync(new TasksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["service"] = unpinned.ToDictionary(id => id, _ => true),
                    ["desired-state"] = new Dictionary<string, bool> { ["running"] = true },
                },
            }, cancellationToken).ConfigureAwait(false);
            foreach (var task in tasks.Where(t => t.Status?.State == TaskState.Running && t.ServiceID is not null && t.NodeID is not null))
            {
                running[task.ServiceID!] = task.NodeID!;
            }
        }
        foreach (var service in services)
        {
            if ((PinnedNode(service) ?? running.GetValueOrDefault(service.ID)) is { } nodeId)
            {
                locations[service.ID] = nodes.GetValueOrDefault(nodeId, nodeId);
            }
        }
        return locations;
    }

    private async Task<string> NodeHostnameAsync(string nodeId, CancellationToken cancellationToken)
    {
        using var timeout = DockerEngine.Timeout(_options.EngineTimeout, cancellationToken);
        var node = await _client.Swarm.InspectNodeAsync(nodeId, timeout.Token).ConfigureAwait(false);
        return node.Description?.Hostname ?? nodeId;
    }

    [LoggerMessage(EventId = 4062, Level = LogLevel.Warning, Message = "Replica {Hostname} did not run on node {Node}: {Reason}; placing it on another node")]
    private static partial void LogNodeGivenUp(ILogger logger, string hostname, string node, string reason);

    [LoggerMessage(EventId = 4063, Level = LogLevel.Information, Message = "Found replica {Hostname} (Swarm service {ServiceName}) on node {Node}")]
    private static partial void LogFound(ILogger logger, string hostname, string serviceName, string node);

    // Once per service: a balancer that follows another lists the replicas every few seconds.
    private protected override void LogAdopted(SwarmService resource, Replica replica)
    {
        if (_announced.TryAdd(resource.ID, 0))
        {
            LogFound(_logger, replica.Hostname, NameOf(resource), replica.Location ?? "(none now)");
        }
    }
}
