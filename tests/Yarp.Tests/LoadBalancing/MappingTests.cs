using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.TestSupport.Http;
using Ringway.TestSupport.Waiting;
using Ringway.Yarp.Tests.Infrastructure;

namespace Ringway.Yarp.Tests.LoadBalancing;

/// <summary>
/// The same destination ids and keys give the same destinations through YARP as through Ringway's own balancer
/// middleware, and as the hashing library's golden vectors (tests/ConsistentHashing.Tests/GoldenVectors) record.
/// </summary>
public sealed class MappingTests
{
    private static readonly JsonElement[] GoldenCases = LoadGoldenCases();

    /// <summary>
    /// The golden cases a gateway reproduces: 3 servers for every policy's algorithm, 10 nodes where placement does not
    /// depend on the order nodes were given (the golden Jump case numbers node-1..node-10 in that order; a balancer
    /// numbers its destinations in id order, node-1, node-10, node-2...).
    /// </summary>
    public static TheoryData<string, string> Cases => new()
    {
        { ConsistentHashPolicies.RingHash, "Ring/3 servers" },
        { ConsistentHashPolicies.Maglev, "Maglev/3 servers" },
        { ConsistentHashPolicies.RendezvousHash, "Rendezvous/3 servers" },
        { ConsistentHashPolicies.JumpHash, "Jump/3 servers" },
        { ConsistentHashPolicies.RingHash, "Ring/10 nodes" },
        { ConsistentHashPolicies.Maglev, "Maglev/10 nodes" },
        { ConsistentHashPolicies.RendezvousHash, "Rendezvous/10 nodes" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Pick_GoldenIdsAndKeys_SameAsGoldenVectors(string policy, string goldenCase)
    {
        var golden = GoldenCases.Single(c => c.GetProperty("name").GetString() == goldenCase);
        Assert.Equal(Library.AlgorithmOf(policy).ToString(), golden.GetProperty("algorithm").GetString());
        var ids = golden.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!).ToArray();
        await using var backends = await Backends.StartAsync(ids);
        await using var gateway = await Gateway.StartAsync(Clusters.Of(policy, backends));

        var checkedKeys = 0;
        foreach (var entry in golden.GetProperty("stringKeys").EnumerateObject().Where(e => e.Name.Length > 0))
        {
            var expected = entry.Value.GetString()!.Split(" > ")[0];
            Assert.Equal(expected, await gateway.OwnerAsync(entry.Name));
            checkedKeys++;
        }

        Assert.True(checkedKeys >= 15);
    }

    /// <remarks>
    /// Not Jump: it numbers nodes in the order they join, and the balancer's replicas join one by one as their first
    /// heartbeats answer, where a YARP cluster's destinations arrive together (and are numbered in id order, as the golden
    /// Jump case above checks).
    /// </remarks>
    [Theory]
    [InlineData(ConsistentHashPolicies.RingHash)]
    [InlineData(ConsistentHashPolicies.Maglev)]
    [InlineData(ConsistentHashPolicies.RendezvousHash)]
    public async Task Pick_SameIdsAsReplicaNames_SameDestinationsAsTheBalancerMiddleware(string policy)
    {
        var ids = Enumerable.Range(1, 10).Select(i => $"node-{i}").ToArray();
        await using var backends = await Backends.StartAsync(ids);
        await using var gateway = await Gateway.StartAsync(Clusters.Of(policy, backends));
        await using var balancer = await StartBalancerAsync(Library.AlgorithmOf(policy), backends);
        var keys = Clusters.Keys(200).ToList();

        var throughYarp = await gateway.OwnersAsync(keys);
        foreach (var key in keys)
        {
            Assert.Equal(await balancer.GetStringAsync($"/whoami?key={key}"), throughYarp[key]);
        }
    }

    /// <summary>Ringway's balancer middleware in front of the same backends, each replica named by its destination id.</summary>
    private static async Task<Balancer> StartBalancerAsync(ConsistentHashAlgorithm algorithm, Backends backends)
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddConsistentHashBalancer(o =>
            {
                o.Hashing.Algorithm = algorithm;
                o.Keys.Sources.Add("query:key");
            })
            .AddStaticReplicas(backends.Select(b => new Replica(b.Id, new Uri(b.Address), b.Id)));
        var app = builder.Build();
        app.MapConsistentHashBalancer();
        await app.StartAsync();
        var replicas = app.Services.GetRequiredService<IReplicaSet>();
        await Eventually.AssertAsync(() => replicas.RoutableCount == backends.Count, "every replica in the balancer's ring", TimeSpan.FromSeconds(30));
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new Balancer(app, new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address });
    }

    private static JsonElement[] LoadGoldenCases()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoldenVectors", "golden.json")));
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    }

    private sealed class Balancer(WebApplication app, HttpClient client) : IAsyncDisposable
    {
        public Task<string> GetStringAsync(string uri) => client.GetStringAsync(uri);

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
