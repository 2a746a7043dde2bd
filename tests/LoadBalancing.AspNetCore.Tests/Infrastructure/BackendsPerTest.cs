namespace Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Starts one real backend per name before each test and stops them after it (xunit makes a class instance per test),
/// so every test routes over fresh backends that answer with their own name.
/// </summary>
public abstract class BackendsPerTest(params string[] names) : IAsyncLifetime
{
    private protected TestBackend[] Backends { get; private set; } = [];

    public async Task InitializeAsync() => Backends = await Task.WhenAll(names.Select(name => TestBackend.StartAsync(name)));

    public async Task DisposeAsync()
    {
        foreach (var backend in Backends)
        {
            await backend.DisposeAsync();
        }
    }
}
