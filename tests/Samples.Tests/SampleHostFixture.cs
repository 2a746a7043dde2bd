using Ringway.TestSupport.Samples;

namespace Ringway.Samples.Tests;

/// <summary>One sample host (local Server processes, N = 3) shared by the tests that must leave it unchanged.</summary>
public sealed class SampleHostFixture : IAsyncLifetime
{
    public SampleHost Host { get; private set; } = null!;

    // 2 s per heartbeat probe instead of the shipped 500 ms: the tests sharing this host assert Server 1 to 3 throughout, and
    // on a busy CI machine two slow probes in a row would replace a live replica under a random name.
    public async Task InitializeAsync() => Host = await SampleHost.StartAsync("--Balancer:HeartbeatTimeout=00:00:02");

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
