using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Grpc;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Http2;

/// <summary>
/// HTTP/2 to <c>http://</c> replicas (h2c) by <c>Forwarding:HttpVersionPolicy</c>: an HTTP/1.1 client's request reaches an
/// HTTP/2-only replica on both forwarder settings, the lean HTTP/1.1 path handing it to YARP's forwarder; with the default
/// policy the replica is spoken to in HTTP/1.1, which such a replica refuses. The version keys bind from configuration.
/// </summary>
public sealed class Http2ToReplicaTests
{
    public static TheoryData<ReplicaForwarder> Forwarders => [ReplicaForwarder.Yarp, ReplicaForwarder.Http1];

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task Http1Client_H2cReplica_ReachedOverHttp2(ReplicaForwarder forwarder)
    {
        await using var replica = await GrpcReplica.StartAsync("h2-only");
        await using var balancer = await TestBalancer.StartAsync(
            b => b.AddStaticReplicas([replica.Address.ToString()]),
            o =>
            {
                o.Forwarding.Forwarder = forwarder;
                o.Forwarding.HttpVersionPolicy = System.Net.Http.HttpVersionPolicy.RequestVersionOrHigher;
            });
        await Eventually.AssertAsync(() => balancer.Table.Current.Count == 1, "the replica in the ring", TimeSpan.FromSeconds(30));

        using var response = await balancer.Client.GetAsync("/protocol");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, response.Version); // the client's own protocol
        Assert.Equal("HTTP/2", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task DefaultPolicy_H2cReplica_IsSpokenToInHttp1AndRefuses(ReplicaForwarder forwarder)
    {
        await using var replica = await GrpcReplica.StartAsync("h2-only");
        await using var balancer = await TestBalancer.StartAsync(
            b => b.AddStaticReplicas([replica.Address.ToString()]),
            o =>
            {
                o.Forwarding.Forwarder = forwarder;
                o.Forwarding.MaxAttempts = 1;
                o.Health.Interval = TimeSpan.FromMinutes(5);
            });

        using var response = await balancer.Client.GetAsync("/protocol");

        // Kestrel's answer to HTTP/1.1 on an HTTP/2-only endpoint, passed through.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public void Bind_VersionKeys_FromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Balancer:Forwarding:HttpVersion"] = "2.0",
            ["Balancer:Forwarding:HttpVersionPolicy"] = "RequestVersionExact",
        }).Build();
        var services = new ServiceCollection();
        services.AddConsistentHashBalancer(configuration.GetSection("Balancer"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value;

        Assert.Equal(HttpVersion.Version20, options.Forwarding.HttpVersion);
        Assert.Equal(System.Net.Http.HttpVersionPolicy.RequestVersionExact, options.Forwarding.HttpVersionPolicy);
    }

    [Fact]
    public void Defaults_Http2OrLower_AsYarps()
    {
        var options = new ConsistentHashBalancerOptions();

        Assert.Equal((HttpVersion.Version20, System.Net.Http.HttpVersionPolicy.RequestVersionOrLower), (options.Forwarding.HttpVersion, options.Forwarding.HttpVersionPolicy));
    }
}
