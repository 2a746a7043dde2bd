using System.Diagnostics;
using System.Net;
using Ringway.Samples.Tests.Infrastructure;
using Ringway.TestSupport.Processes;
using Ringway.TestSupport.Samples;
using Ringway.TestSupport.Waiting;

namespace Ringway.Samples.Tests;

/// <summary>Rows of docs/contract.md that change the replicas, each against its own sample host.</summary>
public sealed class ContractChangeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task AddThenRemove_ContractExamples_ListAllReplicasAfterEachChange()
    {
        await using var host = await SampleHost.StartAsync();
        var added = await Json.AssertReplicasAsync(await host.AddAsync("""{"n": 2, "hostnames": ["S5", "S4"]}"""));
        Assert.Equal(["Server 1", "Server 2", "Server 3", "S5", "S4"], added);

        var removed = await Json.AssertReplicasAsync(await host.RemoveAsync("""{"n": 1, "hostnames": ["S5"]}"""));
        Assert.Equal(["Server 1", "Server 2", "Server 3", "S4"], removed);

        // Shorter hostname lists: random names for the rest (add), random picks among existing replicas (rm).
        var more = await Json.AssertReplicasAsync(await host.AddAsync("""{"n": 2, "hostnames": ["S6"]}"""));
        Assert.Equal(["Server 1", "Server 2", "Server 3", "S4", "S6"], more[..5]);
        Assert.Matches("^Server-[a-z0-9]{6}$", more[5]);
        var fewer = await Json.AssertReplicasAsync(await host.RemoveAsync("""{"n": 3}"""));
        Assert.Equal(3, fewer.Length);
        Assert.Equal(more.Where(fewer.Contains), fewer);

        await Eventually.AssertAsync(() => host.ReplicaProcesses().Keys.Order().SequenceEqual(fewer.Order()), "the processes are exactly the listed replicas", Limit);
        for (var i = 0; i < 20; i++)
        {
            var answer = await host.Client.GetStringAsync($"/home?key={i}");
            Assert.Contains(fewer, r => answer.Contains($"Server: {r}\"", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Kill9_ReplicaProcess_ReplacedUnderRandomNameAndRoutingContinues()
    {
        await using var host = await SampleHost.StartAsync();
        var victim = host.ReplicaProcesses()["Server 2"];
        Process.GetProcessById(victim).Kill(); // SIGKILL: no chance to clean up

        IReadOnlyList<string> replicas = [];
        await Eventually.AssertAsync(async () =>
        {
            replicas = await host.ReplicasAsync();
            if (replicas.Count != 3 || replicas.Contains("Server 2"))
            {
                return false;
            }

            // The replacement answers through the balancer.
            for (var i = 0; i < 200; i++)
            {
                if ((await host.Client.GetStringAsync($"/home?key={i}")).Contains(replicas[2], StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }, "a replacement for Server 2 answers", Limit);
        Assert.Equal(["Server 1", "Server 3"], replicas.Take(2));
        Assert.Matches("^Server-[a-z0-9]{6}$", replicas[2]);
        Assert.Equal(replicas.Order(), host.ReplicaProcesses().Keys.Order());
    }

    [Fact]
    public async Task Remove_RequestsInFlight_NoneFail()
    {
        await using var host = await SampleHost.StartAsync();
        await Json.AssertReplicasAsync(await host.AddAsync("""{"n": 3}"""));
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var done = 0;
        var load = Enumerable.Range(0, 8).Select(async worker =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var response = await host.Client.GetAsync($"/home?key={worker}-{i}");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    var failure = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    lock (failures)
                    {
                        failures.Add(failure);
                    }
                }

                Interlocked.Increment(ref done);
            }
        }).ToArray();

        await LoadGoesOnAsync(TimeSpan.FromMilliseconds(200));
        await Json.AssertReplicasAsync(await host.RemoveAsync("""{"n": 2, "hostnames": ["Server 1"]}"""));
        await LoadGoesOnAsync(TimeSpan.FromMilliseconds(300));
        await Json.AssertReplicasAsync(await host.RemoveAsync("""{"n": 2}"""));
        await LoadGoesOnAsync(TimeSpan.FromMilliseconds(300));
        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.Empty(failures);
        await Eventually.AssertAsync(() => host.ReplicaProcesses().Count == 2, "removed replicas stopped after draining", Limit);

        // Before and after each removal the load runs for a while and for some requests at least: a busy machine that
        // serves fewer per second still has requests in flight across every removal (and a load that stalls fails the wait).
        async Task LoadGoesOnAsync(TimeSpan atLeast)
        {
            var target = Volatile.Read(ref done) + 24;
            await Task.WhenAll(Task.Delay(atLeast), Eventually.AssertAsync(() => Volatile.Read(ref done) >= target, "24 more requests under load", Limit));
        }
    }

    [Fact]
    public async Task AddRemove_ParallelCalls_ConsistentState()
    {
        await using var host = await SampleHost.StartAsync();
        var calls = Enumerable.Range(0, 8).Select(i => i % 2 == 0 ? host.AddAsync("""{"n": 2}""") : host.RemoveAsync("""{"n": 1}""")).ToArray();
        var responses = await Task.WhenAll(calls);
        foreach (var response in responses)
        {
            await Json.AssertReplicasAsync(response);
        }

        var replicas = await host.ReplicasAsync();
        Assert.Equal(3 + 8 - 4, replicas.Count);
        Assert.Equal(replicas.Count, replicas.Distinct().Count());
        await Eventually.AssertAsync(() => host.ReplicaProcesses().Keys.Order().SequenceEqual(replicas.Order()), "processes match /rep", Limit);
    }

    [Fact]
    public async Task Remove_AllReplicas_RoutedRequests503()
    {
        await using var host = await SampleHost.StartAsync();
        Assert.Empty(await Json.AssertReplicasAsync(await host.RemoveAsync("""{"n": 3}""")));
        using var response = await host.Client.GetAsync("/home");
        Assert.Equal("<Error> No replica is available to serve the request", await Json.AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable));
        Assert.Equal(["S1"], await Json.AssertReplicasAsync(await host.AddAsync("""{"n": 1, "hostnames": ["S1"]}""")));
    }

    [Fact]
    public async Task StaticMode_Add_400ClearError()
    {
        await using var backends = await SampleHost.StartAsync();
        // Any HTTP server works as a fixed backend; the replicas of another sample host are at hand.
        await using var host = await SampleHost.StartAsync("--backends", backends.Address.ToString());
        Assert.Equal([backends.Address.Authority], await host.ReplicasAsync());
        Assert.Equal(
            "<Error> This balancer cannot start replicas: its replicas are fixed addresses",
            await Json.AssertErrorAsync(await host.AddAsync("""{"n": 1}"""), HttpStatusCode.BadRequest));
        Assert.Contains("Hello from Server", await host.Client.GetStringAsync("/home"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKey_Configured_AdminNeedsIt()
    {
        await using var host = await SampleHost.StartAsync("--Balancer:Admin:ApiKey=s3cret", "--Balancer:Replicas:Count=1");
        using var denied = await host.Client.GetAsync("/rep");
        await Json.AssertErrorAsync(denied, HttpStatusCode.Unauthorized);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/rep");
        request.Headers.Add("X-Api-Key", "s3cret");
        Assert.Equal(["Server 1"], await Json.AssertReplicasAsync(await host.Client.SendAsync(request)));
    }

    [Fact]
    public async Task Kill9_Balancer_ItsReplicaProcessesExitToo()
    {
        await using var host = await SampleHost.StartAsync();
        var replicas = host.ReplicaProcesses().Values.ToArray();
        Assert.Equal(3, replicas.Length);

        Process.GetProcessById(host.ProcessId).Kill(); // SIGKILL: the balancer cannot stop its children itself

        await Eventually.AssertAsync(() => replicas.All(pid => !ProcessTable.IsRunning(pid)), "every replica of the killed balancer exits", Limit);
    }

}
