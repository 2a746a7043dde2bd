using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Ringway.Replicas.Processes;
using Ringway.Replicas.Processes.Tests.Support;
using Ringway.TestSupport.Processes;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Replicas.Processes.Tests.Watchdog;

/// <summary>
/// No replica outlives its balancer: a real balancer-like process (tests/ProcessParentFixture) starts two replicas through
/// AddProcessReplicas, then is killed or stopped, and its children must be gone within a few seconds.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ParentDeathTests(ITestOutputHelper output) : IDisposable
{
    // The watchdog and the server check once a second or faster; the rest is process start-up on a busy machine.
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly ChildProcessGuard _guard = new();

    public void Dispose() => _guard.Dispose();

    [Fact]
    public async Task ParentKilled_ServerWatchingItsParentWithoutWatchdog_ChildrenExit()
    {
        using var parent = await StartParentAsync(watchdog: false, DotnetHost.Executable, BuildOutputs.ServerDll, "--urls", "http://{host}:{port}");

        parent.Process.Kill(); // SIGKILL: the balancer has no chance to stop anything

        await AssertChildrenEndAsync(parent);
    }

    [Fact]
    public async Task ParentKilled_CommandIgnoringItsParent_WatchdogEndsIt()
    {
        // "listen" accepts connections and never looks at its parent: only the watchdog can end it.
        using var parent = await StartParentAsync(watchdog: true, DotnetHost.Executable, BuildOutputs.FixtureDll, "listen");

        parent.Process.Kill();

        await AssertChildrenEndAsync(parent);
    }

    [Fact]
    public async Task ParentTerminated_GracefulShutdown_StopsChildrenBeforeExiting()
    {
        using var parent = await StartParentAsync(watchdog: true, DotnetHost.Executable, BuildOutputs.ServerDll, "--urls", "http://{host}:{port}");

        Assert.True(PosixSignals.Terminate(parent.Process.Id)); // SIGTERM, as from Ctrl-C or docker stop
        using (var exit = new CancellationTokenSource(Limit))
        {
            await parent.Process.WaitForExitAsync(exit.Token);
        }

        Assert.Equal(0, parent.Process.ExitCode);
        // The host disposed the provider, which waited for every child: nothing is left, without polling.
        Assert.All(parent.Replicas, child => Assert.False(ProcessTable.IsRunning(child.ProcessId, child.StartTime)));
    }

    private async Task AssertChildrenEndAsync(ParentProcess parent)
    {
        Assert.All(parent.Replicas, child => Assert.True(ProcessTable.IsRunning(child.ProcessId, child.StartTime)));
        await parent.Process.WaitForExitAsync();

        var gone = await Eventually.TrueAsync(() => parent.Replicas.All(child => !ProcessTable.IsRunning(child.ProcessId, child.StartTime)), Limit, pollMilliseconds: 100);

        Assert.True(gone, $"Replica processes still run {Limit} after their parent died: {string.Join(", ", parent.Replicas.Where(c => ProcessTable.IsRunning(c.ProcessId, c.StartTime)).Select(c => c.ProcessId))}");
        // Watchdog shells end too.
        Assert.True(await _guard.NoneRunningAsync(Limit), "Processes of the test still run: " + string.Join(", ", _guard.Running()));
    }

    private async Task<ParentProcess> StartParentAsync(bool watchdog, string fileName, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(DotnetHost.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { BuildOutputs.FixtureDll, "parent", watchdog ? "true" : "false", "a,b", fileName }.Concat(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment[ChildProcessGuard.Variable] = _guard.Marker; // the parent and all its descendants
        var process = Process.Start(startInfo)!;
        var parent = new ParentProcess(process);
        try
        {
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    ready.TrySetException(new InvalidOperationException("The parent fixture ended before it was ready."));
                    return;
                }

                Log(e.Data);
                var words = e.Data.Split(' ', 4);
                if (words is ["replica", _, var id, _])
                {
                    var processId = int.Parse(id, CultureInfo.InvariantCulture);
                    parent.Replicas.Add(new Child(processId, ProcessTable.StartTime(processId) ?? "gone"));
                }
                else if (e.Data == "ready")
                {
                    ready.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, e) => Log(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
            Assert.Equal(2, parent.Replicas.Count);
            return parent;
        }
        catch
        {
            parent.Dispose();
            throw;
        }
    }

    private void Log(string? line)
    {
        try
        {
            output.WriteLine(line ?? string.Empty);
        }
        catch (InvalidOperationException)
        {
            // The test has ended.
        }
    }

    private sealed record Child(int ProcessId, string StartTime);

    /// <summary>The fixture process; disposing it kills it by id if it still runs.</summary>
    private sealed class ParentProcess(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public List<Child> Replicas { get; } = [];

        public void Dispose()
        {
            try
            {
                Process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited already.
            }

            Process.Dispose();
        }
    }
}
