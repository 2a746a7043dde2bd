using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Docker.Tests.Containers;

/// <summary>No engine at the endpoint: every operation fails with a message that says so (no engine needed to test this).</summary>
public sealed class EngineUnreachableTests : IAsyncLifetime
{
    private readonly string _socket = Path.Combine(Path.GetTempPath(), $"ringway-no-engine-{Guid.NewGuid():N}.sock");
    private DockerReplicaProvider _provider = null!;

    public Task InitializeAsync()
    {
        _provider = new DockerReplicaProvider(Options.Create(new DockerReplicaOptions
        {
            Image = "ringway/sample-server",
            Endpoint = new Uri($"unix://{_socket}"),
            EngineTimeout = TimeSpan.FromSeconds(5),
        }), NullLogger<DockerReplicaProvider>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task StartAsync_NoEngine_ThrowsNotReachable()
    {
        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => _provider.StartAsync(["A"], CancellationToken.None));

        Assert.Contains("Cannot start replica 'A'", error.Message);
        Assert.Contains("is not reachable", error.Message);
        Assert.Contains(_socket, error.Message);
    }

    [Fact]
    public async Task ListAsync_NoEngine_ThrowsNotReachable()
    {
        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => _provider.ListAsync(CancellationToken.None));

        Assert.Contains("is not reachable", error.Message);
    }

    [Fact]
    public async Task WatchExitsAsync_NoEngine_KeepsRetryingUntilCancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var yielded = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in _provider.WatchExitsAsync(cancel.Token))
            {
                yielded++;
            }
        });

        Assert.Equal(0, yielded);
        Assert.True(cancel.IsCancellationRequested);
    }
}
