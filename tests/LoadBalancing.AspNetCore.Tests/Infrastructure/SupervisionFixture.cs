using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

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

    public static async Task<string[]> ReplicasAsync(this TestBalancer balancer)
    {
        using var json = JsonDocument.Parse(await balancer.Client.GetStringAsync("/rep"));
        return [.. json.RootElement.GetProperty("message").GetProperty("replicas").EnumerateArray().Select(e => e.GetString()!)];
    }

    public static Task<HttpResponseMessage> AddAsync(this TestBalancer balancer, string body)
        => balancer.Client.PostAsync("/add", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> RemoveAsync(this TestBalancer balancer, string body)
        => balancer.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/rm") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") });

    /// <summary>Polls until <paramref name="condition"/> holds (state changes driven by heartbeats are asynchronous).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for: {what}");
            }

            await Task.Delay(50);
        }
    }

    public static Task EventuallyAsync(Func<bool> condition, string what, int seconds = 10)
        => EventuallyAsync(() => Task.FromResult(condition()), what, seconds);
}
