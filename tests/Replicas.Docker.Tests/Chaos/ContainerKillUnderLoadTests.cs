using System.Diagnostics;
using System.Globalization;
using Ringway.TestSupport;
using Ringway.TestSupport.Chaos;
using Ringway.TestSupport.Samples;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests.Chaos;

/// <summary>
/// Replica crashes under load, on the Docker system: the short CI version of <c>scripts/chaos.sh --system docker</c>, and
/// the Docker twin of Reliability.Tests' ReplicaKillTests (the same load, knobs and figures). The real sample host runs
/// with the Docker provider and 3 replica containers; clients send GET /home with random keys while a random replica
/// container of the host's instance is killed with <c>docker kill</c> at a fixed interval. No GET may fail (failover), and
/// after every kill /rep must list N replicas again, the victim not among them.
/// </summary>
[Collection(Containers.DockerCollection.Name)]
public sealed class ContainerKillUnderLoadTests(ITestOutputHelper output)
{
    [DockerFact]
    public async Task DockerKill_RepeatedlyUnderLoad_NoFailedGetAndNRestored()
    {
        var seconds = Settings.Int("RINGWAY_CHAOS_SECONDS", 9);
        var clients = Settings.Int("RINGWAY_CHAOS_CLIENTS", 16);
        var killEvery = Settings.Int("RINGWAY_CHAOS_KILL_EVERY_SECONDS", 3);
        var random = new Random(Settings.Int("RINGWAY_CHAOS_SEED", 20261124));
        await using var test = new TestResources();
        using var heartbeat = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var recoveries = new List<(string Victim, TimeSpan Listed, TimeSpan Answering)>();
        var unrecovered = new List<string>();
        LoadGenerator load;
        await using (var host = await SampleHost.StartAsync(test.SampleHostArguments()))
        {
            var n = (await host.ReplicasAsync()).Count;
            Assert.Equal(3, n);
            Assert.True(await Eventually.TrueAsync(() => ServingAsync(test, host, heartbeat, n, victimId: null), TimeSpan.FromSeconds(30)),
                $"the {n} replica containers did not all answer /heartbeat:\n{host.Output}");

            using var stop = new CancellationTokenSource();
            load = new LoadGenerator(host.Client, clients, postShare: 0, seed: random.Next());
            var running = load.RunAsync(stop.Token);
            var clock = Stopwatch.StartNew();
            for (var kill = 1; kill * killEvery < seconds; kill++)
            {
                await WaitUntilAsync(TimeSpan.FromSeconds(kill * killEvery), clock);
                var containers = test.RunningReplicas();
                var victim = containers[random.Next(containers.Count)];
                var at = clock.Elapsed;
                var killed = Stopwatch.StartNew(); // includes the docker CLI's own time, as scripts/chaos.sh does
                Cli.Run("kill", victim.Id);

                // Recovered: /rep lists N replicas again, the victim not among them, and exactly the replicas of the
                // running containers of this instance (the victim's gone), each answering /heartbeat on its published port.
                var listed = TimeSpan.Zero;
                var recovered = await Eventually.TrueAsync(async () =>
                {
                    var replicas = await host.ReplicasAsync();
                    if (replicas.Count != n || replicas.Contains(victim.Hostname))
                    {
                        return false;
                    }

                    if (listed == TimeSpan.Zero)
                    {
                        listed = killed.Elapsed;
                    }

                    return await ServingAsync(test, host, heartbeat, n, victim.Id);
                }, TimeSpan.FromSeconds(30)); // generous: a container starts slower than a process, on two busy cores
                var answering = killed.Elapsed;
                var outcome = recovered
                    ? string.Create(CultureInfo.InvariantCulture, $"/rep shows N = {n} again after {listed.TotalMilliseconds:F0} ms, all replicas answering after {answering.TotalMilliseconds:F0} ms")
                    : $"not recovered within 30 s: /rep {string.Join(", ", await host.ReplicasAsync())}";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {at.TotalSeconds:F1} s: killed '{victim.Hostname}' (docker kill {victim.Id[..12]}); {outcome}"));
                if (recovered)
                {
                    recoveries.Add((victim.Hostname, listed, answering));
                }
                else
                {
                    unrecovered.Add(victim.Hostname);
                }
            }

            await WaitUntilAsync(TimeSpan.FromSeconds(seconds), clock);
            await stop.CancelAsync();
            await running;

            ChaosReport.Write(output, "docker", "docker kill", clients, seconds, killEvery, load, n, recoveries, unrecovered.Count);

            if (load.FailedGets > 0 || unrecovered.Count > 0)
            {
                output.WriteLine("The sample host's output:\n" + host.Output);
            }

            Assert.True(host.IsRunning, $"the host exited:\n{host.Output}");
            Assert.Equal(n, (await host.ReplicasAsync()).Count);
        }

        var left = test.AllReplicaContainers();
        output.WriteLine($"{left.Count} containers of instance {test.Instance} left after the host stopped");
        Assert.Equal(0, load.FailedGets);
        Assert.Empty(unrecovered);
        Assert.NotEmpty(recoveries);
        Assert.True(load.Gets > 0);
        Assert.Empty(left); // the host removed its containers, killed ones included (TestResources removes anything left by label)
    }

    /// <summary>
    /// N replica containers of the test's instance run (not the victim), /rep lists exactly their hostnames, and each
    /// answers /heartbeat on its published port.
    /// </summary>
    private static async Task<bool> ServingAsync(TestResources test, SampleHost host, HttpClient heartbeat, int n, string? victimId)
    {
        var containers = test.RunningReplicas();
        if (containers.Count != n || containers.Any(c => c.Id == victimId || c.Address is null))
        {
            return false;
        }

        if (!containers.Select(c => c.Hostname).Order(StringComparer.Ordinal).SequenceEqual((await host.ReplicasAsync()).Order(StringComparer.Ordinal)))
        {
            return false;
        }

        foreach (var container in containers)
        {
            try
            {
                using var answer = await heartbeat.GetAsync(new Uri(container.Address!, "/heartbeat"));
                if (!answer.IsSuccessStatusCode)
                {
                    return false;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A kill falls due on the clock, not after the previous recovery: when that took longer, at once.</summary>
    private static Task WaitUntilAsync(TimeSpan due, Stopwatch clock) => due > clock.Elapsed ? Task.Delay(due - clock.Elapsed) : Task.CompletedTask;
}
