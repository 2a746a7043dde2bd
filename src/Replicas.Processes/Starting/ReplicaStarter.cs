using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Processes;

/// <summary>
/// Starts one replica process: a free port, the command, and a wait until it listens there. A process that exits before
/// listening (another program took the port in between) is started again on a fresh port, up to
/// <see cref="ProcessReplicaOptions.MaxStartAttempts"/> times.
/// </summary>
internal sealed class ReplicaStarter
{
    private readonly ProcessReplicaOptions _options;
    private readonly IPAddress _host;
    private readonly bool _useWatchdog;
    private readonly ReplicaProcessTable _table;
    private readonly ProcessStopper _stopper;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public ReplicaStarter(ProcessReplicaOptions options, ReplicaProcessTable table, ProcessStopper stopper, ILogger logger, TimeProvider time)
    {
        _options = options;
        _host = IPAddress.Parse(options.Host);
        _useWatchdog = options.UseWatchdog && ParentWatchdog.IsSupported;
        _table = table;
        _stopper = stopper;
        _logger = logger;
        _time = time;
    }

    /// <summary>The started process, listening and tracked in the table but not announced yet.</summary>
    /// <exception cref="ReplicaProviderException">It could not be started; it is stopped and logged.</exception>
    public async Task<ReplicaProcess> StartAsync(string hostname, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int port;
            try
            {
                port = FreePort.Find(_host);
            }
            catch (SocketException exception)
            {
                throw new ReplicaProviderException($"Replica '{hostname}' could not be started: no free port on {_host}: {exception.Message}", exception);
            }

            var process = Launch(hostname, port, attempt);
            bool listening;
            try
            {
                listening = await ListenProbe.WaitAsync(new IPEndPoint(_host, port), process.Exited, _options.StartTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await _stopper.StopAsync(process, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            if (listening && !process.Exited.IsCompleted)
            {
                return process;
            }

            if (!process.Exited.IsCompleted)
            {
                await _stopper.StopAsync(process, CancellationToken.None).ConfigureAwait(false);
                throw Failure(process, $"its process did not listen on {_host}:{port} within {_options.StartTimeout.TotalSeconds:0.###} s.");
            }

            _table.ThrowIfClosed(); // stopped by the host's shutdown, not a failed attempt
            var exitCode = await process.Exited.ConfigureAwait(false);
            process.Process.Dispose();
            if (attempt < _options.MaxStartAttempts && exitCode is not (126 or 127))
            {
                ProcessReplicaLog.StartRetry(_logger, hostname, exitCode, port, attempt, _options.MaxStartAttempts);
                continue;
            }

            var why = exitCode switch
            {
                127 => " (command not found)",
                126 => " (command not executable)",
                _ => string.Empty,
            };
            throw Failure(process, $"the command '{_options.FileName}' exited with code {exitCode}{why} before listening on {_host}:{port}"
                + (attempt > 1 ? $", {attempt} times." : "."));
        }
    }

    /// <summary>Logs a failed start with the process's last output and returns the error for the caller.</summary>
    public ReplicaProviderException Failure(ReplicaProcess process, string reason)
    {
        ProcessReplicaLog.StartFailed(_logger, process.Hostname, reason, process.OutputTail());
        return new ReplicaProviderException($"Replica '{process.Hostname}' could not be started: {reason}");
    }

    private ReplicaProcess Launch(string hostname, int port, int attempt)
    {
        var host = _host.ToString();
        var startInfo = ReplicaStartInfo.Create(_options, host, _useWatchdog, hostname, port);
        var address = new UriBuilder(Uri.UriSchemeHttp, host, port, "/").Uri;
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var replica = new ReplicaProcess(process, hostname, address);
        process.OutputDataReceived += (_, e) => OnOutput(replica, e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(replica, e.Data);
        process.Exited += (_, _) => OnExited(replica);

        ProcessReplicaLog.Starting(_logger, hostname, host, port, attempt, _options.FileName!);
        try
        {
            process.Start();
        }
        catch (Exception exception) when (exception is Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            ProcessReplicaLog.StartFailed(_logger, hostname, exception.Message, "(none)");
            throw new ReplicaProviderException($"Replica '{hostname}' could not be started: cannot run '{_options.FileName}': {exception.Message}", exception);
        }

        replica.Id = process.Id;
        var open = _table.Track(replica);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!open)
        {
            ProcessStopper.Kill(replica);
            throw ReplicaProcessTable.ClosedError();
        }

        return replica;
    }

    private void OnOutput(ReplicaProcess process, string? line)
    {
        if (line is null)
        {
            return;
        }

        process.AddOutput(line);
        ProcessReplicaLog.Output(_logger, process.Hostname, line);
    }

    private void OnExited(ReplicaProcess process)
    {
        int exitCode;
        try
        {
            exitCode = process.Process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            exitCode = -1;
        }

        if (_table.RecordExit(process, exitCode))
        {
            ProcessReplicaLog.ExitedUnexpectedly(_logger, process.Hostname, process.Id, exitCode, process.OutputTail());
            _table.ReportExit(process);
            process.Process.Dispose(); // nobody else holds it now: it left the table under the lock
        }
    }
}
