using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Observability;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Supervision;

/// <summary>
/// Keeps the replicas: starts the initial N, probes heartbeats, replaces replicas that fail or exit, and carries out
/// /add and /rm. Every change goes through one loop fed by a channel, so the ring, the provider and /rep never disagree.
/// </summary>
internal sealed partial class ReplicaSupervisor : IHostedService, IReplicaSet, IAsyncDisposable
{
    private static readonly TimeSpan ReadinessPollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DrainGrace = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly ConsistentHashBalancerOptions _options;
    private readonly ReplicaTable _table;
    private readonly IReplicaProvider? _provider;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _probe;
    private readonly Channel<Command> _commands = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();

    // Owned by the loop.
    private readonly List<Member> _members = [];
    private readonly Dictionary<string, Member> _draining = new(StringComparer.Ordinal);
    private int _desired;
    private bool _reconcileScheduled;

    // Published by the loop for readers on other threads.
    private volatile Member[] _published = [];
    private bool _started;
    private Task _loop = Task.CompletedTask;
    private Task _heartbeats = Task.CompletedTask;
    private Task _exits = Task.CompletedTask;
    private Task _autoscaler = Task.CompletedTask;
    private readonly Queue<double> _loadSamples = new();
    private long _lastScaling;

    public ReplicaSupervisor(
        IOptions<ConsistentHashBalancerOptions> options,
        ReplicaTable table,
        IServiceProvider services,
        TimeProvider time,
        ILogger<ReplicaSupervisor> logger)
    {
        _options = options.Value;
        _table = table;
        _provider = services.GetService<IReplicaProvider>();
        _time = time;
        _logger = logger;
        _probe = new HttpClient(new System.Net.Http.SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = _options.HeartbeatTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The replicas in /rep: in the order they were added.</summary>
    public IReadOnlyList<string> Hostnames => Array.ConvertAll(_published, m => m.Hostname);

    public IReadOnlyList<Replica> Replicas => Array.ConvertAll(_published, m => m.State.Replica);

    public int RoutableCount => _table.Current.Count;

    /// <summary>Whether replicas can be added (false for fixed addresses or no provider).</summary>
    public bool CanStart => _provider?.CanStart == true;

    /// <summary>Adds <paramref name="n"/> replicas, named by <paramref name="hostnames"/> first and randomly after. Validated input only.</summary>
    public Task<AdminResult> AddAsync(int n, IReadOnlyList<string> hostnames, CancellationToken cancellationToken)
        => SendAsync(new AddCommand(n, hostnames), cancellationToken);

    /// <summary>Removes <paramref name="n"/> replicas: <paramref name="hostnames"/> first, the rest chosen at random.</summary>
    public Task<AdminResult> RemoveAsync(int n, IReadOnlyList<string> hostnames, CancellationToken cancellationToken)
        => SendAsync(new RemoveCommand(n, hostnames), cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        _loop = Task.Run(RunLoopAsync, CancellationToken.None);
        if (_provider is null)
        {
            return;
        }

        var initial = new InitializeCommand();
        _commands.Writer.TryWrite(initial);
        var started = await initial.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

        // The host reports ready once the initial replicas answer (or the startup timeout passes), so the first requests find them.
        await Task.WhenAny(Task.WhenAll(started.Select(m => m.Ready.Task)), Task.Delay(StartupTimeout, _time, cancellationToken)).ConfigureAwait(false);
        _heartbeats = Task.Run(() => HeartbeatLoopAsync(_stopping.Token), CancellationToken.None);
        _exits = Task.Run(() => WatchExitsAsync(_stopping.Token), CancellationToken.None);
        if (_options.Autoscaling.Enabled && CanStart)
        {
            _autoscaler = Task.Run(() => AutoscaleLoopAsync(_stopping.Token), CancellationToken.None);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_started || _stopping.IsCancellationRequested)
        {
            return;
        }

        var shutdown = new ShutdownCommand();
        _commands.Writer.TryWrite(shutdown);
        await shutdown.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        _commands.Writer.TryComplete();
        await Task.WhenAll(_loop, _heartbeats, _exits, _autoscaler).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        _commands.Writer.TryComplete();
        _probe.Dispose();
        _stopping.Dispose();
    }

    private async Task<AdminResult> SendAsync(Command command, CancellationToken cancellationToken)
    {
        var reply = (ReplyCommand)command;
        if (!_commands.Writer.TryWrite(command))
        {
            return AdminResult.Fail(503, "The balancer is shutting down", Hostnames);
        }

        return await reply.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
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
                (command as ReplyCommand)?.Completion.TrySetResult(AdminResult.Fail(500, "The replica controller failed", Hostnames));
            }
            catch (OperationCanceledException)
            {
                (command as ReplyCommand)?.Completion.TrySetCanceled();
            }
            finally
            {
                Publish();
            }
        }
    }

    private Task HandleAsync(Command command) => command switch
    {
        InitializeCommand c => InitializeAsync(c),
        HeartbeatCommand c => OnHeartbeatAsync(c),
        ExitCommand c => OnExitAsync(c),
        AddCommand c => AddCoreAsync(c),
        RemoveCommand c => RemoveCore(c),
        DrainedCommand c => StopDrainedAsync(c),
        ReconcileCommand => ReconcileAsync(fromRetry: true),
        AutoscaleCommand => AutoscaleAsync(),
        ShutdownCommand c => ShutdownAsync(c),
        _ => Task.CompletedTask,
    };

    private async Task InitializeAsync(InitializeCommand command)
    {
        var startedNow = new List<Member>();
        _desired = CanStart ? _options.Replicas : 0;
        try
        {
            var adopted = await _provider!.ListAsync(_stopping.Token).ConfigureAwait(false);
            foreach (var replica in adopted)
            {
                var member = new Member(new ReplicaState(replica));
                _members.Add(member);
                MarkReady(member);
            }

            if (adopted.Count > 0)
            {
                Log.Adopted(_logger, adopted.Count);
            }

            if (!CanStart)
            {
                _desired = _members.Count;
                return;
            }

            _desired = Math.Max(_options.Replicas, adopted.Count);
            var names = new List<string>();
            for (var i = 1; _members.Count + names.Count < _desired; i++)
            {
                var name = $"Server {i}";
                if (!IsTaken(name))
                {
                    names.Add(name);
                }
            }

            startedNow.AddRange(await TryStartAsync(names).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The provider is not ready (an engine that is down): the host still starts, and the controller keeps trying.
            Log.StartFailed(_logger, "(initial replicas)", ex);
            ScheduleReconcile();
        }
        finally
        {
            command.Completion.TrySetResult(startedNow);
        }
    }

    private async Task AddCoreAsync(AddCommand command)
    {
        if (!CanStart)
        {
            command.Completion.TrySetResult(AdminResult.Fail(400, "This balancer cannot start replicas: its replicas are fixed addresses", Hostnames));
            return;
        }

        if (_members.Count + command.N > _options.MaxReplicas)
        {
            command.Completion.TrySetResult(AdminResult.Fail(400, $"Cannot add {command.N} replica(s): at most {_options.MaxReplicas} replicas in total, {_members.Count} now", Hostnames));
            return;
        }

        foreach (var hostname in command.Hostnames)
        {
            if (_members.Any(m => m.Hostname == hostname))
            {
                command.Completion.TrySetResult(AdminResult.Fail(400, $"Hostname '{hostname}' already exists", Hostnames));
                return;
            }

            if (_draining.ContainsKey(hostname))
            {
                command.Completion.TrySetResult(AdminResult.Fail(400, $"Hostname '{hostname}' is still being removed; try again shortly", Hostnames));
                return;
            }
        }

        var names = command.Hostnames.ToList();
        while (names.Count < command.N)
        {
            names.Add(NewRandomName(names));
        }

        IReadOnlyList<Replica> replicas;
        try
        {
            replicas = await _provider!.StartAsync(names, _stopping.Token).ConfigureAwait(false);
        }
        catch (ReplicaProviderException ex)
        {
            Log.AdminProviderFailed(_logger, ex.Message, ex);
            command.Completion.TrySetResult(AdminResult.Fail(503, $"Could not start replicas: {ex.Message}", Hostnames));
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not a failure the provider described for callers: say little, log all.
            Log.AdminProviderFailed(_logger, ex.Message, ex);
            command.Completion.TrySetResult(AdminResult.Fail(503, "Could not start replicas: the replica provider failed", Hostnames));
            return;
        }

        AddStarted(replicas);
        _desired += replicas.Count;
        Log.AdminAdded(_logger, string.Join(", ", names));
        Publish();
        command.Completion.TrySetResult(AdminResult.Ok(Hostnames));
    }

    private Task RemoveCore(RemoveCommand command)
    {
        if (command.N > _members.Count)
        {
            command.Completion.TrySetResult(AdminResult.Fail(400, $"Cannot remove {command.N} replica(s): only {_members.Count} exist", Hostnames));
            return Task.CompletedTask;
        }

        var chosen = new List<Member>();
        foreach (var hostname in command.Hostnames)
        {
            var member = _members.Find(m => m.Hostname == hostname);
            if (member is null)
            {
                command.Completion.TrySetResult(AdminResult.Fail(400, $"Hostname '{hostname}' is not a replica", Hostnames));
                return Task.CompletedTask;
            }

            chosen.Add(member);
        }

        var others = _members.Except(chosen).ToList();
        while (chosen.Count < command.N)
        {
            var pick = others[Random.Shared.Next(others.Count)];
            others.Remove(pick);
            chosen.Add(pick);
        }

        RemoveAndDrain(chosen, "removed");
        Log.AdminRemoved(_logger, string.Join(", ", chosen.Select(m => m.Hostname)));
        Publish();
        command.Completion.TrySetResult(AdminResult.Ok(Hostnames));
        return Task.CompletedTask;
    }

    private void RemoveAndDrain(List<Member> chosen, string reason)
    {
        foreach (var member in chosen)
        {
            _members.Remove(member);
            member.Removed = true;
            LeaveRing(member, reason);
            _draining[member.Hostname] = member;
            _ = DrainAsync(member);
        }

        _desired = Math.Max(0, _desired - chosen.Count);
    }

    private async Task AutoscaleLoopAsync(CancellationToken ct)
    {
        try
        {
            using var timer = new PeriodicTimer(_options.Autoscaling.Interval, _time);
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                _commands.Writer.TryWrite(new AutoscaleCommand());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Samples requests in flight and moves the replica count toward <c>ceil(in flight / target)</c> within the bounds:
    /// up by as many as needed, down by one drained replica at a time, each after its cooldown.
    /// </summary>
    private async Task AutoscaleAsync()
    {
        var settings = _options.Autoscaling;
        var inFlight = _members.Sum(m => m.State.InFlight);
        _loadSamples.Enqueue(inFlight);
        if (_loadSamples.Count > 5)
        {
            _loadSamples.Dequeue();
        }

        var average = _loadSamples.Average();
        var wanted = Math.Clamp((int)Math.Ceiling(average / settings.TargetInFlightPerReplica), settings.MinReplicas, Math.Min(settings.MaxReplicas, _options.MaxReplicas));
        var count = _members.Count;
        var sinceLast = _time.GetElapsedTime(_lastScaling);
        if (wanted > count && sinceLast >= settings.ScaleUpCooldown)
        {
            Log.Autoscaling(_logger, count, wanted, average);
            _lastScaling = _time.GetTimestamp();
            _desired = wanted;
            await ReconcileAsync(fromRetry: false).ConfigureAwait(false);
        }
        else if (wanted < count && sinceLast >= settings.ScaleDownCooldown)
        {
            Log.Autoscaling(_logger, count, count - 1, average);
            _lastScaling = _time.GetTimestamp();
            // The least busy replica goes; the newest among equals, so the initial names stay.
            var victim = _members.AsEnumerable().Reverse().MinBy(m => m.State.InFlight)!;
            RemoveAndDrain([victim], "autoscaling down");
            Publish();
        }
    }

    /// <summary>Waits, off the loop, until requests in flight on a removed replica finish (or the drain timeout), then asks the loop to stop it.</summary>
    private async Task DrainAsync(Member member)
    {
        var started = _time.GetTimestamp();
        try
        {
            // Requests that read the previous snapshot just before the swap may enter a moment later.
            await Task.Delay(DrainGrace, _time, _stopping.Token).ConfigureAwait(false);
            while (member.State.InFlight > 0 && _time.GetElapsedTime(started) < _options.DrainTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), _time, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Log.Drained(_logger, member.Hostname, member.State.InFlight, _time.GetElapsedTime(started));
        _commands.Writer.TryWrite(new DrainedCommand(member));
    }

    private async Task StopDrainedAsync(DrainedCommand command)
    {
        if (_draining.TryGetValue(command.Member.Hostname, out var member) && ReferenceEquals(member, command.Member))
        {
            await StopReplicaAsync(member).ConfigureAwait(false);
            _draining.Remove(member.Hostname);
        }
    }

    private async Task OnHeartbeatAsync(HeartbeatCommand command)
    {
        var member = command.Member;
        if (member.Removed)
        {
            return;
        }

        if (command.Ok)
        {
            member.Failures = 0;
            MarkReady(member);
            return;
        }

        member.Failures++;
        if (member.Failures <= _options.HeartbeatFailureThreshold)
        {
            Log.HeartbeatFailed(_logger, member.Hostname, member.Failures);
        }
        if (command.StartupFailed || member.Failures >= _options.HeartbeatFailureThreshold)
        {
            await FailAsync(member, command.StartupFailed ? "did not answer after start" : "heartbeats failed").ConfigureAwait(false);
        }
    }

    private async Task OnExitAsync(ExitCommand command)
    {
        var member = _members.Find(m => m.State.Replica.ProviderId == command.Replica.ProviderId && m.Hostname == command.Replica.Hostname);
        if (member is not null)
        {
            Log.Exited(_logger, member.Hostname);
            await FailAsync(member, "exited").ConfigureAwait(false);
        }
    }

    /// <summary>A replica failed: out of the ring at once; replaced by a new, randomly named one when the provider can start replicas.</summary>
    private async Task FailAsync(Member member, string reason)
    {
        LeaveRing(member, reason);
        if (!CanStart)
        {
            return; // A fixed address: keep probing, it rejoins when it answers again.
        }

        _members.Remove(member);
        member.Removed = true;
        Publish();
        await StopReplicaAsync(member).ConfigureAwait(false);
        await ReconcileAsync(fromRetry: false).ConfigureAwait(false);
    }

    /// <summary>Starts replicas with random names until the desired count runs.</summary>
    private async Task ReconcileAsync(bool fromRetry)
    {
        if (fromRetry)
        {
            _reconcileScheduled = false;
        }

        if (!CanStart || _stopping.IsCancellationRequested)
        {
            return;
        }

        var names = new List<string>();
        while (_members.Count + names.Count < _desired)
        {
            names.Add(NewRandomName(names));
        }

        await TryStartAsync(names).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Member>> TryStartAsync(List<string> names)
    {
        if (names.Count == 0)
        {
            return [];
        }

        try
        {
            var replicas = await _provider!.StartAsync(names, _stopping.Token).ConfigureAwait(false);
            Log.Started(_logger, string.Join(", ", names));
            return AddStarted(replicas);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StartFailed(_logger, string.Join(", ", names), ex);
            ScheduleReconcile();
            return [];
        }
    }

    private List<Member> AddStarted(IReadOnlyList<Replica> replicas)
    {
        var added = new List<Member>();
        foreach (var replica in replicas)
        {
            var member = new Member(new ReplicaState(replica));
            _members.Add(member);
            added.Add(member);
            _ = WaitUntilAnswersAsync(member);
        }

        Publish();
        return added;
    }

    private void ScheduleReconcile()
    {
        if (_reconcileScheduled)
        {
            return;
        }

        _reconcileScheduled = true;
        _ = Task.Delay(RetryDelay, _time, _stopping.Token)
            .ContinueWith(_ => _commands.Writer.TryWrite(new ReconcileCommand()), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    private async Task ShutdownAsync(ShutdownCommand command)
    {
        try
        {
            if (CanStart && _options.StopReplicasOnShutdown)
            {
                var all = _members.Concat(_draining.Values).ToList();
                foreach (var member in all)
                {
                    member.Removed = true;
                    LeaveRing(member, "shutting down");
                }

                await Task.WhenAll(all.Select(StopReplicaAsync)).ConfigureAwait(false);
                _members.Clear();
                _draining.Clear();
            }
        }
        finally
        {
            command.Completion.TrySetResult(true);
        }
    }

    private async Task StopReplicaAsync(Member member)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _provider!.StopAsync(member.State.Replica, timeout.Token).ConfigureAwait(false);
            Log.Stopped(_logger, member.Hostname);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            Log.StopFailed(_logger, member.Hostname, ex);
        }
    }

    private void MarkReady(Member member)
    {
        member.Ready.TrySetResult();
        if (!member.State.IsRoutable && !member.Removed && _table.Join(member.State))
        {
            Log.Joined(_logger, member.Hostname, member.State.Replica.Address, _table.Current.Count);
        }
    }

    private void LeaveRing(Member member, string reason)
    {
        if (_table.Leave(member.State))
        {
            Log.Left(_logger, member.Hostname, reason, _table.Current.Count);
        }
    }

    private void Publish() => _published = [.. _members];

    private bool IsTaken(string name) => _members.Any(m => m.Hostname == name) || _draining.ContainsKey(name);

    private string NewRandomName(List<string> pending)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        while (true)
        {
            var name = "Server-" + string.Create(6, 0, (span, _) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
                }
            });
            if (!IsTaken(name) && !pending.Contains(name))
            {
                return name;
            }
        }
    }

    /// <summary>Polls a new replica's heartbeat quickly until it answers: it joins the ring at its first answer.</summary>
    private async Task WaitUntilAnswersAsync(Member member)
    {
        var started = _time.GetTimestamp();
        var ct = _stopping.Token;
        try
        {
            while (!member.Removed && _time.GetElapsedTime(started) < StartupTimeout)
            {
                if (await ProbeAsync(member, ct).ConfigureAwait(false))
                {
                    _commands.Writer.TryWrite(new HeartbeatCommand(member, Ok: true, StartupFailed: false));
                    return;
                }

                await Task.Delay(ReadinessPollInterval, _time, ct).ConfigureAwait(false);
            }

            _commands.Writer.TryWrite(new HeartbeatCommand(member, Ok: false, StartupFailed: true));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken ct)
    {
        try
        {
            using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var members = _published;
                var probes = new Task[members.Length];
                for (var i = 0; i < members.Length; i++)
                {
                    probes[i] = ProbeAndReportAsync(members[i], ct);
                }

                await Task.WhenAll(probes).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ProbeAndReportAsync(Member member, CancellationToken ct)
    {
        // New replicas are polled by WaitUntilAnswersAsync until their first answer.
        if (!member.Ready.Task.IsCompleted || member.Removed)
        {
            return;
        }

        var ok = await ProbeAsync(member, ct).ConfigureAwait(false);
        if (!ok || member.Failures > 0 || !member.State.IsRoutable)
        {
            _commands.Writer.TryWrite(new HeartbeatCommand(member, ok, StartupFailed: false));
        }
    }

    private async Task<bool> ProbeAsync(Member member, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.HeartbeatTimeout);
        try
        {
            var uri = new Uri(member.State.ForwardPrefix + _options.HeartbeatPath);
            using var response = await _probe.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private async Task WatchExitsAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var replica in _provider!.WatchExitsAsync(ct).ConfigureAwait(false))
            {
                _commands.Writer.TryWrite(new ExitCommand(replica));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.WatchFailed(_logger, ex);
        }
    }

    private sealed class Member(ReplicaState state)
    {
        public ReplicaState State { get; } = state;

        public string Hostname => State.Hostname;

        public int Failures { get; set; }

        public volatile bool Removed;

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private abstract record Command;

    private abstract record ReplyCommand : Command
    {
        public TaskCompletionSource<AdminResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record AddCommand(int N, IReadOnlyList<string> Hostnames) : ReplyCommand;

    private sealed record RemoveCommand(int N, IReadOnlyList<string> Hostnames) : ReplyCommand;

    private sealed record InitializeCommand : Command
    {
        public TaskCompletionSource<IReadOnlyList<Member>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record ShutdownCommand : Command
    {
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record HeartbeatCommand(Member Member, bool Ok, bool StartupFailed) : Command;

    private sealed record ExitCommand(Replica Replica) : Command;

    private sealed record DrainedCommand(Member Member) : Command;

    private sealed record ReconcileCommand : Command;

    private sealed record AutoscaleCommand : Command;
}
