using System.Net;
using Ringway.Samples.Tests.Infrastructure;
using Ringway.TestSupport.Samples;

namespace Ringway.Samples.Tests;

/// <summary>
/// The sample host's proxy defaults (samples/LoadBalancer/ProxyTuning.cs): the lean HTTP/1.1 forwarder, inline socket
/// completions and hosting's request logger off, each turned back the documented way. The banner prints what the running
/// process really uses; hosting's logger, once configured back on, writes its "Request starting" lines.
/// </summary>
public sealed class ProxyTuningTests : IAsyncLifetime
{
    private TestBackendServer _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackendServer.StartAsync();

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Start_Defaults_LeanForwarderAndInlineCompletions()
    {
        await using var host = await SampleHost.StartAsync(new Dictionary<string, string>(), "--backends", _backend.Address);

        Assert.Contains("Forwarder: Http1; socket completions: inline", host.Output, StringComparison.Ordinal);
        using var response = await host.Client.GetAsync("/home?key=tuning");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Start_DefaultsTurnedOff_YarpForwarderAndThreadPool()
    {
        await using var host = await SampleHost.StartAsync(
            new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "0" },
            "--backends", _backend.Address, "--Balancer:Forwarding:Forwarder=Yarp", "--Kestrel:Transport:UnsafePreferInlineScheduling=false",
            "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information");

        Assert.Contains("Forwarder: Yarp; socket completions: thread pool", host.Output, StringComparison.Ordinal);
        using var response = await host.Client.GetAsync("/home?key=tuning");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await WaitForOutputAsync(host, "Request starting");
    }

    private static async Task WaitForOutputAsync(SampleHost host, string text)
    {
        for (var i = 0; i < 100 && !host.Output.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(50); // the console logger writes on its own thread
        }

        Assert.Contains(text, host.Output, StringComparison.Ordinal);
    }
}
