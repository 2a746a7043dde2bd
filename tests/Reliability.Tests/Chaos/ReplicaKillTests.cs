using System.Diagnostics;
using Ringway.TestSupport;
using Ringway.TestSupport.Chaos;
using Ringway.TestSupport.Processes;
using Ringway.TestSupport.Samples;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Reliability.Tests.Chaos;

/// <summary>
/// Replica crashes under load, on the local-process system: clients send GET /home with random keys while a replica is
/// killed with SIGKILL at a fixed interval. No GET may fail (failover), and N replicas must run again after every kill.
/// The CI version is short; scripts/chaos.sh runs it longer through RINGWAY_CHAOS_* variables.
/// </summary>
public sealed class ReplicaKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task KillReplica_RepeatedlyUnderLoad_NoFailedGetAndNRestored()
    {
        var seconds = Settings.Int("RINGWAY_CHAOS_SECONDS", 9);
        var clients = Settings.Int("RINGWAY_CHAOS_CLIENTS", 16);
        var killEvery = Settings.Int("RINGWAY_CHAOS_KILL_EVERY_SECONDS", 3);
        var random = new Random(Settings.Int("RINGWAY_CHAOS_SEED", 20261124));
        await using var host = await SampleHost.StartAsync();
        var n = (await host.ReplicasAsync()).Count;
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(host.ReplicaProcesses().Count == n), TimeSpan.FromSeconds(15)));

        using var stop = new CancellationTokenSource();
        var load = new LoadGenerator(host.Client, clients, postShare: 0, seed: random.Next());
        var running = load.RunAsync(stop.Token);
        var clock = Stopwatch.StartNew();
        var recoveries = new List<(string Victim, TimeSpan Listed, TimeSpan Answering)>();
        var unrecovered = new List<string>();
        for (var kill = 1; kill * killEvery < seconds; kill++)
        {
            await Task.Delay(Remaining(TimeSpan.FromSeconds(kill * killEvery), clock));
            var processes = host.ReplicaProcesses();
            var (victim, pid) = processes.ElementAt(random.Next(processes.Count));
            var killed = Stopwatch.StartNew();
            ProcessTable.Signal(pid, ProcessTable.SigKill);

            // Recovered: /rep lists N replicas again, the victim not among them, and every replica process answers /heartbeat.
            var listed = TimeSpan.Zero;
            var recovered = await Eventually.TrueAsync(async () =>
            {
                var replicas = await host.ReplicasAsync();
                if (replicas.Count != n || replicas.Contains(victim))
                {
                    return false;
                }

                if (listed == TimeSpan.Zero)
                {
                    listed = killed.Elapsed;
                }

                var now = host.ReplicaProcesses();
                return now.Count == n && !now.ContainsKey(victim) && await AllAnswerAsync(host.Client, now.Values);
            }, TimeSpan.FromSeconds(15)); // generous: CI runs other test projects on the same two cores
            if (recovered)
            {
                recoveries.Add((victim, listed, killed.Elapsed));
            }
            else
            {
                unrecovered.Add(victim);
            }
        }

        await Task.Delay(Remaining(TimeSpan.FromSeconds(seconds), clock));
        await stop.CancelAsync();
        await running;

        ChaosReport.Write(output, "processes", "SIGKILL", clients, seconds, killEvery, load, n, recoveries, unrecovered.Count);

        Assert.Equal(0, load.FailedGets);
        Assert.Empty(unrecovered);
        Assert.NotEmpty(recoveries);
        Assert.True(load.Gets > 0);
        Assert.Equal(n, (await host.ReplicasAsync()).Count);
    }

    /// <summary>Each replica process answers /heartbeat on the address in its command line (--urls http://host:port).</summary>
    private static async Task<bool> AllAnswerAsync(HttpClient client, IEnumerable<int> processIds)
    {
        foreach (var processId in processIds)
        {
            if (ProcessTable.CommandLineOf(processId) is not { } arguments)
            {
                return false;
            }

            var urls = Array.IndexOf(arguments, "--urls");
            if (urls < 0 || urls + 1 >= arguments.Length)
            {
                return false;
            }

            try
            {
                using var heartbeat = await client.GetAsync(new Uri(new Uri(arguments[urls + 1]), "/heartbeat"));
                if (!heartbeat.IsSuccessStatusCode)
                {
                    return false;
                }
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        return true;
    }

    private static TimeSpan Remaining(TimeSpan until, Stopwatch clock) => until > clock.Elapsed ? until - clock.Elapsed : TimeSpan.Zero;
}
