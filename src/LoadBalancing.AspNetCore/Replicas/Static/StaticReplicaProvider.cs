namespace Ringway.LoadBalancing.AspNetCore.Replicas.Static;

/// <summary>Fixed replicas at known addresses: routed to and probed, never started or stopped.</summary>
internal sealed class StaticReplicaProvider(IReadOnlyList<Replica> replicas) : IReplicaProvider
{
    public bool CanStart => false;

    public IReadOnlyList<Replica> Replicas { get; } = replicas;

    public Task<IReadOnlyList<Replica>> StartAsync(IReadOnlyList<string> hostnames, CancellationToken cancellationToken)
        => throw new ReplicaProviderException("This balancer routes to fixed addresses and cannot start replicas.");

    public Task StopAsync(Replica replica, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<Replica>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(Replicas);

    public async IAsyncEnumerable<Replica> WatchExitsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }
}
