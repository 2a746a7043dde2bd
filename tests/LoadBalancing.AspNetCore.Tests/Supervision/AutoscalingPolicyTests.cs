using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ringway.LoadBalancing.AspNetCore.Routing;
using Ringway.LoadBalancing.AspNetCore.Supervision;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Supervision;

public sealed class AutoscalingPolicyTests
{
    private static readonly AutoscalingOptions Settings = new()
    {
        Enabled = true,
        MinReplicas = 2,
        MaxReplicas = 8,
        TargetInFlightPerReplica = 10,
        ScaleUpCooldown = TimeSpan.FromSeconds(10),
        ScaleDownCooldown = TimeSpan.FromSeconds(60),
    };

    [Theory]
    [InlineData(0, 2)] // never below the minimum
    [InlineData(10, 2)]
    [InlineData(31, 4)] // ceil(31 / 10)
    [InlineData(75, 8)]
    [InlineData(500, 8)] // never above the maximum
    public void Wanted_AverageLoad_CeilingOfLoadPerTargetWithinBounds(double inFlight, int expected)
        => Assert.Equal(expected, AutoscalingPolicy.Wanted(Settings, maxReplicas: 64, inFlight));

    [Fact]
    public void Wanted_BalancerMaxBelowAutoscalingMax_BalancerMaxWins()
        => Assert.Equal(5, AutoscalingPolicy.Wanted(Settings, maxReplicas: 5, 500));

    [Fact]
    public void DesiredCount_LoadRises_UpToWantedAtOnceOnceTheCooldownPassed()
    {
        Assert.Equal(6, AutoscalingPolicy.DesiredCount(Settings, 64, [60], count: 2, TimeSpan.FromSeconds(10)));
        Assert.Equal(2, AutoscalingPolicy.DesiredCount(Settings, 64, [60], count: 2, TimeSpan.FromSeconds(9)));
    }

    [Fact]
    public void DesiredCount_LoadFalls_DownByOneOnceTheCooldownPassed()
    {
        Assert.Equal(5, AutoscalingPolicy.DesiredCount(Settings, 64, [0, 0, 0], count: 6, TimeSpan.FromSeconds(60)));
        Assert.Equal(6, AutoscalingPolicy.DesiredCount(Settings, 64, [0, 0, 0], count: 6, TimeSpan.FromSeconds(59)));
    }

    [Fact]
    public void DesiredCount_ABurstAmongQuietSamples_AveragedAway()
        => Assert.Equal(2, AutoscalingPolicy.DesiredCount(Settings, 64, [0, 0, 0, 0, 50], count: 2, TimeSpan.FromHours(1)));

    [Property]
    public Property DesiredCount_AnyInput_StaysOrMovesOneWayWithinBoundsAfterItsCooldown(NonNegativeInt[] load, PositiveInt count, NonNegativeInt seconds)
    {
        var samples = load.Length == 0 ? [0.0] : load.Take(AutoscalingPolicy.SampleWindow).Select(l => (double)(l.Get % 1000)).ToArray();
        var now = Math.Min(count.Get, 100);
        var since = TimeSpan.FromSeconds(seconds.Get % 120);
        var desired = AutoscalingPolicy.DesiredCount(Settings, 64, samples, now, since);
        var wanted = AutoscalingPolicy.Wanted(Settings, 64, samples.Average());
        var ok = desired == now
            || (desired > now && desired == wanted && since >= Settings.ScaleUpCooldown)
            || (desired == now - 1 && wanted < now && since >= Settings.ScaleDownCooldown);
        var waitsOnlyForCooldown = desired != now
            || wanted == now
            || (wanted > now && since < Settings.ScaleUpCooldown)
            || (wanted < now && since < Settings.ScaleDownCooldown);
        return (ok && waitsOnlyForCooldown && wanted >= Settings.MinReplicas && wanted <= Settings.MaxReplicas)
            .Label($"samples [{string.Join(", ", samples)}], count {now}, {since}: desired {desired}, wanted {wanted}");
    }

    [Fact]
    public void ChooseToRemove_LeastBusyAndNewestAmongEquals()
    {
        var members = new[] { Member("Server 1", 0), Member("Server 2", 3), Member("Server-aaaaaa", 0), Member("Server-bbbbbb", 1) };
        Assert.Equal("Server-aaaaaa", AutoscalingPolicy.ChooseToRemove(members).Hostname);
    }

    private static SupervisedReplica Member(string hostname, int inFlight)
    {
        var state = new ReplicaState(new Replica(hostname, new Uri("http://replica.test/"), hostname));
        for (var i = 0; i < inFlight; i++)
        {
            state.Enter();
        }

        return new SupervisedReplica(state, MembershipChangeReason.Initial);
    }
}
