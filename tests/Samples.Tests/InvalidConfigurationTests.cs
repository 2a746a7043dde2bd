using System.Diagnostics;
using Ringway.Samples.Analysis;
using Ringway.Samples.Analysis.Analyses;
using Ringway.Samples.Analysis.Cluster;
using Ringway.TestSupport.Processes;
using Ringway.TestSupport.Samples;

namespace Ringway.Samples.Tests;

/// <summary>
/// A configuration the balancer refuses stops the sample host with one line naming the option and exit code 78; the
/// analysis starts its A-4 balancers with settings every algorithm accepts, and reports a refusal by that line.
/// </summary>
public sealed class InvalidConfigurationTests
{
    [Theory]
    [InlineData("Invalid configuration: Balancer:Hashing:Algorithm Classic cannot hold Balancer:Replicas:MaxCount = 64 replicas: The classic ring holds at most 56 servers", "--Balancer:Hashing:Algorithm=Classic")]
    [InlineData("Invalid configuration: Balancer:Forwarding:MaxAttempts must be from 1 to 8.", "--Balancer:Forwarding:MaxAttempts=0")]
    [InlineData("Invalid configuration (section Replicas:Docker): Image is required", "--Replicas:Provider=docker", "--Replicas:Docker:Image=")]
    public async Task Start_RefusedOption_OneLineNamingItAndExitCode78(string expected, params string[] arguments)
    {
        var (exitCode, output, errors) = await RunSampleHostAsync(arguments);

        Assert.Equal(78, exitCode);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
        Assert.Equal("", output.Trim());
    }

    [Fact]
    public async Task AnalysisLiveBalancer_ClassicAlgorithm_StartsWithSettingsItAccepts()
    {
        var options = AnalysisCommand.Parse(["a4", "--balancer-command", AnalysisCommand.BalancerCommandFor(SampleHost.LoadBalancerDll)]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        await using var balancer = await BalancerProcess.StartAsync(options.BalancerCommand!, "Classic", A4HashComparison.LiveMaxReplicas(options), timeout.Token);

        using var client = new BalancerClient(balancer.Url);
        Assert.Equal(3, (await client.GetReplicasAsync(timeout.Token)).Count);
    }

    [Fact]
    public async Task AnalysisLiveBalancer_Refused_ReportsTheBalancersLine()
    {
        var command = AnalysisCommand.BalancerCommandFor(SampleHost.LoadBalancerDll);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var e = await Assert.ThrowsAsync<BalancerException>(() => BalancerProcess.StartAsync(command, "Classic", 64, timeout.Token));

        Assert.Contains("exited with code 78 (Invalid configuration: Balancer:Hashing:Algorithm Classic cannot hold Balancer:Replicas:MaxCount = 64", e.Message, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunSampleHostAsync(string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(SampleHost.LoadBalancerDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // it started instead of refusing: the assertions below say so
            await process.WaitForExitAsync();
        }

        return (process.ExitCode, await output, await errors);
    }
}
