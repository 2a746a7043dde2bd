using Ringway.TestSupport.Hostile;
using Ringway.TestSupport.Samples;
using Xunit.Abstractions;

namespace Ringway.Replicas.Docker.Tests.Hostile;

/// <summary>
/// The admin-API cases of tests/TestSupport/Hostile/Corpus/hostile.jsonl against the sample host with the Docker provider
/// (3 containers): the same checks as there (HostileReplay), plus that no container was created or removed.
/// </summary>
[Collection(Containers.DockerCollection.Name)]
public sealed class DockerHostileInputTests(ITestOutputHelper output)
{
    [DockerFact]
    public async Task Send_AdminCasesToDockerHost_4xxAndNoContainerCreatedOrRemoved()
    {
        var cases = HostileReplay.AdminCases().ToList();
        await using var test = new TestResources();
        IReadOnlyList<string> containers;
        var failures = new List<string>();
        var statuses = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var changedBy = (string?)null;
        // As in HostileHostFixture: a shorter header timeout keeps the slow-client case quick.
        await using (var host = await SampleHost.StartAsync([.. test.SampleHostArguments(), "--Kestrel:Limits:RequestHeadersTimeout=00:00:03"]))
        {
            var replicas = await host.ReplicasAsync();
            containers = test.AllReplicaContainers();
            Assert.Equal(["Server 1", "Server 2", "Server 3"], replicas);
            Assert.Equal(3, containers.Count);
            Assert.Equal(containers.Order(), test.RunningReplicaContainers().Order());

            foreach (var hostile in cases)
            {
                try
                {
                    var response = await HostileReplay.ReplayAsync(host, hostile, output.WriteLine);
                    var key = response.Closed ? "closed" : response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    statuses[key] = statuses.GetValueOrDefault(key) + 1;
                }
                catch (Exception e) when (e is Xunit.Sdk.XunitException or IOException or System.Net.Sockets.SocketException)
                {
                    failures.Add($"{hostile.Name}: {e.Message}");
                }

                // Nothing changed: the same replicas, and exactly the same containers of this host's instance (any state).
                var now = await host.ReplicasAsync();
                var nowContainers = test.AllReplicaContainers();
                if (!now.SequenceEqual(replicas) || !nowContainers.Order().SequenceEqual(containers.Order()))
                {
                    changedBy = hostile.Name;
                    failures.Add($"{hostile.Name}: changed the system: /rep {string.Join(", ", now)}; containers {string.Join(", ", nowContainers.Select(ShortId))} " +
                                 $"instead of {string.Join(", ", containers.Select(ShortId))}");
                    break; // every later comparison would be against a changed system
                }
            }

            Assert.True(host.IsRunning, $"the host exited:\n{host.Output}");
        }

        var left = test.AllReplicaContainers();
        output.WriteLine($"hostile admin cases on the Docker host: {cases.Count} replayed, {failures.Count} failed; statuses " +
                         $"{string.Join(", ", statuses.Select(s => $"{s.Value} x {s.Key}"))}; containers of instance {test.Instance}: " +
                         $"{containers.Count} before ({string.Join(", ", containers.Select(ShortId))}), {(changedBy is null ? $"the same {containers.Count} after every case" : $"changed by {changedBy}")}; " +
                         $"{left.Count} left after the host stopped");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(cases.Count > 100, $"only {cases.Count} admin cases in the corpus");
        Assert.Empty(left); // the host removed its containers on the way out (TestResources removes anything left by label)
    }

    private static string ShortId(string id) => id.Length > 12 ? id[..12] : id;
}
