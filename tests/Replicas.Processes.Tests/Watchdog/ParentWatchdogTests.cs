using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Ringway.Replicas.Processes.Tests.Support;
using Ringway.TestSupport.Processes;

namespace Ringway.Replicas.Processes.Tests.Watchdog;

/// <summary>The embedded watchdog script run by the real /bin/sh: what the wrapped command receives and which process it is.</summary>
[SupportedOSPlatform("linux")]
public sealed class ParentWatchdogTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly ChildProcessGuard _guard = new();

    public void Dispose() => _guard.Dispose();

    [Fact]
    public async Task Wrap_ArgumentsWithSpacesQuotesAndGlobs_ReachTheCommandUnchanged()
    {
        string[] arguments = ["%s|\n", "a b", "*", "$HOME", "'quoted' \"twice\"", ""];

        var (output, _) = await RunWrappedAsync("printf", arguments);

        Assert.Equal("a b|\n*|\n$HOME|\n'quoted' \"twice\"|\n|\n", output);
    }

    [Fact]
    public async Task Wrap_Command_RunsAsTheStartedProcessItselfAndTheWatchdogEndsWithIt()
    {
        // The command prints its own process id: exec keeps the shell's, so it is the id the provider sees.
        var (output, processId) = await RunWrappedAsync("/bin/sh", ["-c", "echo $$"]);

        Assert.Equal(processId.ToString(CultureInfo.InvariantCulture), output.Trim());
        Assert.True(await _guard.NoneRunningAsync(Limit), "The watchdog still runs: " + string.Join(", ", _guard.Running()));
    }

    private async Task<(string Output, int ProcessId)> RunWrappedAsync(string fileName, string[] arguments)
    {
        var startInfo = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
        ParentWatchdog.Wrap(startInfo, fileName, arguments, TimeSpan.FromSeconds(1));
        startInfo.Environment[ChildProcessGuard.Variable] = _guard.Marker;

        using var process = Process.Start(startInfo)!;
        using var limit = new CancellationTokenSource(Limit);
        var output = await process.StandardOutput.ReadToEndAsync(limit.Token);
        await process.WaitForExitAsync(limit.Token);
        Assert.Equal(0, process.ExitCode);
        return (output, process.Id);
    }
}
