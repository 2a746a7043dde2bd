using Ringway.TestSupport.Samples;

namespace Ringway.Samples.Tests;

/// <summary>One sample host (local Server processes, N = 3) shared by the tests that must leave it unchanged.</summary>
public sealed class SampleHostFixture : IAsyncLifetime
{
    public SampleHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await SampleHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
