using System.Globalization;
using System.Net;
using System.Text.Json;
using Ringway.TestSupport;
using Ringway.TestSupport.Chaos;
using Ringway.TestSupport.Samples;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Reliability.Tests.Chaos;

/// <summary>
/// /rm and /add under load: a removed replica leaves the ring first and finishes what it has in flight (drain), so no
/// request fails, POSTs included (they are never retried once sent).
/// </summary>
public sealed class RemovalUnderLoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RemoveAndAdd_UnderLoad_NoFailedRequest()
    {
        var seconds = Settings.Int("RINGWAY_REMOVAL_SECONDS", 8);
        var clients = Settings.Int("RINGWAY_CHAOS_CLIENTS", 16);
        var random = new Random(Settings.Int("RINGWAY_CHAOS_SEED", 20261124));
        await using var host = await SampleHost.StartAsync();
        var initial = await host.ReplicasAsync();

        using var stop = new CancellationTokenSource();
        var load = new LoadGenerator(host.Client, clients, postShare: 0.25, seed: random.Next());
        var running = load.RunAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var changes = 0;
        var adminTimes = new List<TimeSpan>();
        var adminFailures = new List<string>();
        for (var round = 1; DateTime.UtcNow < deadline; round++)
        {
            // A named replica in and out, then a random one out (it has traffic in flight) and a new one in.
            var name = string.Create(CultureInfo.InvariantCulture, $"R{round}");
            await ChangeAsync(HttpMethod.Post, "/add", new { n = 1, hostnames = new[] { name } });
            await Task.Delay(300);
            await ChangeAsync(HttpMethod.Delete, "/rm", new { n = 1, hostnames = new[] { name } });
            await Task.Delay(300);
            await ChangeAsync(HttpMethod.Delete, "/rm", new { n = 1 });
            await Task.Delay(300);
            await ChangeAsync(HttpMethod.Post, "/add", new { n = 1 });
            await Task.Delay(300);
        }

        await stop.CancelAsync();
        await running;
        var final = await host.ReplicasAsync();

        var figures = string.Create(CultureInfo.InvariantCulture,
            $"removal under load (processes): {clients} clients, {seconds} s, {changes} /add and /rm calls (each {ChaosReport.Describe(adminTimes)}): {load.Gets} GETs, {load.FailedGets} failed; " +
            $"{load.Posts} POSTs, {load.FailedPosts} failed");
        output.WriteLine(figures);
        Settings.Record(figures);
        foreach (var failure in load.Failures.Concat(adminFailures))
        {
            output.WriteLine("  " + failure);
        }

        Assert.Empty(adminFailures);
        Assert.Equal(0, load.FailedGets);
        Assert.Equal(0, load.FailedPosts);
        Assert.True(load.Gets > 0 && load.Posts > 0);
        Assert.Equal(initial.Count, final.Count);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(host.ReplicaProcesses().Keys.Order().SequenceEqual(final.Order())), TimeSpan.FromSeconds(15)),
            "the replica processes are the replicas /rep lists");

        async Task ChangeAsync(HttpMethod method, string path, object body)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var response = await host.SendJsonAsync(method, path, JsonSerializer.Serialize(body));
            adminTimes.Add(clock.Elapsed);
            changes++;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                adminFailures.Add($"{method} {path} {JsonSerializer.Serialize(body)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
    }
}
