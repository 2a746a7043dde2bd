using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Supervision;
using Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.DependencyInjection;

public sealed class RegistrationTests
{
    [Fact]
    public async Task AddConsistentHashBalancer_CalledTwice_RegistersOnceAndKeepsBothConfigurations()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddConsistentHashBalancer(o => o.Forwarding.MaxAttempts = 5);
        services.AddConsistentHashBalancer(o => o.Replicas.Count = 7);
        await using var provider = services.BuildServiceProvider();
        Assert.Single(provider.GetServices<IHostedService>().OfType<ReplicaSupervisor>());
        var options = provider.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value;
        Assert.Equal(5, options.Forwarding.MaxAttempts);
        Assert.Equal(7, options.Replicas.Count);
    }

    [Fact]
    public async Task AddConsistentHashBalancer_NoReplicaSource_StartsEmptyAndRefusesAdd()
    {
        await using var balancer = await TestBalancer.StartAsync(_ => { });
        Assert.Empty(await balancer.ReplicasAsync());
        using var response = await balancer.AddAsync("""{"n": 1}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cannot start replicas", await ForwardingTests.AssertErrorJsonAsync(response), StringComparison.Ordinal);
        Assert.False(balancer.Services.GetRequiredService<ReplicaSupervisor>().CanStart);
    }

    [Fact]
    public async Task Start_InvalidOptions_FailsNamingThem()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestBalancer.StartAsync(_ => { }, o =>
        {
            o.Keys.Sources.Add("body:x");
            o.Forwarding.MaxAttempts = 0;
        }));
        Assert.Contains("Balancer:Keys:Sources:0 'body:x' is not a key source", error.Message, StringComparison.Ordinal);
        Assert.Contains("Balancer:Forwarding:MaxAttempts must be from 1 to 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidKnownProxiesOrNetworks_FailsNamingThem()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestBalancer.StartAsync(_ => { }, o =>
        {
            o.Forwarding.KnownProxies.Add("10.0.0.300");
            o.Forwarding.KnownNetworks.Add("10.0.0.0");
        }));
        Assert.Contains("KnownProxies: '10.0.0.300' is not an IP address", error.Message, StringComparison.Ordinal);
        Assert.Contains("KnownNetworks: '10.0.0.0' is not a network", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Ringway.ConsistentHashing.ConsistentHashAlgorithm.Maglev, 65537, 700, "MaglevTableSize must exceed 100 x")]
    [InlineData(Ringway.ConsistentHashing.ConsistentHashAlgorithm.Maglev, 65536, 64, "must be a prime")]
    [InlineData(Ringway.ConsistentHashing.ConsistentHashAlgorithm.Classic, 65537, 64, "at most 56 servers")]
    public async Task Start_AlgorithmLimitBelowMaxReplicas_FailsAtStartNotOnAdd(
        Ringway.ConsistentHashing.ConsistentHashAlgorithm algorithm, int tableSize, int maxReplicas, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestBalancer.StartAsync(_ => { }, o =>
        {
            o.Hashing.Algorithm = algorithm;
            o.Hashing.MaglevTableSize = tableSize;
            o.Replicas.MaxCount = maxReplicas;
            o.Replicas.Count = 0;
        }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapConsistentHashBalancer_EndpointConventions_Apply()
    {
        await using var backend = await TestBackend.StartAsync("A");
        await using var balancer = await TestBalancer.StartAsync(
            b => b.AddStaticReplicas([backend.Address.ToString()]),
            services: builder => builder.Services.AddRateLimiter(o => o.AddFixedWindowLimiter("one", w =>
            {
                w.PermitLimit = 1;
                w.Window = TimeSpan.FromHours(1);
            })),
            map: app =>
            {
                app.UseRateLimiter();
                app.MapReplicaAdmin();
                app.MapConsistentHashBalancer().RequireRateLimiting("one");
            },
            mapBalancer: false);
        using var first = await balancer.Client.GetAsync("/home");
        using var second = await balancer.Client.GetAsync("/home");
        using var admin = await balancer.Client.GetAsync("/rep");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode); // the limiter's rejection, not a replica's answer
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(1, backend.Requests);
    }
}
