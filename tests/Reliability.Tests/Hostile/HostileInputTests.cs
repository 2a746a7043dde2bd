using Ringway.Reliability.Tests.Infrastructure;
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
        var hostile = HostileCase.Load().Single(c => c.Name == name);
        var (request, bodyOffset) = hostile.Build(host.Address);
        var trickle = hostile.Trickle;

        var response = trickle is { } slow
            ? await RawHttp.SendAsync(host.Address, request, slow.Every, slow.Bytes, slow.HeadersFirst ? bodyOffset : 0, limit: TimeSpan.FromSeconds(60))
            : await RawHttp.SendAsync(host.Address, request);
        output.WriteLine($"{name}: {Shorten(response.ToString())}");

        Assert.False(response.Status >= 500, $"{name}: 5xx: {response}");
        // A connection that merely timed out on our side is no rejection: the server must have ended it, and before a slow
        // client finished sending.
        var sendTime = trickle is { } t ? t.Every * ((request.Length - (t.HeadersFirst ? bodyOffset : 0)) / t.Bytes) : TimeSpan.Zero;
        Assert.True(response.Elapsed < (trickle is null ? TimeSpan.FromSeconds(25) : sendTime), $"{name}: no answer from the server within {response.Elapsed}");
        switch (hostile.Expect)
        {
            case "json":
                Assert.True(response.Status is >= 400 and < 500, $"{name}: expected a 4xx from the balancer, got {Shorten(response.ToString())}");
                ErrorShape.Assert(response.Headers.GetValueOrDefault("Content-Type"), response.Body, name);
                break;
            case "kestrel":
                Assert.True(response.Closed || response.Status is >= 400 and < 500, $"{name}: expected a rejection, got {Shorten(response.ToString())}");
                break;
            case "4xx":
                Assert.True(response.Status is >= 400 and < 500, $"{name}: expected a 4xx, got {Shorten(response.ToString())}");
                break;
            default:
                throw new InvalidOperationException($"Unknown expectation '{hostile.Expect}' in case {name}.");
        }

        if (hostile.Status is { } status && !response.Closed)
        {
            Assert.Equal(status, response.Status);
        }

        Assert.True(host.IsRunning, $"the host exited:\n{host.Output}");
        Assert.Equal(fixture.Replicas, await host.ReplicasAsync());
        Assert.Equal(fixture.Processes.OrderBy(p => p.Key), host.ReplicaProcesses().OrderBy(p => p.Key));
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "..." : text;
}
