using System.Diagnostics;
using System.Text;
using Ringway.TestSupport.Waiting;

namespace Ringway.TestSupport.Processes;

/// <summary>
/// A program started by a test, its standard output and error collected line by line. Every process of its tree carries
/// a marker variable; disposing sends SIGTERM, kills the tree if it has not exited after <see cref="StopTimeout"/>, then
/// kills by id whatever still carries the marker (a grandchild orphaned on the way, for example).
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const string MarkerVariable = "RINGWAY_TEST_PROCESS_MARKER";
    private readonly Process _process;
    private readonly string _marker;
    private readonly Action<string>? _onLine;
    private readonly StringBuilder _output = new();

    private ChildProcess(Process process, string marker, Action<string>? onLine)
    {
        _process = process;
        _marker = marker;
        _onLine = onLine;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>How long a SIGTERM is given before the tree is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Everything the program wrote so far, standard output and error interleaved by line.</summary>
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

    /// <summary>
    /// Starts <paramref name="program"/> with extra <paramref name="environment"/> variables (on top of this process's);
    /// <paramref name="onLine"/> sees each line of output as it arrives.
    /// </summary>
    public static ChildProcess Start(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null,
        Action<string>? onLine = null)
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

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var marker = Guid.NewGuid().ToString("N");
        start.Environment[MarkerVariable] = marker;
        var child = new ChildProcess(Process.Start(start)!, marker, onLine);
        child._process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Waits until <paramref name="ready"/> holds, failing with the program's output if it exits or takes a minute.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> ready, string what)
    {
        var ok = await Eventually.TrueAsync(async () => _process.HasExited || await ready(), TimeSpan.FromSeconds(60));
        if (!ok || _process.HasExited)
        {
            throw new InvalidOperationException($"{what} did not start:\n{Output}");
        }
    }

    /// <summary>Every running process of this program's tree (itself included), found by its marker variable.</summary>
    public IReadOnlyList<int> Tree() => ProcessTable.WithEnvironment(MarkerVariable, _marker);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        _onLine?.Invoke(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            ProcessTable.Signal(_process.Id, ProcessTable.SigTerm);
            using var timeout = new CancellationTokenSource(StopTimeout);
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

        // Whatever of the tree is left, by its own id; twice, in case one forked meanwhile.
        for (var sweep = 0; sweep < 2; sweep++)
        {
            foreach (var processId in Tree())
            {
                ProcessTable.Signal(processId, ProcessTable.SigKill);
            }
        }

        _process.Dispose();
    }
}
