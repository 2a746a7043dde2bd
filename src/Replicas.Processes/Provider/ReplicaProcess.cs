using System.Diagnostics;
using System.Globalization;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Processes;

/// <summary>One child process of <see cref="ProcessReplicaProvider"/> and what the provider knows about it.</summary>
internal sealed class ReplicaProcess(Process process, string hostname, Uri address)
{
    private const int TailLines = 20;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Process Process { get; } = process;

    public string Hostname { get; } = hostname;

    public Uri Address { get; } = address;

    /// <summary>Announce order, so that lists come out in the order replicas were started. Guarded by the table's lock.</summary>
    public long Sequence { get; set; }

    /// <summary>The process id; set right after the process started.</summary>
    public int Id { get; set; }

    /// <summary>Completes with the exit code when the process has exited.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>StartAsync returned it: from now on an exit is news for WatchExitsAsync. Guarded by the table's lock.</summary>
    public bool Announced { get; set; }

    /// <summary>Someone asked it to stop, so its exit is expected. Guarded by the table's lock.</summary>
    public bool StopRequested { get; set; }

    /// <summary>The one stop in progress or done, shared by concurrent StopAsync calls. Guarded by the table's lock.</summary>
    public Task? StopTask { get; set; }

    public Replica ToReplica() => new(Hostname, Address, Id.ToString(CultureInfo.InvariantCulture));

    public void SetExited(int exitCode) => _exited.TrySetResult(exitCode);

    public void AddOutput(string line)
    {
        lock (_tail)
        {
            if (_tail.Count == TailLines)
            {
                _tail.Dequeue();
            }

            _tail.Enqueue(line);
        }
    }

    /// <summary>The last lines the process wrote, for error messages and logs.</summary>
    public string OutputTail()
    {
        lock (_tail)
        {
            return _tail.Count == 0 ? "(none)" : string.Join(Environment.NewLine, _tail);
        }
    }
}
