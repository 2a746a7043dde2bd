using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;

public sealed class Http1ForwarderSwitchTests
{
    [Fact]
    public async Task Forwarder_OptionAndTestSwitch_PickTheForwarder()
    {
        // The library's default is the lean path; the switch (RINGWAY_TEST_FORWARDER=Yarp in CI) overrides every balancer.
        var expectedForwarder = Http1ForwarderSwitch.Forced ?? ReplicaForwarder.Http1;

        await using (var byDefault = await TestBalancer.StartAsync(b => b.AddStaticReplicas(["http://127.0.0.1:1"]), o => o.Health.Interval = TimeSpan.FromHours(1)))
        {
            var expected = expectedForwarder == ReplicaForwarder.Http1 ? typeof(Http1ReplicaForwarder) : typeof(YarpReplicaForwarder);
            Assert.IsType(expected, byDefault.Services.GetRequiredService<IReplicaForwarder>());
            Assert.Equal(expectedForwarder, byDefault.Services.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value.Forwarding.Forwarder);
        }

        if (Http1ForwarderSwitch.Forced is null)
        {
            await using var yarp = await TestBalancer.StartAsync(b => b.AddStaticReplicas(["http://127.0.0.1:1"]), o =>
            {
                o.Health.Interval = TimeSpan.FromHours(1);
                o.Forwarding.Forwarder = ReplicaForwarder.Yarp;
            });
            Assert.IsType<YarpReplicaForwarder>(yarp.Services.GetRequiredService<IReplicaForwarder>());
        }
    }
}
