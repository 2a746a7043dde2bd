using Microsoft.Extensions.DependencyInjection;
using Ringway.TestSupport.Http;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

/// <summary>Helpers for balancers whose replicas come from an <see cref="InProcessReplicaProvider"/>.</summary>
internal static class SupervisionFixture
{
    public static async Task<(TestBalancer Balancer, InProcessReplicaProvider Provider)> StartAsync(Action<ConsistentHashBalancerOptions>? configure = null, bool failFirstStart = false)
    {
        var provider = new InProcessReplicaProvider { FailNextStart = failFirstStart };
        var balancer = await TestBalancer.StartAsync(b => b.Services.AddSingleton<IReplicaProvider>(provider), o =>
        {
            // Frequent probes, so a replica that dies is noticed quickly (a stopped one refuses at once); the default 2 s for
            // an answer, so that a busy machine delaying two probes in a row does not replace a live replica under a new name.
            o.Health.Interval = TimeSpan.FromMilliseconds(200);
            o.Keys.Sources.Add("query:key");
            configure?.Invoke(o);
        });
        return (balancer, provider);
    }

    public static Task<string[]> ReplicasAsync(this TestBalancer balancer) => balancer.Client.GetReplicasAsync();

    public static Task<HttpResponseMessage> AddAsync(this TestBalancer balancer, string body) => balancer.Client.AddReplicasAsync(body);

    public static Task<HttpResponseMessage> RemoveAsync(this TestBalancer balancer, string body) => balancer.Client.RemoveReplicasAsync(body);
}
