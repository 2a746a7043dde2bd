using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

/// <summary>What these tests add to the shared <see cref="TestBalancer"/>: static replicas from test backends, and the ring.</summary>
internal static class TestBalancerExtensions
{
    extension(TestBalancer)
    {
        /// <summary>A balancer over <paramref name="backends"/> as static replicas.</summary>
        public static Task<TestBalancer> StartAsync(IEnumerable<TestBackend> backends, Action<ConsistentHashBalancerOptions>? configure = null, Action<WebApplication>? map = null)
            => TestBalancer.StartAsync(b => b.AddStaticReplicas(backends.Select(x => x.Address.ToString())), configure, map);
    }

    extension(TestBalancer balancer)
    {
        /// <summary>The replicas in the ring (internal to the balancer).</summary>
        public ReplicaTable Table => balancer.Services.GetRequiredService<ReplicaTable>();

        /// <summary>The hostnames of the ring's replicas in the key's preference order, from the balancer's own hash snapshot.</summary>
        public string[] PreferenceOrder(string key)
        {
            var hash = balancer.Table.Current.Hash!;
            var order = new ReplicaState[hash.Count];
            var count = hash.GetNodes(key, order);
            return [.. order[..count].Select(r => r.Hostname)];
        }
    }
}
