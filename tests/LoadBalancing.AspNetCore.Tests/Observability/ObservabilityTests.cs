using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Ringway.LoadBalancing.AspNetCore.Tests.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Tests.Infrastructure;
using Ringway.TestSupport.Waiting;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Observability;

public sealed class ObservabilityTests
{
    [Fact]
    public async Task Forward_NoReplica_503JsonAndUnhealthy()
    {
        await using var balancer = await TestBalancer.StartAsync(_ => { }, map: app => app.MapHealthChecks("/healthz"));
        using var response = await balancer.Client.GetAsync("/home");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await ForwardingTests.AssertErrorJsonAsync(response);
        using var health = await balancer.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HealthCheck_ReplicasRoutable_Healthy()
    {
        await using var backend = await TestBackend.StartAsync("A");
        await using var balancer = await TestBalancer.StartAsync([backend], map: app => app.MapHealthChecks("/healthz"));
        Assert.Equal("Healthy", await balancer.Client.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task Metrics_RequestsAndRingSize_Reported()
    {
        await using var backend = await TestBackend.StartAsync("A");
        await using var balancer = await TestBalancer.StartAsync([backend]);
        var measurements = new List<(string Name, double Value, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Ringway.LoadBalancing")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => { lock (measurements) { measurements.Add((i.Name, v, Format(tags))); } });
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => { lock (measurements) { measurements.Add((i.Name, v, Format(tags))); } });
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => { lock (measurements) { measurements.Add((i.Name, v, Format(tags))); } });
        listener.Start();

        (await balancer.Client.GetAsync("/home")).EnsureSuccessStatusCode();
        using (await balancer.Client.GetAsync("/status/503"))
        {
        }

        // The balancer records a request once its response is complete, which the client may see first: on a busy machine
        // the measurements arrive a little after the responses, so wait for them.
        var replica = backend.Address.Authority;
        await Eventually.AssertAsync(() =>
        {
            listener.RecordObservableInstruments();
            lock (measurements)
            {
                return measurements.Any(m => m.Name == "ringway.loadbalancing.requests" && m.Tags.Contains($"replica={replica}") && m.Tags.Contains("status_class=2xx"))
                    && measurements.Any(m => m.Name == "ringway.loadbalancing.requests" && m.Tags.Contains("status_class=5xx"))
                    && measurements.Any(m => m.Name == "ringway.loadbalancing.forward.duration" && m.Value > 0);
            }
        }, "the requests' measurements", TimeSpan.FromSeconds(10));
        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Name == "ringway.loadbalancing.requests" && m.Tags.Contains($"replica={replica}") && m.Tags.Contains("status_class=2xx"));
            Assert.Contains(measurements, m => m.Name == "ringway.loadbalancing.requests" && m.Tags.Contains("status_class=5xx"));
            Assert.Contains(measurements, m => m.Name == "ringway.loadbalancing.forward.duration" && m.Value > 0);
            Assert.Contains(measurements, m => m.Name == "ringway.loadbalancing.ring.size" && m.Value == 1);
        }

        static string Format(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var parts = new List<string>();
            foreach (var tag in tags)
            {
                parts.Add($"{tag.Key}={tag.Value}");
            }

            return string.Join(";", parts);
        }
    }
}
