using System.Diagnostics;
using System.Text;
using Ringway.TestSupport.Processes;

namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>
/// A third-party program started by the tests. Every process of its tree carries a marker variable; disposing sends
/// SIGTERM, kills the tree if it does not exit, then kills by id whatever still carries the marker.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const string MarkerVariable = "RINGWAY_CONFORMANCE_MARKER";
    private readonly Process _process;
    private readonly string _marker;
    private readonly StringBuilder _output = new();

    private ChildProcess(Process process, string marker)
    {
        _process = process;
        _marker = marker;
    }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ChildProcess Start(string program, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var marker = Guid.NewGuid().ToString("N");
        start.Environment[MarkerVariable] = marker;
        var child = new ChildProcess(Process.Start(start)!, marker);
        child._process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until <paramref name="ready"/> holds, failing with the program's output if it exits or takes too long.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> ready, string what)
    {
        var ok = await ProcessTable.EventuallyAsync(async () => _process.HasExited || await ready(), TimeSpan.FromSeconds(60), 50);
        if (!ok || _process.HasExited)
        {
            throw new InvalidOperationException($"{what} did not start:\n{Output}");
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            ProcessTable.Signal(_process.Id, ProcessTable.SigTerm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        foreach (var processId in ProcessTable.WithEnvironment(MarkerVariable, _marker))
        {
            ProcessTable.Signal(processId, ProcessTable.SigKill);
        }

        _process.Dispose();
    }
}
