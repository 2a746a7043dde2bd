using System.Net;
using System.Text.Json;
using Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Supervision;

/// <summary>
/// Supervision on the real clock, through a real balancer in front of real Kestrel replicas: what only the whole system
/// shows (routing to the replicas it started, the admin API's answers, requests in flight drained, a dead replica found
/// by real probes, no failed request while membership changes). The decisions themselves are tested on a fake clock
/// in <see cref="ReplicaSupervisorTests"/>.
/// </summary>
public sealed class SupervisionEndToEndTests
{
    /// <summary>How long a real-clock wait for asynchronous state may take on a busy machine.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Start_ProviderCanStart_StartsServer1ToNAllRoutable()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync();
        await using (provider)
        await using (balancer)
        {
            Assert.Equal(["Server 1", "Server 2", "Server 3"], await balancer.ReplicasAsync());
            Assert.Equal(3, balancer.Table.Current.Count);
            var answers = new HashSet<string>();
            for (var i = 0; i < 30; i++)
            {
                answers.Add(await balancer.Client.GetStringAsync($"/whoami?key={i}"));
            }

            Assert.Equal(["Server 1", "Server 2", "Server 3"], answers.Order());
        }
    }

    [Fact]
    public async Task Add_NamesAndCount_AppendsInOrderAndRoutes()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync();
        await using (provider)
        await using (balancer)
        {
            using var response = await balancer.AddAsync("""{"n": 3, "hostnames": ["S5", "S4"]}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(6, json.RootElement.GetProperty("message").GetProperty("N").GetInt32());
            var replicas = await balancer.ReplicasAsync();
            Assert.Equal(["Server 1", "Server 2", "Server 3", "S5", "S4"], replicas.Take(5));
            Assert.Matches("^Server-[a-z0-9]{6}$", replicas[5]);
            await Eventually.AssertAsync(() => balancer.Table.Current.Count == 6, "6 replicas in the ring", Within);
        }
    }

    [Fact]
    public async Task Add_ExistingHostname_400AndNothingChanges()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync();
        await using (provider)
        await using (balancer)
        {
            using var response = await balancer.AddAsync("""{"n": 2, "hostnames": ["S7", "Server 2"]}""");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("'Server 2' already exists", await ForwardingTests.AssertErrorJsonAsync(response), StringComparison.Ordinal);
            Assert.Equal(3, provider.Running.Count);
            Assert.Equal(1, provider.StartCalls);
        }
    }

    [Fact]
    public async Task Remove_RequestsInFlight_DrainedBeforeStop()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync(o => o.Replicas.Count = 2);
        await using (provider)
        await using (balancer)
        {
            var backend = provider.Backend("Server 1");
            backend.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var key = await KeyOwnedByAsync(balancer, "Server 1");
            var inFlight = Enumerable.Range(0, 5).Select(_ => balancer.Client.GetAsync($"/gate?key={key}")).ToArray();
            await Eventually.AssertAsync(() => backend.Requests >= 6, "requests reached Server 1", Within);

            using var removed = await balancer.RemoveAsync("""{"n": 1, "hostnames": ["Server 1"]}""");
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
            // Out of the ring at once: the same key now goes elsewhere, while Server 1 still runs for its requests.
            Assert.Equal("Server 2", await balancer.Client.GetStringAsync($"/whoami?key={key}"));
            await Task.Delay(300);
            Assert.Contains("Server 1", provider.Running);

            backend.Gate.TrySetResult();
            foreach (var request in inFlight)
            {
                using var response = await request;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("Server 1", await response.Content.ReadAsStringAsync());
            }

            await Eventually.AssertAsync(() => !provider.Running.Contains("Server 1"), "Server 1 stopped after draining", Within);
        }
    }

    [Fact]
    public async Task Heartbeat_ReplicaDiesSilently_ReplacedUnderRandomName()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync();
        await using (provider)
        await using (balancer)
        {
            await provider.KillAsync("Server 2", reportExit: false);
            await Eventually.AssertAsync(async () =>
            {
                var replicas = await balancer.ReplicasAsync();
                return replicas.Length == 3 && !replicas.Contains("Server 2") && balancer.Table.Current.Count == 3;
            }, "Server 2 replaced and 3 replicas routable", Within);
            var replicas = await balancer.ReplicasAsync();
            Assert.Equal(["Server 1", "Server 3"], replicas.Take(2));
            Assert.Matches("^Server-[a-z0-9]{6}$", replicas[2]);
        }
    }

    [Fact]
    public async Task Membership_ChangesUnderConcurrentLoad_NoFailedRequests()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync();
        await using (provider)
        await using (balancer)
        {
            using var stop = new CancellationTokenSource();
            var failures = 0;
            var done = 0;
            var load = Enumerable.Range(0, 8).Select(async worker =>
            {
                var i = 0;
                while (!stop.IsCancellationRequested)
                {
                    using var response = await balancer.Client.GetAsync($"/whoami?key={worker}-{i++}");
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref failures);
                    }

                    Interlocked.Increment(ref done);
                }
            }).ToArray();

            for (var round = 0; round < 4; round++)
            {
                (await balancer.AddAsync("""{"n": 2}""")).EnsureSuccessStatusCode();
                await LoadGoesOnAsync(TimeSpan.FromMilliseconds(150), 16);
                (await balancer.RemoveAsync("""{"n": 2}""")).EnsureSuccessStatusCode();
                await LoadGoesOnAsync(TimeSpan.FromMilliseconds(150), 16);
            }

            await provider.KillAsync((await balancer.ReplicasAsync())[0], reportExit: true);
            await LoadGoesOnAsync(TimeSpan.FromMilliseconds(500), 64);
            await stop.CancelAsync();
            await Task.WhenAll(load);
            Assert.Equal(0, failures);

            // After each change the load runs on for a while and for some requests at least: a busy machine that serves
            // fewer per second still sends requests across every change (and a load that stalls fails the wait).
            async Task LoadGoesOnAsync(TimeSpan atLeast, int requests)
            {
                var target = Volatile.Read(ref done) + requests;
                await Task.WhenAll(
                    Task.Delay(atLeast),
                    Eventually.AssertAsync(() => Volatile.Read(ref done) >= target, $"{requests} more requests under load", Within));
            }
        }
    }

    private static async Task<string> KeyOwnedByAsync(TestBalancer balancer, string replica)
    {
        for (var i = 0; ; i++)
        {
            if (await balancer.Client.GetStringAsync($"/whoami?key=k{i}") == replica)
            {
                return $"k{i}";
            }
        }
    }
}
