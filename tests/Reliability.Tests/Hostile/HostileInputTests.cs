using Ringway.TestSupport.Hostile;
using Ringway.TestSupport.Samples;
using Xunit.Abstractions;

namespace Ringway.Reliability.Tests.Hostile;

/// <summary>
/// Replays Corpus/hostile.jsonl against the admin API and the routing path of the real sample host, over raw sockets.
/// Every case: a 4xx (in the JSON error shape where the balancer answers; Kestrel's own rejection or a closed connection
/// where the corpus says "kestrel"), never a 5xx, /rep unchanged, the same replica processes, the host still running.
/// </summary>
public sealed class HostileInputTests(HostileHostFixture fixture, ITestOutputHelper output) : IClassFixture<HostileHostFixture>
{
    public static TheoryData<string> Cases() => [.. HostileCase.Load().Select(c => c.Name)];

    [Fact]
    public void Corpus_Loaded_CoversEveryCategoryTheIssueNames()
    {
        var names = HostileCase.Load().Select(c => c.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (var needle in new[] { "truncated", "nested-arrays-10000", "n-string", "n-int64-min", "n-above-max", "body-5mb", "hostnames-10000",
                     "hostname-shell", "hostname-path", "hostname-docker", "hostname-non-ascii", "duplicate-key", "content-length-and-chunked",
                     "header-bytes-64k", "slow-headers", "slow-body" })
        {
            Assert.Contains(names, n => n.Contains(needle, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Send_HostileCase_4xxAndNothingChanges(string name)
    {
        var host = fixture.Host;
        try
        {
            await ReplayAsync(host, name);
        }
        finally
        {
            if (!(await host.ReplicasAsync()).SequenceEqual(fixture.Replicas))
            {
                await fixture.RestoreAsync();
            }
        }
    }

    private async Task ReplayAsync(SampleHost host, string name)
    {
        await HostileReplay.ReplayAsync(host, HostileCase.Load().Single(c => c.Name == name), output.WriteLine);

        Assert.Equal(fixture.Replicas, await host.ReplicasAsync());
        Assert.Equal(fixture.Processes.OrderBy(p => p.Key), host.ReplicaProcesses().OrderBy(p => p.Key));
    }
}
