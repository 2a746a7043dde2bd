namespace Ringway.LoadBalancing.AspNetCore.Replicas;

/// <summary>The provider of a balancer that was given none: no replicas, and none can be started (/add answers 400).</summary>
internal sealed class NoReplicaProvider : IReplicaProvider
{
    public static readonly NoReplicaProvider Instance = new();

    public bool CanStart => false;

    public Task<IReadOnlyList<Replica>> StartAsync(IReadOnlyList<string> hostnames, CancellationToken cancellationToken)
        => throw new ReplicaProviderException("This balancer has no replica provider and cannot start replicas.");

    public Task StopAsync(Replica replica, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<Replica>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Replica>>([]);

    public async IAsyncEnumerable<Replica> WatchExitsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }
}
