using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.Replicas.Processes.Tests.Support;
using Ringway.TestSupport.Processes;

namespace Ringway.Replicas.Processes.Tests;

/// <summary>AddProcessReplicas in a real generic host.</summary>
public sealed class ProcessReplicasBuilderExtensionsTests : IDisposable
{
    private readonly ChildProcessGuard _guard = new();

    public void Dispose() => _guard.Dispose();

    [Fact]
    public async Task AddProcessReplicas_HostStopsAndDisposes_NoChildIsLeft()
    {
        var host = BuildHost(ConfigureServer);
        await host.StartAsync();
        var replicas = await host.Services.GetRequiredService<IReplicaProvider>().StartAsync(["a", "b"], CancellationToken.None);
        Assert.All(replicas, replica => Assert.True(ProcessTable.IsRunning(Pid(replica))));

        await host.StopAsync();
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }

        Assert.All(replicas, replica => Assert.False(ProcessTable.IsRunning(Pid(replica))));
    }

    [Fact]
    public async Task AddProcessReplicas_HostStopping_RefusesNewReplicas()
    {
        using var host = BuildHost(ConfigureServer);
        await host.StartAsync();
        var provider = host.Services.GetRequiredService<IReplicaProvider>();

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => provider.StartAsync(["a"], CancellationToken.None));
        Assert.Contains("stopping", error.Message, StringComparison.Ordinal);
        Assert.Empty(_guard.Running());
        await host.StopAsync();
    }

    [Fact]
    public async Task AddProcessReplicas_NoCommand_HostStartFailsWithClearMessage()
    {
        using var host = BuildHost(configure: null);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("No command is configured for process replicas", error.Message, StringComparison.Ordinal);
        Assert.Contains("FileName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddProcessReplicas_AfterAnotherProvider_ReplacesIt()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IReplicaProvider, UnusedProvider>();

        new TestBalancerBuilder(services).AddProcessReplicas(ConfigureServer).AddProcessReplicas(ConfigureServer);

        Assert.Single(services, descriptor => descriptor.ServiceType == typeof(IReplicaProvider));
        using var container = services.BuildServiceProvider();
        var provider = container.GetRequiredService<IReplicaProvider>();
        Assert.IsType<ProcessReplicaProvider>(provider);
        Assert.True(provider.CanStart);
    }

    [Fact]
    public void AddProcessReplicas_Options_StateTheDocumentedDefaults()
    {
        var options = new ProcessReplicaOptions();

        Assert.Null(options.FileName);
        Assert.Empty(options.Arguments);
        Assert.Null(options.WorkingDirectory);
        Assert.Empty(options.Environment);
        Assert.Equal("PORT", options.PortEnvironmentVariable);
        Assert.Equal("SERVER_ID", options.IdEnvironmentVariable);
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(TimeSpan.FromSeconds(30), options.StartTimeout);
        Assert.Equal(3, options.MaxStartAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), options.StopGracePeriod);
        Assert.True(options.UseWatchdog);
    }

    private IHost BuildHost(Action<ProcessReplicaOptions>? configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        new TestBalancerBuilder(builder.Services).AddProcessReplicas(configure);
        return builder.Build();
    }

    private void ConfigureServer(ProcessReplicaOptions options)
    {
        options.FileName = DotnetHost.Executable;
        options.Arguments.Clear();
        options.Arguments.Add(BuildOutputs.ServerDll);
        options.Arguments.Add("--urls");
        options.Arguments.Add("http://{host}:{port}");
        options.Environment[ChildProcessGuard.Variable] = _guard.Marker;
    }

    private static int Pid(Replica replica) => int.Parse(replica.ProviderId, CultureInfo.InvariantCulture);

    private sealed class TestBalancerBuilder(IServiceCollection services) : IConsistentHashBalancerBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    private sealed class UnusedProvider : IReplicaProvider
    {
        public bool CanStart => false;

        public Task<IReadOnlyList<Replica>> StartAsync(IReadOnlyList<string> hostnames, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task StopAsync(Replica replica, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<Replica>> ListAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<Replica> WatchExitsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
