namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// Starts, lists and stops replicas: local processes, Docker containers, Swarm services, or fixed addresses.
/// The replica supervisor is its only caller and serialises its calls.
/// </summary>
public interface IReplicaProvider
{
    /// <summary>Whether <see cref="StartAsync"/> can create replicas (false for fixed addresses).</summary>
    bool CanStart { get; }

    /// <summary>
    /// Starts one replica per hostname and returns them once started; they may not answer heartbeats yet.
    /// All or nothing: on failure, replicas this call started are stopped before the exception propagates.
    /// </summary>
    /// <exception cref="ReplicaProviderException">The replicas could not be started (engine down, image missing...).</exception>
    Task<IReadOnlyList<Replica>> StartAsync(IReadOnlyList<string> hostnames, CancellationToken cancellationToken);

    /// <summary>Stops and removes a replica this provider started or adopted. Stopping one that is gone already succeeds.</summary>
    Task StopAsync(Replica replica, CancellationToken cancellationToken);

    /// <summary>The replicas of this provider that run now (used on start to adopt replicas that survived a restart).</summary>
    Task<IReadOnlyList<Replica>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Replicas that died on their own, as the provider notices them (process exit, container die event).
    /// Providers that cannot tell yield nothing; heartbeats catch those failures.
    /// </summary>
    IAsyncEnumerable<Replica> WatchExitsAsync(CancellationToken cancellationToken);
}
