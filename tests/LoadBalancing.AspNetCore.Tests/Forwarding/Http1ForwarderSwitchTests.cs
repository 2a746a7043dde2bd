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
        var switchedOn = Http1ForwarderSwitch.Forced == ReplicaForwarder.Http1;

        await using (var byDefault = await TestBalancer.StartAsync(b => b.AddStaticReplicas(["http://127.0.0.1:1"]), o => o.Health.Interval = TimeSpan.FromHours(1)))
        {
            var expected = switchedOn ? typeof(Http1ReplicaForwarder) : typeof(YarpReplicaForwarder);
            Assert.IsType(expected, byDefault.Services.GetRequiredService<IReplicaForwarder>());
            Assert.Equal(switchedOn ? ReplicaForwarder.Http1 : ReplicaForwarder.Yarp, byDefault.Services.GetRequiredService<IOptions<ConsistentHashBalancerOptions>>().Value.Forwarding.Forwarder);
        }

        await using var lean = await TestBalancer.StartAsync(b => b.AddStaticReplicas(["http://127.0.0.1:1"]), o =>
        {
            o.Health.Interval = TimeSpan.FromHours(1);
            o.Forwarding.Forwarder = ReplicaForwarder.Http1;
        });
        Assert.IsType<Http1ReplicaForwarder>(lean.Services.GetRequiredService<IReplicaForwarder>());
    }
}
