using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests.Balancer;

/// <summary>
/// The engine goes away under a running balancer whose replicas keep running (live-restore): requests keep being routed
/// to them, /add fails with a clear JSON error, and the provider recovers by itself once the engine is back.
/// Live-restore cannot be on for the Swarm tests, so this test restarts the engine with <c>--live-restore</c> added and
/// puts the original engine back at the end; it runs in the Docker collection, so no other Docker test runs meanwhile.
/// </summary>
[Collection(Containers.DockerCollection.Name)]
public sealed class EngineOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan OutageLength = TimeSpan.FromSeconds(8);
    private const int Clients = 4;

    [LocalEngineFact(noForeignSwarm: true)]
    public Task EngineStopped_LiveRestore_RoutingContinuesAddFailsClearlyProviderRecovers() => WithLiveRestoreAsync(networkMode: false);

    /// <summary>
    /// Replicas addressed on their network (as in the compose system), here from a balancer on the Docker host: by their
    /// IP addresses, so even new connections to them need nothing from the stopped engine (names would need its DNS).
    /// </summary>
    [LocalEngineFact(noForeignSwarm: true)]
    public Task EngineStopped_LiveRestore_NetworkMode_NewConnectionsToReplicasStillWork() => WithLiveRestoreAsync(networkMode: true);

    private async Task WithLiveRestoreAsync(bool networkMode)
    {
        Assert.False(LocalEngine.InSwarm, "live-restore is incompatible with swarm mode: the engine must not be in a swarm");
        LocalEngine.Restart("--live-restore");
        try
        {
            Assert.True(LocalEngine.LiveRestore);
            await RunOutageAsync(networkMode);
        }
        finally
        {
            if (!LocalEngine.ProcessRunning)
            {
                LocalEngine.Start("--live-restore"); // containers left running by a failure are then removed below, by label
            }
            LocalEngine.Restart(); // the original engine: as .ci/docker-setup.sh started it
        }
        Assert.False(LocalEngine.LiveRestore);
    }

    private async Task RunOutageAsync(bool networkMode)
    {
        await using var test = new TestResources();
        // Published on the host's address on the bridge: reached through the kernel's NAT rules, which stay while the
        // engine is down. docker-proxy (which serves ports published on 127.0.0.1) exits with the engine. In network mode
        // the replicas' addresses on the bridge, routed by the kernel as well.
        await using var balancer = await ContainerBalancer.StartAsync(test, output, o =>
        {
            if (networkMode)
            {
                o.UsePublishedPorts = false;
            }
            else
            {
                o.PublishedPortHostIp = test.Gateway();
            }
        });
        var replicas = await balancer.ReplicasAsync();
        var containers = test.RunningReplicaContainers();
        var onNetwork = networkMode ? containers.Select(id => new Uri($"http://{test.IpOnNetwork(id)}:5000/")).ToList() : [];
        Assert.Equal(["Server 1", "Server 2", "Server 3"], replicas);
        Assert.Equal(3, containers.Count);
        // For comparison only (printed, not asserted: it is the engine's behaviour): a server published on 127.0.0.1.
        var probe = test.RunUnlabelled($"ringway-probe-{test.Id}", "-p", "127.0.0.1::5000");
        var loopback = new Uri($"http://{Cli.Run("port", probe, "5000/tcp").Split('\n')[0].Trim()}/");
        await Http.GetWhenUpAsync(loopback, "/heartbeat");

        var clock = Stopwatch.StartNew();
        using var load = new RoutedLoad(balancer.Client, Clients, clock);
        await load.WaitForAsync(100);

        TimeSpan down, up, added, reconnected;
        HttpStatusCode addStatus;
        string addBody, addContentType;
        IReadOnlyList<string> duringOutage;
        string loopbackDuring;
        string[] directDuring;
        long downTimestamp;
        try
        {
            LocalEngine.Stop();
            down = clock.Elapsed;
            downTimestamp = Stopwatch.GetTimestamp();
            Assert.False(LocalEngine.Answers);

            await Task.Delay(TimeSpan.FromSeconds(1));
            var addClock = Stopwatch.StartNew();
            using (var add = await balancer.AddAsync(1))
            {
                added = addClock.Elapsed;
                addStatus = add.StatusCode;
                addBody = await add.Content.ReadAsStringAsync();
                addContentType = add.Content.Headers.ContentType?.ToString() ?? "";
            }
            duringOutage = await balancer.ReplicasAsync();
            loopbackDuring = await ProbeAsync(loopback, 10);
            // New connections (a fresh client per replica) straight to the replicas' addresses on the network.
            directDuring = await Task.WhenAll(onNetwork.Select(a => ProbeAsync(a, 5)));
            var rest = OutageLength - (clock.Elapsed - down);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
            Assert.False(LocalEngine.Answers, "the engine came back by itself during the outage");
        }
        finally
        {
            if (!LocalEngine.ProcessRunning)
            {
                LocalEngine.Start("--live-restore");
            }
        }
        up = clock.Elapsed;
        var upTimestamp = Stopwatch.GetTimestamp();
        var loopbackBack = Task.Run(async () =>
        {
            await Http.GetWhenUpAsync(loopback, "/heartbeat");
            return clock.Elapsed - up;
        });

        // Recovery by itself: /add works again, and the provider is back on the engine's event stream (event 4005).
        using var addAgain = await balancer.AddAsync(1);
        var addWorks = clock.Elapsed - up;
        var addAgainBody = await addAgain.Content.ReadAsStringAsync();
        // Logged when the stream is back; the provider may notice the engine a moment before this test does, so from the stop on.
        var reconnect = await balancer.WaitForLogAsync(4005, downTimestamp, TimeSpan.FromSeconds(30));
        reconnected = reconnect is null ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(upTimestamp, reconnect.Timestamp);
        var after = await balancer.ReplicasAsync();
        await Task.Delay(TimeSpan.FromSeconds(1)); // routed requests after the recovery too, the new replica included
        var totals = await load.StopAsync();

        var outage = totals.Between(down, up);
        output.WriteLine($"engine outage: dockerd stopped at {down.TotalSeconds:F1} s, answering again at {up.TotalSeconds:F1} s: down for {(up - down).TotalMilliseconds:F0} ms");
        output.WriteLine($"routed GET /home during the outage: {outage.Requests} requests, {outage.Failures} failed, answered by {string.Join(", ", outage.Servers)}; " +
                         $"whole run ({clock.Elapsed.TotalSeconds:F1} s, {Clients} clients): {totals.All.Requests} requests, {totals.All.Failures} failed");
        output.WriteLine($"/add during the outage: {(int)addStatus} in {added.TotalMilliseconds:F0} ms: {addBody}");
        output.WriteLine($"recovery: event stream reconnected {reconnected.TotalMilliseconds:F0} ms after the engine answered; " +
                         $"/add {{\"n\":1}} answered {(int)addAgain.StatusCode} {addWorks.TotalMilliseconds:F0} ms after the engine answered; /rep: {string.Join(", ", after)}");
        output.WriteLine($"for comparison, a port published on 127.0.0.1 (served by docker-proxy): {loopbackDuring} during the outage; " +
                         $"answering again {(await loopbackBack).TotalMilliseconds:F0} ms after the engine answered");
        if (networkMode)
        {
            output.WriteLine($"new connections to the replicas' network addresses during the outage: {string.Join("; ", directDuring)}");
        }
        foreach (var failure in totals.FailureSamples)
        {
            output.WriteLine($"failure: {failure}");
        }

        // Routing through the outage.
        Assert.True(outage.Requests >= 200, $"only {outage.Requests} requests were sent during the outage");
        Assert.Equal(0, outage.Failures);
        Assert.Equal(0, totals.All.Failures);
        Assert.Equal(3, outage.Servers.Count);
        Assert.All(directDuring, probe => Assert.StartsWith("0 of ", probe));

        // /add while the engine is away: the contract's JSON failure, naming the engine, nothing changed.
        Assert.True(addStatus == HttpStatusCode.ServiceUnavailable, $"/add answered {(int)addStatus}: {addBody}");
        Assert.StartsWith("application/json", addContentType);
        using (var json = JsonDocument.Parse(addBody))
        {
            Assert.Equal(2, json.RootElement.EnumerateObject().Count());
            Assert.Equal("failure", json.RootElement.GetProperty("status").GetString());
            var message = json.RootElement.GetProperty("message").GetString()!;
            Assert.StartsWith("<Error> ", message);
            Assert.Contains("the Docker engine at ", message);
            Assert.Contains("is not reachable", message);
        }
        Assert.Equal(replicas, duringOutage);
        Assert.True(added < TimeSpan.FromSeconds(10), $"/add took {added} to fail");

        // Recovery: nothing restarted, nothing duplicated, nothing orphaned.
        Assert.NotNull(reconnect);
        Assert.True(addAgain.StatusCode == HttpStatusCode.OK, $"/add after the outage answered {(int)addAgain.StatusCode}: {addAgainBody}");
        Assert.Equal(4, after.Count);
        Assert.Equal(replicas, after.Take(3));
        var running = test.RunningReplicaContainers();
        Assert.Equal(running.Order(), test.AllReplicaContainers().Order());
        Assert.Equal(4, running.Count);
        Assert.Empty(containers.Except(running)); // the same three containers, carried through the outage
        var labelled = running.Select(id => Cli.Run("inspect", "--format", "{{index .Config.Labels \"io.ringway.hostname\"}}", id)).Order();
        Assert.Equal(after.Order(), labelled);
    }

    /// <summary>Sends <paramref name="count"/> GETs straight to a server, a short time limit each; says how many failed and how.</summary>
    private static async Task<string> ProbeAsync(Uri address, int count)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var errors = new List<string>();
        for (var i = 0; i < count; i++)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(address, "/heartbeat"));
                if (!response.IsSuccessStatusCode)
                {
                    errors.Add(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                errors.Add(e.GetBaseException().Message);
            }
            await Task.Delay(50);
        }
        return $"{errors.Count} of {count} GETs failed{(errors.Count > 0 ? $" ({errors.Distinct().First()})" : "")}";
    }

    /// <summary>
    /// GET /home through the balancer from a few clients, each request recorded with when it started and ended, so the
    /// ones that fell inside the outage can be counted.
    /// </summary>
    private sealed class RoutedLoad : IDisposable
    {
        private readonly HttpClient _client;
        private readonly Stopwatch _clock;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task<List<Sample>>> _workers;
        private int _completed;

        public RoutedLoad(HttpClient client, int clients, Stopwatch clock)
        {
            _client = client;
            _clock = clock;
            _workers = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(RunAsync))];
        }

        public Task WaitForAsync(int requests) => Eventually.TrueAsync(() => Volatile.Read(ref _completed) >= requests, TimeSpan.FromSeconds(30), pollMilliseconds: 200);

        private async Task<List<Sample>> RunAsync()
        {
            var samples = new List<Sample>();
            while (!_stop.IsCancellationRequested)
            {
                var start = _clock.Elapsed;
                string? error = null, server = null;
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    using var response = await _client.GetAsync("/home", timeout.Token);
                    var body = await response.Content.ReadAsStringAsync(timeout.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        using var json = JsonDocument.Parse(body);
                        server = json.RootElement.GetProperty("message").GetString()!.Replace("Hello from Server: ", "", StringComparison.Ordinal);
                    }
                    else
                    {
                        error = $"{(int)response.StatusCode} {body}";
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
                {
                    error = $"{e.GetType().Name}: {e.Message}";
                }
                samples.Add(new Sample(start, _clock.Elapsed, server, error));
                Interlocked.Increment(ref _completed);
                await Task.Delay(5);
            }
            return samples;
        }

        public async Task<Totals> StopAsync()
        {
            await _stop.CancelAsync();
            var samples = (await Task.WhenAll(_workers)).SelectMany(s => s).ToList();
            return new Totals(samples);
        }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                Task.WaitAll([.. _workers], TimeSpan.FromSeconds(15));
            }
            catch (AggregateException)
            {
                // Already reported by StopAsync, or the test failed before it.
            }
            _stop.Dispose();
        }
    }

    private sealed record Sample(TimeSpan Start, TimeSpan End, string? Server, string? Error);

    private sealed record Window(int Requests, int Failures, IReadOnlyList<string> Servers);

    private sealed class Totals(List<Sample> samples)
    {
        public Window All => Of(samples);

        /// <summary>Requests that started after the engine stopped and ended before it answered again.</summary>
        public Window Between(TimeSpan from, TimeSpan to) => Of(samples.Where(s => s.Start >= from && s.End <= to).ToList());

        public IEnumerable<string> FailureSamples => samples.Where(s => s.Error is not null).Take(10)
            .Select(s => $"{s.Start.TotalSeconds:F2}-{s.End.TotalSeconds:F2} s: {s.Error}");

        private static Window Of(List<Sample> chosen) =>
            new(chosen.Count, chosen.Count(s => s.Error is not null), [.. chosen.Where(s => s.Server is not null).Select(s => s.Server!).Distinct().Order()]);
    }
}
