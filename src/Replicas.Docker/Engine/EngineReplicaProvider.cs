using System.Collections.Concurrent;
using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Docker;

/// <summary>
/// What the container provider and the Swarm provider do alike: check the options, hold the engine client, turn engine
/// failures into <see cref="ReplicaProviderException"/>s, set up the replicas' network once, skip replicas of another
/// image, list (adopt) and stop replicas, and clean up on shutdown. How replicas are started and watched, and what a
/// replica is to the engine (<typeparamref name="TResource"/>: a container or a service), stays in each provider.
/// </summary>
/// <remarks>
/// Each provider logs under its own event ids (containers 4000-4049, Swarm 4050-4099), so the abstract <c>Log*</c>
/// members are [LoggerMessage] methods declared there (or wrappers of them); they use <see cref="_logger"/>.
/// </remarks>
internal abstract class EngineReplicaProvider<TOptions, TResource> : IReplicaProvider, IAsyncDisposable, IDisposable
    where TOptions : ContainerReplicaOptions
{
    private protected readonly TOptions _options;
    private protected readonly ILogger _logger;
    private protected readonly DockerClient _client;
    private protected readonly string _endpoint;
    private readonly string _network;
    private readonly bool _createNetwork;

    // Labelled replicas of another image, already logged: every listing skips them, the log says so once.
    private readonly ConcurrentDictionary<string, byte> _leftAlone = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _networkLock = new(1, 1);
    private bool _networkReady;
    private bool _createdNetwork;
    private int _disposed;

    private protected EngineReplicaProvider(TOptions options, ILogger logger, string network, bool createNetwork)
    {
        _options = options;
        var errors = _options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(typeof(TOptions).Name, typeof(TOptions), errors);
        }
        _logger = logger;
        _network = network;
        _createNetwork = createNetwork;
        _client = DockerEngine.CreateClient(_options);
        _endpoint = DockerEngine.Describe(_client);
    }

    public bool CanStart => true;

    public async Task<IReadOnlyList<Replica>> StartAsync(IReadOnlyList<string> hostnames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hostnames);
        if (hostnames.Count == 0)
        {
            return [];
        }
        var what = hostnames.Count == 1 ? $"start replica '{hostnames[0]}'" : $"start {hostnames.Count} replicas";
        return await StartReplicasAsync(hostnames, what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts one replica per hostname (at least one), all or none; <paramref name="what"/> names the work in errors.</summary>
    private protected abstract Task<IReadOnlyList<Replica>> StartReplicasAsync(IReadOnlyList<string> hostnames, string what, CancellationToken cancellationToken);

    public abstract IAsyncEnumerable<Replica> WatchExitsAsync(CancellationToken cancellationToken);

    /// <summary>Stops and removes a replica, after checking that the engine's resource is this balancer's; gone already is fine.</summary>
    public async Task StopAsync(Replica replica, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replica);
        Untrack(replica.ProviderId);
        var what = $"stop replica '{replica.Hostname}'";
        try
        {
            using var timeout = DockerEngine.Timeout(RemoveTimeout, cancellationToken);
            if (await InspectAsync(replica.ProviderId, timeout.Token).ConfigureAwait(false) is not { } found)
            {
                return; // gone already
            }
            if (!ResourceNames.BelongsTo(found.Labels, _options.InstanceName) || !ResourceNames.HasImage(found.Labels, _options.Image))
            {
                LogRefused(found);
                throw new ReplicaProviderException($"Cannot {what}: {Describe(found)} does not carry this balancer's labels (or not those of image '{_options.Image}'); it was left alone.");
            }
            await StopAndRemoveAsync(found.Id, timeout.Token).ConfigureAwait(false);
            LogStopped(replica.Hostname, found);
        }
        catch (Exception e) when (e is not ReplicaProviderException && !cancellationToken.IsCancellationRequested)
        {
            throw EngineFailure(e, what);
        }
    }

    /// <summary>
    /// This instance's replicas of the configured image, adopted: one per hostname (the oldest), running and reachable.
    /// The others (a balancer died between create and remove, a task without its port) are removed.
    /// </summary>
    public async Task<IReadOnlyList<Replica>> ListAsync(CancellationToken cancellationToken)
    {
        const string what = "list replicas";
        try
        {
            using var timeout = DockerEngine.Timeout(_options.EngineTimeout, cancellationToken);
            var listed = await ListOwnAsync(timeout.Token).ConfigureAwait(false);
            var locations = await LocationsAsync(listed, timeout.Token).ConfigureAwait(false);
            var replicas = new List<Replica>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var resource in OldestFirst(listed))
            {
                var hostname = HostnameOf(resource);
                if (!IsRunning(resource) || !seen.Add(hostname))
                {
                    LogRemovingLeftover(resource, StateOf(resource));
                    await RemoveQuietlyAsync(IdOf(resource)).ConfigureAwait(false);
                    continue;
                }
                if (await AddressOfAsync(resource, timeout.Token).ConfigureAwait(false) is not { } address)
                {
                    LogRemovingLeftover(resource, "no published port");
                    await RemoveQuietlyAsync(IdOf(resource)).ConfigureAwait(false);
                    continue;
                }
                var replica = new Replica(hostname, address, IdOf(resource)) { Location = locations.GetValueOrDefault(IdOf(resource)) };
                LogAdopted(resource, replica);
                Track(replica);
                replicas.Add(replica);
            }
            return replicas;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw EngineFailure(e, what);
        }
    }

    /// <summary>
    /// Every resource (container, service) carrying this instance's labels and the configured image. Every path that
    /// adopts, stops or removes listed replicas comes through here, so the image rule lives in it too.
    /// </summary>
    private protected abstract Task<IList<TResource>> ListOwnAsync(CancellationToken cancellationToken);

    /// <summary>The listed resources, oldest first: if a hostname appears twice, the older one stays.</summary>
    private protected abstract IEnumerable<TResource> OldestFirst(IList<TResource> listed);

    private protected abstract string IdOf(TResource resource);

    /// <summary>The replica's hostname, from its hostname label (<see cref="ListOwnAsync"/> lists only labelled resources).</summary>
    private protected abstract string HostnameOf(TResource resource);

    /// <summary>Whether the resource can serve: a listed container may have exited; a service is always taken as running.</summary>
    private protected virtual bool IsRunning(TResource resource) => true;

    /// <summary>The resource's state, as the leftover log gives it.</summary>
    private protected virtual string StateOf(TResource resource) => "";

    /// <summary>Where the balancer reaches the replica, or null when its port was not published.</summary>
    private protected abstract Task<Uri?> AddressOfAsync(TResource resource, CancellationToken cancellationToken);

    /// <summary>Where each listed resource runs (<see cref="Replica.Location"/>), by id; by default nowhere in particular.</summary>
    private protected virtual Task<IReadOnlyDictionary<string, string>> LocationsAsync(IList<TResource> listed, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    /// <summary>Logs a replica that listing adopted; by default nothing.</summary>
    private protected virtual void LogAdopted(TResource resource, Replica replica)
    {
    }

    /// <summary>Remembers a replica this provider adopted or started (for watching its exits); by default nothing.</summary>
    private protected virtual void Track(Replica replica)
    {
    }

    /// <summary>Forgets a replica before stopping it, so that its own stop is not reported as a failure; by default nothing.</summary>
    private protected virtual void Untrack(string providerId)
    {
    }

    /// <summary>A replica's resource as inspecting it by id tells: enough to check its labels and name it.</summary>
    private protected readonly record struct Inspected(string Id, string Name, IDictionary<string, string>? Labels);

    /// <summary>Looks a replica's resource up by its provider id; null when the engine no longer has it.</summary>
    private protected abstract Task<Inspected?> InspectAsync(string id, CancellationToken cancellationToken);

    /// <summary>Stops and removes one replica, giving it its grace period where the engine waits for that.</summary>
    private protected abstract Task StopAndRemoveAsync(string id, CancellationToken cancellationToken);

    /// <summary>The resource in messages, for example "container 0123456789ab" or "service web-1-x2y3z4".</summary>
    private protected abstract string Describe(Inspected resource);

    /// <summary>The time limit of stopping and removing one replica.</summary>
    private protected virtual TimeSpan RemoveTimeout => _options.EngineTimeout;

    /// <summary>The driver of the network this provider creates ("bridge", "overlay").</summary>
    private protected abstract string NetworkDriver { get; }

    /// <summary>Whether the network this provider creates is attachable (an overlay, so a balancer run as a plain container can join it).</summary>
    private protected virtual bool NetworkAttachable => false;

    /// <summary>What the network is called in messages ("network", "overlay network").</summary>
    private protected abstract string NetworkKind { get; }

    /// <summary>Removes one replica at once, without waiting for it to stop (cleaning up after a failure).</summary>
    private protected abstract Task RemoveAsync(string id, CancellationToken cancellationToken);

    /// <summary>Stops and removes every replica of this instance (on shutdown); returns how many there were.</summary>
    private protected abstract Task<int> RemoveOwnReplicasAsync(CancellationToken cancellationToken);

    private protected abstract void LogEngineError(string operation, string reason, Exception exception);

    private protected abstract void LogRefused(Inspected resource);

    private protected abstract void LogStopped(string hostname, Inspected resource);

    private protected abstract void LogRemovingLeftover(TResource resource, string reason);

    private protected abstract void LogCleanupFailed(string what, string reason);

    private protected abstract void LogNetworkCreated(string network);

    private protected abstract void LogShutdownRemoved(int count);

    /// <summary>Turns an engine failure while trying to <paramref name="what"/> into a clear error for the caller, and logs it.</summary>
    private protected ReplicaProviderException EngineFailure(Exception exception, string what)
    {
        var error = DockerEngine.Translate(exception, what, _endpoint, _options.Image, _network);
        LogEngineError(what, error.Message, exception);
        return error;
    }

    /// <summary>
    /// The listed items (containers or services) that are this instance's replicas of the configured image; the others
    /// with the instance's labels are left alone and handed to <paramref name="logOtherImage"/>, once per item.
    /// </summary>
    private protected List<T> OwnReplicas<T>(
        IEnumerable<T> listed, Func<T, IDictionary<string, string>?> labelsOf, Func<T, string> idOf, Action<T, string> logOtherImage) =>
        ResourceNames.OwnReplicas(listed, labelsOf, _options.InstanceName, _options.Image, (item, image) =>
        {
            if (_leftAlone.TryAdd(idOf(item), 0))
            {
                logOtherImage(item, image);
            }
        });

    /// <summary>A replica's address on the network: <paramref name="host"/> (a name or an IP address) and the container port.</summary>
    private protected Uri NetworkAddress(string host) => new($"http://{host}:{_options.ContainerPort.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>How <paramref name="id"/> appears in the cleanup log.</summary>
    private protected virtual string LogId(string id) => id;

    /// <summary>Removes a replica this provider created; never throws (used while cleaning up after a failure).</summary>
    private protected async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.EngineTimeout);
            await RemoveAsync(id, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            LogCleanupFailed(LogId(id), e.GetBaseException().Message);
        }
    }

    /// <summary>Whether an existing network is the configured one (the engine's name filter also matches parts of names).</summary>
    private protected virtual bool IsConfiguredNetwork(NetworkResponse network) => network.Name == _network;

    /// <summary>Refuses an existing network the replicas cannot use; by default any is accepted.</summary>
    private protected virtual void CheckExistingNetwork(NetworkResponse network, string what)
    {
    }

    /// <summary>Makes sure the replicas' network exists, creating it (labelled) when allowed; once per provider.</summary>
    private protected async Task EnsureNetworkAsync(string what, CancellationToken cancellationToken)
    {
        if (_networkReady)
        {
            return;
        }
        await _networkLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_networkReady)
            {
                return;
            }
            using var timeout = DockerEngine.Timeout(_options.EngineTimeout, cancellationToken);
            var existing = (await _client.Networks.ListNetworksAsync(new NetworksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [_network] = true } },
            }, timeout.Token).ConfigureAwait(false)).FirstOrDefault(IsConfiguredNetwork);
            if (existing is null)
            {
                if (!_createNetwork)
                {
                    throw new ReplicaProviderException($"Cannot {what}: {NetworkKind} '{_network}' does not exist (create it, or set CreateNetwork).");
                }
                await _client.Networks.CreateNetworkAsync(new NetworksCreateParameters
                {
                    Name = _network,
                    Driver = NetworkDriver,
                    Attachable = NetworkAttachable,
                    Labels = new Dictionary<string, string> { [ResourceNames.ManagedLabel] = "true", [ResourceNames.InstanceLabel] = _options.InstanceName },
                }, timeout.Token).ConfigureAwait(false);
                _createdNetwork = true;
                LogNetworkCreated(_network);
            }
            else
            {
                CheckExistingNetwork(existing, what);
            }
            _networkReady = true;
        }
        finally
        {
            _networkLock.Release();
        }
    }

    /// <summary>Deletes the network this provider created (on shutdown, after its replicas).</summary>
    private protected virtual Task DeleteNetworkAsync(string network, CancellationToken cancellationToken) =>
        _client.Networks.DeleteNetworkAsync(network, cancellationToken);

    /// <summary>Whether shutting down removes this instance's replicas (<see cref="ContainerReplicaOptions.OnShutdown"/>).</summary>
    private protected virtual bool RemovesOnShutdown => _options.OnShutdown == ReplicaShutdownBehavior.Remove;

    /// <summary>For hosts that dispose synchronously; the work is the same as <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>On shutdown: removes this instance's replicas (unless told to keep them) and the network if this provider made it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        try
        {
            if (RemovesOnShutdown)
            {
                using var timeout = new CancellationTokenSource(RemoveTimeout);
                LogShutdownRemoved(await RemoveOwnReplicasAsync(timeout.Token).ConfigureAwait(false));
                if (_createdNetwork)
                {
                    await DeleteNetworkAsync(_network, timeout.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            LogCleanupFailed(_options.InstanceName, e.GetBaseException().Message);
        }
        finally
        {
            _client.Dispose();
            _networkLock.Dispose();
        }
    }
}
