using System.ComponentModel;
using Microsoft.Extensions.Logging;

namespace Ringway.Replicas.Processes;

/// <summary>
/// Stops replica processes: SIGTERM, then SIGKILL after the grace period (on Windows, a kill at once). One stop per
/// process, however many callers ask for it.
/// </summary>
internal sealed class ProcessStopper(ReplicaProcessTable table, TimeSpan gracePeriod, ILogger logger, TimeProvider time)
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    /// <summary>Stops the process and waits for it. A cancelled caller stops waiting; the stop itself goes on, so nothing is left running.</summary>
    public Task StopAsync(ReplicaProcess process, CancellationToken cancellationToken) =>
        table.RequestStop(process, TerminateAsync).WaitAsync(cancellationToken);

    /// <summary>Kills the process and its descendants (the watchdog shell) at once.</summary>
    public static void Kill(ReplicaProcess process)
    {
        try
        {
            process.Process.Kill(entireProcessTree: true);
        }
        catch (Exception exception) when (exception is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // It exited in the meantime.
        }
    }

    /// <summary>Asks the process to stop without waiting (SIGTERM; on Windows a kill): the last thing a balancer that exits can do.</summary>
    public static void AskToStop(ReplicaProcess process)
    {
        if (OperatingSystem.IsWindows())
        {
            Kill(process);
            return;
        }

        try
        {
            PosixSignals.Terminate(process.Id);
        }
        catch (Win32Exception)
        {
            // Best effort: the watchdog or the child's own parent check ends it.
        }
    }

    private async Task TerminateAsync(ReplicaProcess process)
    {
        try
        {
            if (!process.Exited.IsCompleted)
            {
                ProcessReplicaLog.Stopping(logger, process.Hostname, process.Id);
                if (!OperatingSystem.IsWindows() && gracePeriod > TimeSpan.Zero)
                {
                    try
                    {
                        PosixSignals.Terminate(process.Id);
                        var exitCode = await process.Exited.WaitAsync(gracePeriod, time).ConfigureAwait(false);
                        ProcessReplicaLog.Stopped(logger, process.Hostname, process.Id, exitCode);
                        return;
                    }
                    catch (TimeoutException)
                    {
                        ProcessReplicaLog.Killed(logger, process.Hostname, process.Id, gracePeriod);
                    }
                    catch (Win32Exception exception)
                    {
                        ProcessReplicaLog.StopFailed(logger, exception, process.Hostname, process.Id);
                    }
                }

                Kill(process);
                try
                {
                    var exitCode = await process.Exited.WaitAsync(KillWait, time).ConfigureAwait(false);
                    ProcessReplicaLog.Stopped(logger, process.Hostname, process.Id, exitCode);
                }
                catch (TimeoutException exception)
                {
                    ProcessReplicaLog.StopFailed(logger, exception, process.Hostname, process.Id);
                }
            }
        }
        finally
        {
            if (process.Exited.IsCompleted)
            {
                process.Process.Dispose();
            }
        }
    }
}
