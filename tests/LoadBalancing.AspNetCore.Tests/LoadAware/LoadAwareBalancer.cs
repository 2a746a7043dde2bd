using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.LoadAware;

/// <summary>
/// A real balancer over real backends for the load-aware tests: keys from <c>?key=</c>, optionally on a fake clock,
/// and the helpers that send keys through it and tell which backend answered.
/// </summary>
internal sealed class LoadAwareBalancer : IAsyncDisposable
{
    private LoadAwareBalancer(TestBalancer balancer, IReadOnlyList<TestBackend> backends)
    {
        Balancer = balancer;
        Backends = backends;
    }

    public TestBalancer Balancer { get; }

    public IReadOnlyList<TestBackend> Backends { get; }

    public ReplicaTable Table => Balancer.Table;

    public ReplicaPicker Picker => Balancer.Services.GetRequiredService<ReplicaPicker>();

    /// <summary>Starts a balancer over <paramref name="backends"/> (static replicas, in the order given).</summary>
    public static async Task<LoadAwareBalancer> StartAsync(
        IReadOnlyList<TestBackend> backends, Action<ConsistentHashBalancerOptions> configure, FakeTimeProvider? time = null)
    {
        var balancer = await TestBalancer.StartAsync(
            b => b.AddStaticReplicas(backends.Select(x => x.Address.ToString())),
            o =>
            {
                o.Keys.Sources.Add("query:key");
                configure(o);
            },
            services: time is null ? null : b => b.Services.AddSingleton<TimeProvider>(time));
        var started = new LoadAwareBalancer(balancer, backends);
        await Eventually.AssertAsync(() => started.Table.Current.Count == backends.Count, "every backend in the ring", TimeSpan.FromSeconds(30));
        return started;
    }

    /// <summary>The ring's replica state of a backend (static replicas are named after their address's authority).</summary>
    public ReplicaState StateOf(TestBackend backend) => Table.Current.Replicas.Single(r => r.Hostname == backend.Address.Authority);

    /// <summary>Sends GET /whoami?key=K for each key (a few at a time) and returns which backend answered each.</summary>
    public async Task<Dictionary<string, string>> RouteAsync(IEnumerable<string> keys, int parallel = 4)
    {
        var answers = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (key, ct) =>
        {
            answers[key] = await WhoAmIAsync(key);
        });
        return new Dictionary<string, string>(answers);
    }

    /// <summary>The backend that answers one request for <paramref name="key"/>.</summary>
    public async Task<string> WhoAmIAsync(string key)
    {
        using var response = await Balancer.Client.GetAsync($"/whoami?key={Uri.EscapeDataString(key)}");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The backend id of the replica at <paramref name="index"/> of the current snapshot.</summary>
    public string BackendAt(int index) => Backends.Single(b => b.Address.Authority == Table.Current.Replicas[index].Hostname).Id;

    public static IReadOnlyList<string> Keys(int count, string prefix = "user-") => [.. Enumerable.Range(0, count).Select(i => $"{prefix}{i}")];

    public async ValueTask DisposeAsync()
    {
        await Balancer.DisposeAsync();
    }
}
