using System.Threading.Channels;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Processes;

/// <summary>
/// The provider's child processes and their states under one lock: which run, which were announced or asked to stop,
/// whether the provider still starts any, and the exits nobody asked for, in the order they happened.
/// </summary>
internal sealed class ReplicaProcessTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, ReplicaProcess> _processes = [];
    private readonly Channel<Replica> _exits = Channel.CreateUnbounded<Replica>();
    private long _sequence;
    private bool _closed;

    /// <summary>Replicas whose process exited on its own after it was announced; completed by <see cref="CompleteExits"/>.</summary>
    public ChannelReader<Replica> Exits => _exits.Reader;

    /// <summary>From now on no process may start and exits are expected (the host stops).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    /// <summary>Closes the table and returns every process it tracks, to stop them all.</summary>
    public ReplicaProcess[] CloseAndList()
    {
        lock (_gate)
        {
            _closed = true;
            return [.. _processes.Values];
        }
    }

    public void ThrowIfClosed()
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw ClosedError();
            }
        }
    }

    public static ReplicaProviderException ClosedError() => new("The balancer is stopping: no replica process can be started.");

    /// <summary>
    /// Tracks a process from the moment it started, so that disposal stops processes that are still starting too.
    /// Returns false when the table is closed: the caller must stop it at once.
    /// </summary>
    public bool Track(ReplicaProcess process)
    {
        lock (_gate)
        {
            if (!process.Exited.IsCompleted)
            {
                _processes[process.Id] = process;
            }

            return !_closed;
        }
    }

    /// <summary>
    /// Announces processes that all listen, in the order given: from here on an exit is news for <see cref="Exits"/>, and
    /// never before the caller has the replica. Announces none and returns false when the table is closed or one of them
    /// has exited already (<paramref name="exited"/>).
    /// </summary>
    public bool TryAnnounce(IReadOnlyList<ReplicaProcess> processes, out ReplicaProcess? exited)
    {
        lock (_gate)
        {
            exited = processes.FirstOrDefault(process => process.Exited.IsCompleted);
            var announce = !_closed && exited is null;
            foreach (var process in processes)
            {
                process.Announced = announce;
                process.Sequence = ++_sequence;
            }

            return announce;
        }
    }

    /// <summary>The announced process with this id and hostname, or null when it is gone or not one of ours.</summary>
    public ReplicaProcess? FindAnnounced(int processId, string hostname)
    {
        lock (_gate)
        {
            return _processes.TryGetValue(processId, out var process) && process.Announced && process.Hostname == hostname ? process : null;
        }
    }

    /// <summary>The announced replicas that run and were not asked to stop, in the order they were started.</summary>
    public IReadOnlyList<Replica> Running()
    {
        lock (_gate)
        {
            return _processes.Values
                .Where(process => process.Announced && !process.StopRequested && !process.Exited.IsCompleted)
                .OrderBy(process => process.Sequence)
                .Select(process => process.ToReplica())
                .ToArray();
        }
    }

    /// <summary>Marks the process as asked to stop and returns the one stop of it, which <paramref name="stop"/> begins on the first call.</summary>
    public Task RequestStop(ReplicaProcess process, Func<ReplicaProcess, Task> stop)
    {
        lock (_gate)
        {
            process.StopRequested = true;
            return process.StopTask ??= Task.Run(() => stop(process), CancellationToken.None);
        }
    }

    /// <summary>
    /// Records that the process exited and stops tracking it. Returns true when nobody expected the exit (announced, not
    /// asked to stop, table open): the caller then reports it with <see cref="ReportExit"/>.
    /// </summary>
    public bool RecordExit(ReplicaProcess process, int exitCode)
    {
        lock (_gate)
        {
            // Process.Id, not process.Id: the exit may come before the starter has set the latter.
            var id = process.Process.Id;
            if (_processes.TryGetValue(id, out var tracked) && ReferenceEquals(tracked, process))
            {
                _processes.Remove(id);
            }

            process.SetExited(exitCode);
            return process.Announced && !process.StopRequested && !_closed;
        }
    }

    public void ReportExit(ReplicaProcess process) => _exits.Writer.TryWrite(process.ToReplica());

    public void CompleteExits() => _exits.Writer.TryComplete();
}
