using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Supervision;

public sealed class SupervisionEndToEndTests
{
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
    public async Task Start_ProviderFailsFirst_HostStartsAndReplicasComeLater()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync(failFirstStart: true);
        await using (provider)
        await using (balancer)
        {
            using var early = await balancer.Client.GetAsync("/whoami");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
            await SupervisionFixture.EventuallyAsync(() => balancer.Table.Current.Count == 3, "3 replicas after the retry");
            Assert.Equal(3, (await balancer.ReplicasAsync()).Length);
            Assert.Equal(2, provider.StartCalls);
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
            await SupervisionFixture.EventuallyAsync(() => balancer.Table.Current.Count == 6, "6 replicas in the ring");
        }
    }

    [Fact]
    public async Task Add_ProviderFails_503AndNothingChanges()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync();
        await using (provider)
        await using (balancer)
        {
            provider.FailNextStart = true;
            using var response = await balancer.AddAsync("""{"n": 1, "hostnames": ["S9"]}""");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("engine is down", await ForwardingTests.AssertErrorJsonAsync(response), StringComparison.Ordinal);
            Assert.Equal(["Server 1", "Server 2", "Server 3"], await balancer.ReplicasAsync());
            Assert.Equal(3, provider.Running.Count);
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
    public async Task Remove_NamedAndRandom_RemovedFromRingAndStopped()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync(o => o.Replicas = 4);
        await using (provider)
        await using (balancer)
        {
            using var response = await balancer.RemoveAsync("""{"n": 2, "hostnames": ["Server 2"]}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var replicas = await balancer.ReplicasAsync();
            Assert.Equal(2, replicas.Length);
            Assert.DoesNotContain("Server 2", replicas);
            Assert.Equal(2, balancer.Table.Current.Count);
            await SupervisionFixture.EventuallyAsync(() => provider.Running.Order().SequenceEqual(replicas.Order()), "the provider runs exactly the listed replicas");
        }
    }

    [Fact]
    public async Task Remove_RequestsInFlight_DrainedBeforeStop()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync(o => o.Replicas = 2);
        await using (provider)
        await using (balancer)
        {
            var backend = provider.Backend("Server 1");
            backend.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var key = await KeyOwnedByAsync(balancer, "Server 1");
            var inFlight = Enumerable.Range(0, 5).Select(_ => balancer.Client.GetAsync($"/gate?key={key}")).ToArray();
            await SupervisionFixture.EventuallyAsync(() => backend.Requests >= 6, "requests reached Server 1");

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

            await SupervisionFixture.EventuallyAsync(() => !provider.Running.Contains("Server 1"), "Server 1 stopped after draining");
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
            await SupervisionFixture.EventuallyAsync(async () =>
            {
                var replicas = await balancer.ReplicasAsync();
                return replicas.Length == 3 && !replicas.Contains("Server 2") && balancer.Table.Current.Count == 3;
            }, "Server 2 replaced and 3 replicas routable");
            var replicas = await balancer.ReplicasAsync();
            Assert.Equal(["Server 1", "Server 3"], replicas.Take(2));
            Assert.Matches("^Server-[a-z0-9]{6}$", replicas[2]);
        }
    }

    [Fact]
    public async Task Heartbeat_ReplicaHangs_ReplacedAfterProbesTimeOut()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync();
        await using (provider)
        await using (balancer)
        {
            // Accepts connections but never answers: only the probe timeout (the default 2 s, twice) can find it.
            provider.Backend("Server 2").HeartbeatDelay = Timeout.InfiniteTimeSpan;
            await SupervisionFixture.EventuallyAsync(async () =>
            {
                var replicas = await balancer.ReplicasAsync();
                return replicas.Length == 3 && !replicas.Contains("Server 2") && balancer.Table.Current.Count == 3;
            }, "Server 2 replaced and 3 replicas routable", seconds: 20);
        }
    }

    [Fact]
    public async Task Heartbeat_ReplicaAnswersSlowlyWithinTimeout_KeptInRing()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync();
        await using (provider)
        await using (balancer)
        {
            // A busy replica: each probe waits 800 ms, under the default 2 s timeout (a 500 ms one would replace it).
            var slow = provider.Backend("Server 2");
            slow.HeartbeatDelay = TimeSpan.FromMilliseconds(800);
            await Task.Delay(TimeSpan.FromSeconds(3)); // about three probe rounds; two failed ones would replace it

            Assert.Equal(["Server 1", "Server 2", "Server 3"], await balancer.ReplicasAsync());
            Assert.Equal(3, balancer.Table.Current.Count);
            Assert.Equal(1, provider.StartCalls); // no replacement started
        }
    }

    [Fact]
    public async Task Exit_ProviderReportsExit_ReplacedWithoutWaitingForHeartbeats()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync(o => o.HeartbeatInterval = TimeSpan.FromHours(1));
        await using (provider)
        await using (balancer)
        {
            await provider.KillAsync("Server 1", reportExit: true);
            await SupervisionFixture.EventuallyAsync(async () =>
            {
                var replicas = await balancer.ReplicasAsync();
                return replicas.Length == 3 && !replicas.Contains("Server 1") && balancer.Table.Current.Count == 3;
            }, "Server 1 replaced");
        }
    }

    [Fact]
    public async Task AddRemove_ParallelCalls_RingProviderAndRepAgree()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync();
        await using (provider)
        await using (balancer)
        {
            var calls = Enumerable.Range(0, 16).Select(i => i % 2 == 0
                ? balancer.AddAsync("""{"n": 2}""")
                : balancer.RemoveAsync("""{"n": 1}""")).ToArray();
            var responses = await Task.WhenAll(calls);
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            var replicas = await balancer.ReplicasAsync();
            Assert.Equal(3 + (8 * 2) - 8, replicas.Length);
            Assert.Equal(replicas.Length, replicas.Distinct().Count());
            await SupervisionFixture.EventuallyAsync(
                () => provider.Running.Order().SequenceEqual(replicas.Order()) && balancer.Table.Current.Count == replicas.Length,
                "provider, ring and /rep agree");
            Assert.Equal(replicas.Order(), balancer.Table.Current.Replicas.Select(r => r.Hostname).Order());
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
                    SupervisionFixture.EventuallyAsync(() => Volatile.Read(ref done) >= target, $"{requests} more requests under load"));
            }
        }
    }

    [Fact]
    public async Task Autoscaling_LoadRisesAndFalls_ScalesUpThenDownToMin()
    {
        var (balancer, provider) = await SupervisionFixture.StartAsync(o =>
        {
            o.Replicas = 1;
            o.Autoscaling.Enabled = true;
            o.Autoscaling.MinReplicas = 1;
            o.Autoscaling.MaxReplicas = 4;
            o.Autoscaling.TargetInFlightPerReplica = 2;
            o.Autoscaling.Interval = TimeSpan.FromMilliseconds(50);
            o.Autoscaling.ScaleUpCooldown = TimeSpan.Zero;
            o.Autoscaling.ScaleDownCooldown = TimeSpan.FromMilliseconds(100);
        });
        await using (provider)
        await using (balancer)
        {
            var backend = provider.Backend("Server 1");
            backend.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var held = Enumerable.Range(0, 8).Select(_ => balancer.Client.GetAsync("/gate?key=same")).ToArray();

            // 8 in flight, 2 per replica wanted: up to the maximum of 4.
            await SupervisionFixture.EventuallyAsync(async () => (await balancer.ReplicasAsync()).Length == 4, "scaled up to 4");
            backend.Gate.TrySetResult();
            foreach (var request in held)
            {
                using var response = await request;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            await SupervisionFixture.EventuallyAsync(async () => (await balancer.ReplicasAsync()).Length == 1, "scaled down to 1", seconds: 15);
            Assert.Equal(["Server 1"], await balancer.ReplicasAsync());
            await SupervisionFixture.EventuallyAsync(() => provider.Running.Count == 1, "the others stopped");
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
