using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Processes;

/// <summary>
/// Runs replicas as child processes on free loopback ports; see <see cref="ProcessReplicaOptions"/> for how children are
/// started and how they are kept from outliving the balancer.
/// </summary>
/// <remarks>
/// WatchExitsAsync yields a replica once, when its process exits after StartAsync returned it and before StopAsync was
/// asked to stop it; by then it is no longer listed. Nothing is yielded once the host is stopping or the provider is disposed.
/// </remarks>
internal sealed class ProcessReplicaProvider : IReplicaProvider, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan ConnectRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    private readonly ProcessReplicaOptions _options;
    private readonly IPAddress _host;
    private readonly bool _useWatchdog;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, ReplicaProcess> _processes = [];
    private readonly Channel<Replica> _exits = Channel.CreateUnbounded<Replica>();
    private readonly CancellationTokenRegistration _onStopping;
    private readonly CancellationTokenRegistration _onStopped;
    private long _sequence;
    private bool _closed;
    private Task? _stopAll;

    public ProcessReplicaProvider(ProcessReplicaOptions options, ILogger<ProcessReplicaProvider> logger, TimeProvider timeProvider, IHostApplicationLifetime? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new ProcessReplicaOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ProcessReplicaOptions), validation.Failures);
        }

        _options = options;
        _host = IPAddress.Parse(options.Host);
        _useWatchdog = options.UseWatchdog && ParentWatchdog.IsSupported;
        _logger = logger;
        _time = timeProvider;

        // Once the host stops, exits are expected and no replica may start; children are stopped after the server
        // drained its requests (ApplicationStopped), and at the latest when the container disposes this provider.
        if (lifetime is not null)
        {
            _onStopping = lifetime.ApplicationStopping.Register(Close);
            _onStopped = lifetime.ApplicationStopped.Register(() => _ = StopAllAsync());
        }

        // Environment.Exit and unhandled exceptions skip disposal: at least ask every child to stop.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public bool CanStart => true;

    public async Task<IReadOnlyList<Replica>> StartAsync(IReadOnlyList<string> hostnames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hostnames);
        ThrowIfClosed();
        if (hostnames.Count == 0)
        {
            return [];
        }

        var starts = hostnames.Select(hostname => Task.Run(() => StartOneAsync(hostname, cancellationToken), CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // All or nothing: stop the ones that did start before reporting the failure.
            await StopAllOfAsync(starts.Where(start => start.IsCompletedSuccessfully).Select(start => start.Result)).ConfigureAwait(false);
            var failure = starts.Where(start => start.IsFaulted).Select(start => start.Exception!.InnerException).OfType<ReplicaProviderException>().FirstOrDefault();
            ExceptionDispatchInfo.Throw(failure ?? exception);
            throw;
        }

        // Announced together, once all listen: from here on an exit is news for WatchExitsAsync, and never before
        // the caller has the replica.
        var processes = starts.Select(start => start.Result).ToArray();
        bool closed;
        ReplicaProcess? exited;
        lock (_gate)
        {
            closed = _closed;
            exited = processes.FirstOrDefault(process => process.Exited.IsCompleted);
            foreach (var process in processes)
            {
                process.Announced = !closed && exited is null;
                process.Sequence = ++_sequence;
            }
        }

        if (closed || exited is not null)
        {
            await StopAllOfAsync(processes).ConfigureAwait(false);
            ThrowIfClosed();
            throw Failure(exited!, $"its process exited with code {await exited!.Exited.ConfigureAwait(false)} right after it started listening.");
        }

        foreach (var process in processes)
        {
            ProcessReplicaLog.Started(_logger, process.Hostname, process.Id, process.Address);
        }

        return processes.Select(process => process.ToReplica()).ToArray();
    }

    public Task StopAsync(Replica replica, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replica);
        if (!int.TryParse(replica.ProviderId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return Task.CompletedTask;
        }

        ReplicaProcess? process;
        lock (_gate)
        {
            // Gone already, or not one of ours: nothing to stop.
            if (!_processes.TryGetValue(id, out process) || !process.Announced || process.Hostname != replica.Hostname)
            {
                return Task.CompletedTask;
            }
        }

        return StopProcessAsync(process, cancellationToken);
    }

    public Task<IReadOnlyList<Replica>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<Replica> running = _processes.Values
                .Where(process => process.Announced && !process.StopRequested && !process.Exited.IsCompleted)
                .OrderBy(process => process.Sequence)
                .Select(process => process.ToReplica())
                .ToArray();
            return Task.FromResult(running);
        }
    }

    public async IAsyncEnumerable<Replica> WatchExitsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var replica in _exits.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return replica;
        }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _onStopping.Dispose();
        _onStopped.Dispose();
        await StopAllAsync().ConfigureAwait(false);
        _exits.Writer.TryComplete();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    private void ThrowIfClosed()
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw new ReplicaProviderException("The balancer is stopping: no replica process can be started.");
            }
        }
    }

    private Task StopAllOfAsync(IEnumerable<ReplicaProcess> processes) =>
        Task.WhenAll(processes.Select(process => StopProcessAsync(process, CancellationToken.None)));

    private Task StopAllAsync()
    {
        ReplicaProcess[] all;
        lock (_gate)
        {
            _closed = true;
            if (_stopAll is not null)
            {
                return _stopAll;
            }

            all = [.. _processes.Values];
        }

        if (all.Length > 0)
        {
            ProcessReplicaLog.StoppingAll(_logger, all.Length);
        }

        var stopAll = StopAllOfAsync(all);
        lock (_gate)
        {
            return _stopAll ??= stopAll;
        }
    }

    private async Task<ReplicaProcess> StartOneAsync(string hostname, CancellationToken cancellationToken)
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
                listening = await WaitUntilListeningAsync(process, port, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await StopProcessAsync(process, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            if (listening && !process.Exited.IsCompleted)
            {
                return process;
            }

            if (!process.Exited.IsCompleted)
            {
                await StopProcessAsync(process, CancellationToken.None).ConfigureAwait(false);
                throw Failure(process, $"its process did not listen on {_host}:{port} within {_options.StartTimeout.TotalSeconds:0.###} s.");
            }

            ThrowIfClosed(); // stopped by the host's shutdown, not a failed attempt
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

    private ReplicaProviderException Failure(ReplicaProcess process, string reason)
    {
        ProcessReplicaLog.StartFailed(_logger, process.Hostname, reason, process.OutputTail());
        return new ReplicaProviderException($"Replica '{process.Hostname}' could not be started: {reason}");
    }

    private ReplicaProcess Launch(string hostname, int port, int attempt)
    {
        var fileName = _options.FileName!;
        var arguments = _options.Arguments.Select(argument => Expand(argument, hostname, port)).ToArray();
        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            // stdin is a pipe nobody writes to, so children never read the balancer's terminal.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _options.WorkingDirectory ?? string.Empty,
        };
        if (_useWatchdog)
        {
            ParentWatchdog.Wrap(startInfo, fileName, arguments, _options.StopGracePeriod);
        }
        else
        {
            startInfo.FileName = fileName;
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }
        }

        var environment = startInfo.Environment;
        environment[ProcessReplicaOptions.ParentProcessIdVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(_options.PortEnvironmentVariable))
        {
            environment[_options.PortEnvironmentVariable] = port.ToString(CultureInfo.InvariantCulture);
        }

        if (!string.IsNullOrEmpty(_options.IdEnvironmentVariable))
        {
            environment[_options.IdEnvironmentVariable] = hostname;
        }

        foreach (var (name, value) in _options.Environment)
        {
            if (value is null)
            {
                environment.Remove(name);
            }
            else
            {
                environment[name] = Expand(value, hostname, port);
            }
        }

        var address = new UriBuilder(Uri.UriSchemeHttp, _host.ToString(), port, "/").Uri;
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var replica = new ReplicaProcess(process, hostname, address);
        process.OutputDataReceived += (_, e) => OnOutput(replica, e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(replica, e.Data);
        process.Exited += (_, _) => OnExited(replica);

        ProcessReplicaLog.Starting(_logger, hostname, _host.ToString(), port, attempt, fileName);
        try
        {
            process.Start();
        }
        catch (Exception exception) when (exception is Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            ProcessReplicaLog.StartFailed(_logger, hostname, exception.Message, "(none)");
            throw new ReplicaProviderException($"Replica '{hostname}' could not be started: cannot run '{fileName}': {exception.Message}", exception);
        }

        replica.Id = process.Id;
        bool closed;
        lock (_gate)
        {
            closed = _closed;
            if (!replica.Exited.IsCompleted)
            {
                // Tracked from the first moment, so that disposal stops processes that are still starting too.
                _processes[replica.Id] = replica;
            }
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (closed)
        {
            Kill(replica);
            throw new ReplicaProviderException("The balancer is stopping: no replica process can be started.");
        }

        return replica;
    }

    private string Expand(string value, string hostname, int port) => value
        .Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{host}", _host.ToString(), StringComparison.Ordinal)
        .Replace("{id}", hostname, StringComparison.Ordinal);

    private async Task<bool> WaitUntilListeningAsync(ReplicaProcess process, int port, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.StartTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var endpoint = new IPEndPoint(_host, port);
        while (true)
        {
            if (process.Exited.IsCompleted)
            {
                return false;
            }

            using (var socket = new Socket(_host.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
            {
                try
                {
                    await socket.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
                    return true;
                }
                catch (SocketException)
                {
                    // Not listening yet.
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return false;
                }
            }

            await Task.WhenAny(process.Exited, Task.Delay(ConnectRetryDelay, _time, linked.Token)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (timeout.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private Task StopProcessAsync(ReplicaProcess process, CancellationToken cancellationToken)
    {
        Task stop;
        lock (_gate)
        {
            process.StopRequested = true;
            stop = process.StopTask ??= Task.Run(() => TerminateAsync(process), CancellationToken.None);
        }

        // A cancelled caller stops waiting; the stop itself goes on, so nothing is left running.
        return stop.WaitAsync(cancellationToken);
    }

    private async Task TerminateAsync(ReplicaProcess process)
    {
        try
        {
            if (!process.Exited.IsCompleted)
            {
                ProcessReplicaLog.Stopping(_logger, process.Hostname, process.Id);
                if (!OperatingSystem.IsWindows() && _options.StopGracePeriod > TimeSpan.Zero)
                {
                    try
                    {
                        PosixSignals.Terminate(process.Id);
                        var exitCode = await process.Exited.WaitAsync(_options.StopGracePeriod, _time).ConfigureAwait(false);
                        ProcessReplicaLog.Stopped(_logger, process.Hostname, process.Id, exitCode);
                        return;
                    }
                    catch (TimeoutException)
                    {
                        ProcessReplicaLog.Killed(_logger, process.Hostname, process.Id, _options.StopGracePeriod);
                    }
                    catch (Win32Exception exception)
                    {
                        ProcessReplicaLog.StopFailed(_logger, exception, process.Hostname, process.Id);
                    }
                }

                Kill(process);
                try
                {
                    var exitCode = await process.Exited.WaitAsync(KillWait, _time).ConfigureAwait(false);
                    ProcessReplicaLog.Stopped(_logger, process.Hostname, process.Id, exitCode);
                }
                catch (TimeoutException exception)
                {
                    ProcessReplicaLog.StopFailed(_logger, exception, process.Hostname, process.Id);
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

    private static void Kill(ReplicaProcess process)
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

        bool unexpected;
        lock (_gate)
        {
            var id = process.Process.Id;
            if (_processes.TryGetValue(id, out var tracked) && ReferenceEquals(tracked, process))
            {
                _processes.Remove(id);
            }

            unexpected = process.Announced && !process.StopRequested && !_closed;
            process.SetExited(exitCode);
        }

        if (unexpected)
        {
            ProcessReplicaLog.ExitedUnexpectedly(_logger, process.Hostname, process.Id, exitCode, process.OutputTail());
            _exits.Writer.TryWrite(process.ToReplica());
            process.Process.Dispose(); // nobody else holds it now: it left the table under the lock
        }
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        ReplicaProcess[] all;
        lock (_gate)
        {
            _closed = true;
            all = [.. _processes.Values];
        }

        foreach (var process in all.Where(process => !process.Exited.IsCompleted))
        {
            if (OperatingSystem.IsWindows())
            {
                Kill(process);
            }
            else
            {
                try
                {
                    PosixSignals.Terminate(process.Id);
                }
                catch (Win32Exception)
                {
                    // Best effort: the watchdog or the child's own parent check ends it.
                }
            }
        }
    }
}
