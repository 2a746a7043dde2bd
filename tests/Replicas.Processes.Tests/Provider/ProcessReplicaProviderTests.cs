using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.Replicas.Processes;
using Ringway.Replicas.Processes.Tests.Support;
using Ringway.TestSupport.Logging;
using Ringway.TestSupport.Processes;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Replicas.Processes.Tests.Provider;

/// <summary>The provider against real child processes of samples/Server (and of /bin/sh, sleep...).</summary>
public sealed class ProcessReplicaProviderTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly ChildProcessGuard _guard = new();

    public void Dispose() => _guard.Dispose();

    [Fact]
    public async Task StartAsync_ThreeHostnames_EachReplicaAnswersWithItsHostname()
    {
        await using var provider = Create(ServerOptions());
        string[] hostnames = ["Server 1", "Server 2", "Server 3"];

        var replicas = await provider.StartAsync(hostnames, CancellationToken.None);

        Assert.Equal(hostnames, replicas.Select(r => r.Hostname));
        Assert.Equal(3, replicas.Select(r => r.Address.Port).Distinct().Count());
        foreach (var replica in replicas)
        {
            Assert.Equal(new Uri($"http://127.0.0.1:{replica.Address.Port}/"), replica.Address);
            Assert.Equal($"Hello from Server: {replica.Hostname}", await Http.HomeMessageAsync(replica.Address));
            // The provider id is the server's own process id (the watchdog shell exec'd it), not a wrapper's.
            var commandLine = await File.ReadAllTextAsync($"/proc/{replica.ProviderId}/cmdline");
            Assert.Contains("Ringway.Samples.Server.dll", commandLine, StringComparison.Ordinal);
        }

        Assert.Equal(replicas, await provider.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task StopAsync_RunningReplica_EndsItsProcessAndClosesItsPort()
    {
        await using var provider = Create(ServerOptions());
        var replicas = await provider.StartAsync(["a", "b"], CancellationToken.None);
        var (a, b) = (replicas[0], replicas[1]);

        await provider.StopAsync(a, CancellationToken.None);

        Assert.False(ProcessTable.IsRunning(Pid(a)));
        var refused = await Assert.ThrowsAnyAsync<SocketException>(() => ConnectAsync(a.Address));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Equal([b], await provider.ListAsync(CancellationToken.None));
        await provider.StopAsync(a, CancellationToken.None); // stopping it again succeeds
        var c = (await provider.StartAsync(["c"], CancellationToken.None))[0];
        Assert.Equal([b, c], await provider.ListAsync(CancellationToken.None)); // in start order

        // A stopped replica is not an exit to report: the first exit WatchExitsAsync yields is b's.
        ProcessTable.Signal(Pid(b), ProcessTable.SigKill);
        Assert.Equal(b, await FirstExitAsync(provider));
    }

    [Fact]
    public async Task WatchExitsAsync_ReplicaKilledWithSigkill_YieldsItOnce()
    {
        await using var provider = Create(ServerOptions());
        var replicas = await provider.StartAsync(["a", "b"], CancellationToken.None);

        ProcessTable.Signal(Pid(replicas[0]), ProcessTable.SigKill);

        Assert.Equal(replicas[0], await FirstExitAsync(provider));
        Assert.Equal([replicas[1]], await provider.ListAsync(CancellationToken.None));
        Assert.True(ProcessTable.IsRunning(Pid(replicas[1])));
        await provider.StopAsync(replicas[0], CancellationToken.None); // the controller may still stop it: no error
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StartAsync_CommandNotFound_ThrowsClearErrorAndLeavesNothingRunning(bool watchdog)
    {
        var missing = "/nonexistent/ringway-" + _guard.Marker;
        await using var provider = Create(ServerOptions(o =>
        {
            o.FileName = missing;
            o.UseWatchdog = watchdog;
        }));

        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => provider.StartAsync(["a", "b"], CancellationToken.None));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Matches("Replica '(a|b)' could not be started", error.Message);
        Assert.Empty(await provider.ListAsync(CancellationToken.None));
        Assert.True(await _guard.NoneRunningAsync(Limit));
    }

    [Fact]
    public async Task StartAsync_OneReplicaExitsAtOnce_StopsTheOthersAndThrows()
    {
        // A wrapper that fails for the replica named "broken" and runs the server for the others.
        await using var provider = Create(ServerOptions(o => WrapInShell(o, """if [ "$SERVER_ID" = broken ]; then echo broken >&2; exit 3; fi; exec "$@" """)));

        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => provider.StartAsync(["ok1", "broken", "ok2"], CancellationToken.None));

        Assert.Contains("'broken'", error.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 times", error.Message, StringComparison.Ordinal);
        Assert.Empty(await provider.ListAsync(CancellationToken.None));
        Assert.True(await _guard.NoneRunningAsync(Limit));
    }

    [Fact]
    public async Task StartAsync_FirstAttemptExitsBeforeListening_SucceedsOnAnotherPort()
    {
        // Like a port clash: the first process exits before it listens; the second one runs.
        var flag = Path.Combine(Path.GetTempPath(), "ringway-retry-" + _guard.Marker);
        try
        {
            await using var provider = Create(ServerOptions(o => WrapInShell(o, $"""if [ ! -e '{flag}' ]; then : > '{flag}'; exit 1; fi; exec "$@" """)));

            var replicas = await provider.StartAsync(["a"], CancellationToken.None);

            Assert.True(File.Exists(flag));
            Assert.Equal("Hello from Server: a", await Http.HomeMessageAsync(replicas[0].Address));
        }
        finally
        {
            File.Delete(flag);
        }
    }

    [Fact]
    public async Task StartAsync_ProcessNeverListens_ThrowsAfterStartTimeoutAndStopsIt()
    {
        await using var provider = Create(ServerOptions(o =>
        {
            o.FileName = "sleep";
            o.Arguments.Clear();
            o.Arguments.Add("300");
            o.StartTimeout = TimeSpan.FromSeconds(1);
        }));

        var error = await Assert.ThrowsAsync<ReplicaProviderException>(() => provider.StartAsync(["a"], CancellationToken.None));

        Assert.Contains("did not listen", error.Message, StringComparison.Ordinal);
        Assert.True(await _guard.NoneRunningAsync(Limit));
    }

    [Fact]
    public async Task StartAsync_PlaceholdersInEnvironment_AreReplacedPerReplica()
    {
        await using var provider = Create(ServerOptions(o =>
        {
            o.IdEnvironmentVariable = null;
            o.Environment["SERVER_ID"] = "{id} on {host}:{port}";
        }));

        var replicas = await provider.StartAsync(["a", "b"], CancellationToken.None);

        foreach (var replica in replicas)
        {
            Assert.Equal($"Hello from Server: {replica.Hostname} on 127.0.0.1:{replica.Address.Port}", await Http.HomeMessageAsync(replica.Address));
        }
    }

    [Fact]
    public async Task StartAsync_CancelledWhileStarting_LeavesNothingRunning()
    {
        // Processes that never listen: only the cancellation ends StartAsync.
        await using var provider = Create(ServerOptions(o =>
        {
            o.FileName = "sleep";
            o.Arguments.Clear();
            o.Arguments.Add("300");
        }));
        using var cancellation = new CancellationTokenSource();

        var start = provider.StartAsync(["a", "b"], cancellation.Token);
        await Eventually.TrueAsync(() => _guard.Running().Count >= 2, Limit, pollMilliseconds: 100);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
        Assert.Empty(await provider.ListAsync(CancellationToken.None));
        Assert.True(await _guard.NoneRunningAsync(Limit));
    }

    [Fact]
    public async Task DisposeAsync_RunningReplicas_StopsEveryChild()
    {
        var provider = Create(ServerOptions());
        var replicas = await provider.StartAsync(["a", "b"], CancellationToken.None);

        await provider.DisposeAsync();

        Assert.All(replicas, replica => Assert.False(ProcessTable.IsRunning(Pid(replica))));
        await Assert.ThrowsAsync<ReplicaProviderException>(() => provider.StartAsync(["c"], CancellationToken.None));
        Assert.True(await _guard.NoneRunningAsync(Limit)); // watchdogs too
    }

    private ProcessReplicaProvider Create(ProcessReplicaOptions options) =>
        new(options, new TestOutputLogger<ProcessReplicaProvider>(output), TimeProvider.System);

    /// <summary>The sample server on {host}:{port}, marked as this test's.</summary>
    private ProcessReplicaOptions ServerOptions(Action<ProcessReplicaOptions>? configure = null)
    {
        var options = new ProcessReplicaOptions { FileName = DotnetHost.Executable, StopGracePeriod = TimeSpan.FromSeconds(5) };
        options.Arguments.Add(BuildOutputs.ServerDll);
        options.Arguments.Add("--urls");
        options.Arguments.Add("http://{host}:{port}");
        options.Environment[ChildProcessGuard.Variable] = _guard.Marker;
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Runs the configured command through <c>/bin/sh -c script</c>, which receives it as "$@".</summary>
    private static void WrapInShell(ProcessReplicaOptions options, string script)
    {
        var command = new[] { options.FileName! }.Concat(options.Arguments).ToArray();
        options.FileName = "/bin/sh";
        options.Arguments.Clear();
        foreach (var argument in new[] { "-c", script, "test-wrapper" }.Concat(command))
        {
            options.Arguments.Add(argument);
        }
    }

    private static int Pid(Replica replica) => int.Parse(replica.ProviderId, CultureInfo.InvariantCulture);

    private static async Task ConnectAsync(Uri address)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address.Host), address.Port));
    }

    private static async Task<Replica> FirstExitAsync(ProcessReplicaProvider provider)
    {
        using var limit = new CancellationTokenSource(Limit);
        await using var exits = provider.WatchExitsAsync(limit.Token).GetAsyncEnumerator(limit.Token);
        Assert.True(await exits.MoveNextAsync());
        return exits.Current;
    }
}
