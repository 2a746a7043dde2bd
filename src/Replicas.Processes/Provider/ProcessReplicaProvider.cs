using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Replicas.Processes;

/// <summary>
/// Runs replicas as child processes on free loopback ports; see <see cref="ProcessReplicaOptions"/> for how children are
/// started and how they are kept from outliving the balancer. Starting is <see cref="ReplicaStarter"/>'s job, stopping
/// <see cref="ProcessStopper"/>'s, and the processes' states live in a <see cref="ReplicaProcessTable"/>; this type
/// answers the balancer and follows the host's lifetime.
/// </summary>
/// <remarks>
/// WatchExitsAsync yields a replica once, when its process exits after StartAsync returned it and before StopAsync was
/// asked to stop it; by then it is no longer listed. Nothing is yielded once the host is stopping or the provider is disposed.
/// </remarks>
internal sealed class ProcessReplicaProvider : IReplicaProvider, IAsyncDisposable, IDisposable
{
    private readonly ReplicaProcessTable _table = new();
    private readonly ReplicaStarter _starter;
    private readonly ProcessStopper _stopper;
    private readonly ILogger _logger;
    private readonly Lazy<Task> _stopAll;
    private readonly CancellationTokenRegistration _onStopping;
    private readonly CancellationTokenRegistration _onStopped;

    public ProcessReplicaProvider(ProcessReplicaOptions options, ILogger<ProcessReplicaProvider> logger, TimeProvider timeProvider, IHostApplicationLifetime? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new ProcessReplicaOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ProcessReplicaOptions), validation.Failures);
        }

        _logger = logger;
        _stopper = new ProcessStopper(_table, options.StopGracePeriod, logger, timeProvider);
        _starter = new ReplicaStarter(options, _table, _stopper, logger, timeProvider);
        _stopAll = new Lazy<Task>(StopAllCore);

        // Once the host stops, exits are expected and no replica may start; children are stopped after the server
        // drained its requests (ApplicationStopped), and at the latest when the container disposes this provider.
        if (lifetime is not null)
        {
            _onStopping = lifetime.ApplicationStopping.Register(_table.Close);
            _onStopped = lifetime.ApplicationStopped.Register(() => _ = _stopAll.Value);
        }

        // Environment.Exit and unhandled exceptions skip disposal: at least ask every child to stop.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public bool CanStart => true;

    public async Task<IReadOnlyList<Replica>> StartAsync(IReadOnlyList<string> hostnames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hostnames);
        _table.ThrowIfClosed();
        if (hostnames.Count == 0)
        {
            return [];
        }

        var starts = hostnames.Select(hostname => Task.Run(() => _starter.StartAsync(hostname, cancellationToken), CancellationToken.None)).ToArray();
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

        // Announced together, once all listen.
        var processes = starts.Select(start => start.Result).ToArray();
        if (!_table.TryAnnounce(processes, out var exited))
        {
            await StopAllOfAsync(processes).ConfigureAwait(false);
            _table.ThrowIfClosed();
            throw _starter.Failure(exited!, $"its process exited with code {await exited!.Exited.ConfigureAwait(false)} right after it started listening.");
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
        // Gone already, or not one of ours: nothing to stop.
        return int.TryParse(replica.ProviderId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && _table.FindAnnounced(id, replica.Hostname) is { } process
            ? _stopper.StopAsync(process, cancellationToken)
            : Task.CompletedTask;
    }

    public Task<IReadOnlyList<Replica>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(_table.Running());

    public async IAsyncEnumerable<Replica> WatchExitsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var replica in _table.Exits.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return replica;
        }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _onStopping.Dispose();
        _onStopped.Dispose();
        await _stopAll.Value.ConfigureAwait(false);
        _table.CompleteExits();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private Task StopAllOfAsync(IEnumerable<ReplicaProcess> processes) =>
        Task.WhenAll(processes.Select(process => _stopper.StopAsync(process, CancellationToken.None)));

    // Runs once (Lazy): the host's ApplicationStopped and disposal share the same stop.
    private Task StopAllCore()
    {
        var all = _table.CloseAndList();
        if (all.Length > 0)
        {
            ProcessReplicaLog.StoppingAll(_logger, all.Length);
        }

        return StopAllOfAsync(all);
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        foreach (var process in _table.CloseAndList().Where(process => !process.Exited.IsCompleted))
        {
            ProcessStopper.AskToStop(process);
        }
    }
}
