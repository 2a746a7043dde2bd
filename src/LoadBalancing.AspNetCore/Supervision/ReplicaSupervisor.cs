using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Ringway.LoadBalancing.AspNetCore.Observability;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// Owns membership: starts the initial replicas, replaces those that fail or exit, carries out /add and /rm and the
/// autoscaler's decisions. Every change runs as a command on one loop, so the ring, the provider and /rep never
/// disagree. The <see cref="HeartbeatProber"/>, the provider's exit watch, the drain step and the autoscaler's timer
/// run beside the loop and post commands to it. When several balancers share the replicas (an
/// <see cref="IReplicaLeadership"/> is registered), only the leader acts on membership; the others follow the provider's
/// list on a timer and only take failing replicas out of their own ring.
/// </summary>
internal sealed class ReplicaSupervisor : IHostedService, IReplicaSet, IAsyncDisposable
{
    private readonly ConsistentHashBalancerOptions _options;
    private readonly ReplicaTable _table;
    private readonly IReplicaProvider _provider;
    private readonly HeartbeatProber _prober;
    private readonly Autoscaler _autoscaler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Membership _membership;
    private readonly ReplicaLifecycle _lifecycle;
    private readonly IReplicaLeadership? _leadership;
    private readonly MembershipFollower _follower;
    private readonly Channel<SupervisorCommand> _commands = Channel.CreateUnbounded<SupervisorCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();

    private bool _started;
    private Task _loop = Task.CompletedTask;
    private Task _heartbeats = Task.CompletedTask;
    private Task _exits = Task.CompletedTask;
    private Task _autoscaling = Task.CompletedTask;
    private Task _following = Task.CompletedTask;
    private bool _acted;

    /// <summary>Takes its provider from the registration, which passes one without replicas when none was added.</summary>
    public ReplicaSupervisor(
        IOptions<ConsistentHashBalancerOptions> options,
        ReplicaTable table,
        IReplicaProvider provider,
        HeartbeatProber prober,
        TimeProvider time,
        ILogger<ReplicaSupervisor> logger,
        IReplicaLeadership? leadership = null)
    {
        _leadership = leadership;
        _options = options.Value;
        _table = table;
        _provider = provider;
        _prober = prober;
        _time = time;
        _logger = logger;
        _membership = new Membership(table, time, logger);
        _lifecycle = new ReplicaLifecycle(provider, _membership, prober, new ReplicaDrainer(_options.Replicas.DrainTimeout, time, logger), time, logger, Post, () => Acts, _stopping.Token);
        _follower = new MembershipFollower(provider, _membership, _lifecycle);
        _autoscaler = new Autoscaler(_options.Autoscaling, _options.Replicas.MaxCount, time);
    }

    /// <summary>Every change of membership, raised on the loop one at a time; handlers must be quick and must not throw.</summary>
    public event Action<MembershipChange>? MembershipChanged
    {
        add => _membership.Changed += value;
        remove => _membership.Changed -= value;
    }

    /// <summary>The replicas in /rep: in the order they were added.</summary>
    public IReadOnlyList<string> Hostnames => _membership.Hostnames;

    /// <summary>The members as last published (in /rep's order), for any thread.</summary>
    public IReadOnlyList<SupervisedReplica> Members => _membership.Published;

    /// <summary>Removed replicas still finishing their requests, as last published.</summary>
    public IReadOnlyList<SupervisedReplica> Draining => _membership.PublishedDraining;

    public IReadOnlyList<Replica> Replicas => Array.ConvertAll(_membership.Published, m => m.State.Replica);

    public int RoutableCount => _membership.RoutableCount;

    public IReadOnlyList<Replica> RoutableReplicas => Array.ConvertAll(_table.Current.Replicas, r => r.Replica);

    public IChangeToken GetRoutableChangeToken() => _table.GetChangeToken();

    /// <summary>Whether replicas can be added (false for fixed addresses or no provider).</summary>
    public bool CanStart => _provider.CanStart;

    /// <summary>Whether this balancer acts on membership: always, unless it shares its replicas and another balancer leads.</summary>
    private bool Acts => _leadership?.IsLeader ?? true;

    /// <summary>Adds <paramref name="n"/> replicas, named by <paramref name="hostnames"/> first and randomly after. Validated input only.</summary>
    public Task<AdminResult> AddAsync(int n, IReadOnlyList<string> hostnames, CancellationToken cancellationToken)
        => SendAsync(new AddReplicas(n, hostnames), cancellationToken);

    /// <summary>Removes <paramref name="n"/> replicas: <paramref name="hostnames"/> first, the rest chosen at random.</summary>
    public Task<AdminResult> RemoveAsync(int n, IReadOnlyList<string> hostnames, CancellationToken cancellationToken)
        => SendAsync(new RemoveReplicas(n, hostnames), cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        _loop = Task.Run(RunLoopAsync, CancellationToken.None);
        var initial = new StartInitialReplicas();
        _commands.Writer.TryWrite(initial);
        var started = await initial.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

        // The host reports ready once the initial replicas answer (or the startup timeout passes), so the first requests find them.
        await Task.WhenAny(
            Task.WhenAll(started.Select(m => m.Ready.Task)),
            Task.Delay(HeartbeatProber.StartupTimeout, _time, cancellationToken)).ConfigureAwait(false);
        var stopping = _stopping.Token;
        _heartbeats = Task.Run(() => _prober.RunAsync(() => _membership.Published, Post, stopping), CancellationToken.None);
        _exits = Task.Run(() => WatchExitsAsync(stopping), CancellationToken.None);
        if (_autoscaler.Enabled && CanStart)
        {
            _autoscaling = Task.Run(() => _autoscaler.RunAsync(() => Post(new AutoscaleTick()), stopping), CancellationToken.None);
        }

        if (_leadership is not null)
        {
            _following = Task.Run(() => TickAsync(() => Post(new FollowTick()), stopping), CancellationToken.None);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_started || _stopping.IsCancellationRequested)
        {
            return;
        }

        var shutdown = new ShutDown();
        _commands.Writer.TryWrite(shutdown);
        await shutdown.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        _commands.Writer.TryComplete();
        await Task.WhenAll(_loop, _heartbeats, _exits, _autoscaling, _following).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        _commands.Writer.TryComplete();
        _stopping.Dispose();
    }

    private void Post(SupervisorCommand command) => _commands.Writer.TryWrite(command);

    private async Task<AdminResult> SendAsync(AdminCommand command, CancellationToken cancellationToken)
    {
        if (!_commands.Writer.TryWrite(command))
        {
            return AdminResult.Fail(503, "The balancer is shutting down", Hostnames);
        }

        return await command.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunLoopAsync()
    {
        await foreach (var command in _commands.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await HandleAsync(command).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                Log.CommandFailed(_logger, ex);
                (command as AdminCommand)?.Completion.TrySetResult(AdminResult.Fail(500, "The replica supervisor failed", Hostnames));
            }
            catch (OperationCanceledException)
            {
                (command as AdminCommand)?.Completion.TrySetCanceled();
            }
            finally
            {
                _membership.Publish();
            }
        }
    }

    private Task HandleAsync(SupervisorCommand command) => command switch
    {
        StartInitialReplicas c => StartInitialAsync(c),
        HeartbeatResult c => OnHeartbeatAsync(c),
        ReplicaExited c => OnExitAsync(c),
        AddReplicas c => AddAsync(c),
        RemoveReplicas c => RemoveAsync(c),
        DrainFinished c => _lifecycle.StopDrainedAsync(c),
        RetryStart c => _lifecycle.RetryAsync(c),
        AutoscaleTick => AutoscaleAsync(),
        FollowTick => FollowOrTakeOverAsync(),
        ShutDown c => ShutDownAsync(c),
        _ => Task.CompletedTask,
    };

    private async Task StartInitialAsync(StartInitialReplicas command)
    {
        var startedNow = new List<SupervisedReplica>();
        _membership.Desired = CanStart ? _options.Replicas.Count : 0;
        try
        {
            if (!Acts)
            {
                // Another balancer may lead: take what runs, start nothing; the follow timer keeps up from here.
                await _follower.FollowAsync(_stopping.Token).ConfigureAwait(false);
                return;
            }

            _acted = true;
            var adopted = await _provider.ListAsync(_stopping.Token).ConfigureAwait(false);
            foreach (var replica in adopted)
            {
                _membership.Join(_membership.Add(replica, MembershipChangeReason.Adopted));
            }

            if (adopted.Count > 0)
            {
                Log.Adopted(_logger, adopted.Count);
            }

            _membership.Desired = CanStart ? Math.Max(_options.Replicas.Count, adopted.Count) : adopted.Count;
            var names = ReplicaNames.Initial(_membership.Desired - _membership.Count, _membership.IsTaken);
            startedNow.AddRange(await _lifecycle.TryStartAsync(names, MembershipChangeReason.Initial).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The provider is not ready (an engine that is down): the host still starts, and the supervisor keeps trying.
            Log.StartFailed(_logger, "(initial replicas)", ex);
            _lifecycle.ScheduleRetry(MembershipChangeReason.Initial);
        }
        finally
        {
            command.Completion.TrySetResult(startedNow);
        }
    }

    private async Task AddAsync(AddReplicas command)
    {
        if (RefuseUnlessActing() is { } notLeader)
        {
            command.Completion.TrySetResult(notLeader);
            return;
        }

        if (AdminRules.RefuseAdd(_membership, command, CanStart, _options.Replicas.MaxCount) is { } refusal)
        {
            command.Completion.TrySetResult(refusal);
            return;
        }

        var names = ReplicaNames.Fill(command.Hostnames, command.N, _membership.IsTaken, Random.Shared);
        _membership.Starting(names, MembershipChangeReason.Admin);
        IReadOnlyList<Replica> replicas;
        try
        {
            replicas = await _provider.StartAsync(names, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.AdminProviderFailed(_logger, ex.Message, ex);
            // Only a failure the provider describes for callers is quoted: say little about any other, log all.
            var error = ex is ReplicaProviderException ? $"Could not start replicas: {ex.Message}" : "Could not start replicas: the replica provider failed";
            command.Completion.TrySetResult(AdminResult.Fail(503, error, Hostnames));
            return;
        }

        _lifecycle.AddStarted(replicas, MembershipChangeReason.Admin);
        _membership.Desired += replicas.Count;
        Log.AdminAdded(_logger, string.Join(", ", names));
        command.Completion.TrySetResult(AdminResult.Ok(Hostnames));
    }

    private Task RemoveAsync(RemoveReplicas command)
    {
        if (RefuseUnlessActing() is { } notLeader)
        {
            command.Completion.TrySetResult(notLeader);
            return Task.CompletedTask;
        }

        var (chosen, refusal) = AdminRules.ChooseForRemoval(_membership, command, Random.Shared);
        if (refusal is null)
        {
            _lifecycle.RemoveAndDrain(chosen, MembershipChangeReason.Admin);
            Log.AdminRemoved(_logger, string.Join(", ", chosen.Select(m => m.Hostname)));
        }

        command.Completion.TrySetResult(refusal ?? AdminResult.Ok(Hostnames));
        return Task.CompletedTask;
    }

    /// <summary>Consecutive failures: at the threshold (or when a new replica never answered) it fails; any answer resets the count.</summary>
    private async Task OnHeartbeatAsync(HeartbeatResult result)
    {
        var member = result.Member;
        if (member.Removed)
        {
            return;
        }

        if (result.Ok)
        {
            member.Failures = 0;
            _membership.Join(member);
            return;
        }

        member.Failures++;
        if (member.Failures <= _options.Health.FailureThreshold)
        {
            Log.HeartbeatFailed(_logger, member.Hostname, member.Failures);
        }

        if (result.StartupFailed || member.Failures >= _options.Health.FailureThreshold)
        {
            await FailAsync(member, result.StartupFailed ? MembershipChangeReason.NeverAnswered : MembershipChangeReason.HeartbeatsFailed).ConfigureAwait(false);
        }
    }

    private async Task OnExitAsync(ReplicaExited exited)
    {
        if (_membership.Find(exited.Replica) is { } member)
        {
            Log.Exited(_logger, member.Hostname);
            await FailAsync(member, MembershipChangeReason.Exited).ConfigureAwait(false);
        }
    }

    /// <summary>A replica failed: out of the ring at once; replaced by a new, randomly named one when the provider can start replicas.</summary>
    private async Task FailAsync(SupervisedReplica member, MembershipChangeReason reason)
    {
        _membership.Leave(member, reason);
        if (!CanStart || !Acts)
        {
            // A fixed address: keep probing, it rejoins when it answers again. Another balancer leads: it replaces the
            // replica, and following drops this one once the provider no longer lists it.
            return;
        }

        _membership.Remove(member, reason);
        _membership.Publish();
        await _lifecycle.StopAsync(member).ConfigureAwait(false);
        await _lifecycle.StartMissingAsync(MembershipChangeReason.Respawn).ConfigureAwait(false);
    }

    private async Task AutoscaleAsync()
    {
        if (!Acts)
        {
            return;
        }

        var count = _membership.Count;
        var (desired, average) = _autoscaler.Decide(_membership.Members.Sum(m => m.State.InFlight), count);
        if (desired == count)
        {
            return;
        }

        Log.Autoscaling(_logger, count, desired, average);
        if (desired > count)
        {
            _membership.Desired = desired;
            await _lifecycle.StartMissingAsync(MembershipChangeReason.Autoscale).ConfigureAwait(false);
        }
        else
        {
            _lifecycle.RemoveAndDrain([AutoscalingPolicy.ChooseToRemove(_membership.Members)], MembershipChangeReason.Autoscale);
        }
    }

    private async Task ShutDownAsync(ShutDown command)
    {
        try
        {
            // Replicas shared with other balancers keep serving them.
            if (CanStart && _options.Replicas.StopOnShutdown && _leadership is null)
            {
                await _lifecycle.StopAllAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            command.Completion.TrySetResult();
        }
    }

    /// <summary>
    /// A follower follows the provider's list. A balancer that has just begun to lead adopts what runs (its predecessor's
    /// replicas) and starts the missing ones; one that no longer leads says so and follows from now on.
    /// </summary>
    private async Task FollowOrTakeOverAsync()
    {
        var acts = Acts;
        if (acts && _acted)
        {
            return;
        }

        if (acts != _acted)
        {
            Log.Leadership(_logger, _leadership!.Name, acts ? "leads: it acts on membership now" : $"no longer leads (leader: {_leadership.Leader ?? "none known"})");
        }

        _acted = acts;
        await _follower.FollowAsync(_stopping.Token).ConfigureAwait(false);
        if (acts && CanStart)
        {
            _membership.Desired = Math.Max(_options.Replicas.Count, _membership.Count);
            await _lifecycle.StartMissingAsync(MembershipChangeReason.Respawn).ConfigureAwait(false);
        }
    }

    /// <summary>409 naming the leader when another balancer acts on membership; null when this one does.</summary>
    private AdminResult? RefuseUnlessActing() => Acts
        ? null
        : AdminResult.Fail(409, $"This balancer ({_leadership!.Name}) does not act on membership; send /add and /rm to the leader: {_leadership.Leader ?? "none known now, try again shortly"}", Hostnames);

    private async Task TickAsync(Action tick, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Health.Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                tick();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task WatchExitsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var replica in _provider.WatchExitsAsync(cancellationToken).ConfigureAwait(false))
            {
                Post(new ReplicaExited(replica));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.WatchFailed(_logger, ex);
        }
    }
}
