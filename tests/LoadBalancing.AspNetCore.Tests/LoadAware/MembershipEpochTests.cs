using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;

namespace Ringway.LoadBalancing.AspNetCore.Tests.LoadAware;

/// <summary>
/// The membership epoch of running balancers: the same replicas, given in different orders to balancers started at
/// different times, give one epoch (on /rep, routed responses, health data and the metric) and the same route for
/// every key; a different membership shows as a different epoch.
/// </summary>
public sealed class MembershipEpochTests() : BackendsPerTest("b1", "b2", "b3", "b4")
{
    [Fact]
    public async Task BalancersOverTheSameReplicas_AgreeOnTheEpochAndOnEveryKey_OthersDiffer()
    {
        var orders = new[] { new[] { 0, 1, 2, 3 }, [3, 1, 0, 2], [2, 3, 1, 0] };
        var balancers = new List<LoadAwareBalancer>();
        try
        {
            foreach (var order in orders)
            {
                balancers.Add(await LoadAwareBalancer.StartAsync([.. order.Select(i => Backends[i])], o => o.Hashing.EpochHeader = true));
                await Task.Delay(100); // started at different times
            }

            var fewer = await LoadAwareBalancer.StartAsync(Backends.Take(3).ToArray(), o => o.Hashing.EpochHeader = true);
            balancers.Add(fewer);

            var epochs = new List<string>();
            foreach (var lb in balancers)
            {
                epochs.Add(await EpochAsync(lb));
            }

            Assert.Equal(epochs[0], epochs[1]);
            Assert.Equal(epochs[0], epochs[2]);
            Assert.True(MembershipEpoch.TryParse(epochs[0], out _), epochs[0]);
            Assert.NotEqual(epochs[0], epochs[3]);

            // 10,000 keys through each balancer's own routing: identical on the three, visibly not on the fourth.
            var keys = LoadAwareBalancer.Keys(10_000, "k");
            var routes = balancers.Select(lb => keys.Select(k => lb.Table.Current.Replicas[lb.Picker.Pick(lb.Table.Current, k)].Hostname).ToArray()).ToList();
            Assert.Equal(routes[0], routes[1]);
            Assert.Equal(routes[0], routes[2]);
            var differing = routes[0].Zip(routes[3]).Count(p => p.First != p.Second);
            Assert.InRange(differing, 1_500, 4_000); // the missing replica's quarter of the keys

            // And end to end: the same backend answers, with the epoch in the response.
            foreach (var key in keys.Take(100))
            {
                var answers = new List<(string Backend, string Epoch)>();
                foreach (var lb in balancers.Take(3))
                {
                    using var response = await lb.Balancer.Client.GetAsync($"/whoami?key={key}");
                    answers.Add((await response.Content.ReadAsStringAsync(), Assert.Single(response.Headers.GetValues("Ringway-Epoch"))));
                }

                Assert.Single(answers.Distinct());
                Assert.Equal(epochs[0], answers[0].Epoch);
            }
        }
        finally
        {
            foreach (var lb in balancers)
            {
                await lb.DisposeAsync();
            }
        }
    }

    /// <summary>The epoch as /rep's header, after checking that the health data and the metric say the same.</summary>
    private static async Task<string> EpochAsync(LoadAwareBalancer lb)
    {
        using var rep = await lb.Balancer.Client.GetAsync("/rep");
        var epoch = Assert.Single(rep.Headers.GetValues("Ringway-Epoch"));

        var health = await lb.Balancer.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(epoch, health.Entries["ringway-balancer"].Data["epoch"]);

        var factory = lb.Balancer.Services.GetRequiredService<IMeterFactory>();
        string? measured = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "ringway.loadbalancing.ring.epoch" && instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "epoch" && value == 1)
                {
                    measured = (string?)tag.Value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.Equal(epoch, measured);
        return epoch;
    }
}
