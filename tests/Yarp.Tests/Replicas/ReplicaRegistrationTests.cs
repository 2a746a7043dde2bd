using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.TestSupport.Http;
using Yarp.ReverseProxy.Configuration;

namespace Ringway.Yarp.Tests.Replicas;

/// <summary>What AddRingwayReplicas accepts and refuses, before any replica runs.</summary>
public sealed class ReplicaRegistrationTests
{
    [Fact]
    public void ClusterWithConfiguredDestinations_RefusedWhenTheConfigurationLoads_NamingTheCluster()
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [new RouteConfig { RouteId = "all", ClusterId = "replicas", Match = new RouteMatch { Path = "{**catch-all}" } }],
                [new ClusterConfig
                {
                    ClusterId = "replicas",
                    Destinations = new Dictionary<string, DestinationConfig> { ["fixed"] = new() { Address = "http://127.0.0.1:9/" } },
                }])
            .AddRingwayReplicas("replicas", balancer => balancer.AddStaticReplicas(["http://127.0.0.1:9/"]));
        using var app = builder.Build();

        // YARP loads its configuration when the proxy is mapped, and refuses to start with a bad one.
        var error = Assert.ThrowsAny<Exception>(() => app.MapReverseProxy());
        Assert.Contains(Flatten(error), e => e.Message.Contains("Cluster 'replicas' takes its destinations from Ringway's replicas", StringComparison.Ordinal));
    }

    [Fact]
    public void AddRingwayReplicas_SecondCluster_Refused()
    {
        var proxy = new ServiceCollection().AddReverseProxy().AddRingwayReplicas("a", _ => { });

        var error = Assert.Throws<InvalidOperationException>(() => proxy.AddRingwayReplicas("b", _ => { }));
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRingwayReplicas_SameClusterTwice_RegistersOnce()
    {
        var services = new ServiceCollection();
        services.AddReverseProxy().AddRingwayReplicas("a", _ => { }).AddRingwayReplicas("A", _ => { });

        Assert.Single(services, d => d.ServiceType == typeof(IProxyConfigFilter));
        Assert.Single(services, d => d.ServiceType == typeof(IProxyConfigProvider) && d.ImplementationType?.Name == "ReplicaChangeSignal");
        Assert.Single(services, d => d.ServiceType == typeof(IReplicaSet));
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
