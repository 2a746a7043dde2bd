using Ringway.TestSupport.Samples;
using Xunit;

namespace Ringway.TestSupport.Hostile;

/// <summary>
/// Sends one corpus case to a running sample host, over a raw socket, and checks the answer: a 4xx (in the JSON error
/// shape where the balancer answers; Kestrel's own rejection or a closed connection where the corpus says "kestrel"),
/// never a 5xx, and the host still running. Whether anything changed is for the caller to check: replica processes for
/// the local host (tests/Reliability.Tests, HostileInputTests), containers for the Docker one (tests/Replicas.Docker.Tests).
/// </summary>
public static class HostileReplay
{
    /// <summary>The cases aimed at the admin API (/add and /rm), the ones that could start or stop replicas.</summary>
    public static IEnumerable<HostileCase> AdminCases() =>
        HostileCase.Load().Where(c => c.Name.StartsWith("add/", StringComparison.Ordinal) || c.Name.StartsWith("rm/", StringComparison.Ordinal));

    public static async Task<RawResponse> ReplayAsync(SampleHost host, HostileCase hostile, Action<string> log)
    {
        var name = hostile.Name;
        var (request, bodyOffset) = hostile.Build(host.Address);
        var trickle = hostile.Trickle;

        // A slow client must be cut off by the server before it finishes sending (and within a minute): our own time limit
        // is set to that, so a connection that merely timed out on our side fails the check below, not passes as closed.
        var sendTime = trickle is { } t ? t.Every * ((request.Length - (t.HeadersFirst ? bodyOffset : 0)) / t.Bytes) : TimeSpan.Zero;
        var deadline = trickle is null ? TimeSpan.FromSeconds(25) : sendTime < TimeSpan.FromSeconds(60) ? sendTime : TimeSpan.FromSeconds(60);
        var response = trickle is { } slow
            ? await RawHttp.SendAsync(host.Address, request, slow.Every, slow.Bytes, slow.HeadersFirst ? bodyOffset : 0, limit: deadline)
            : await RawHttp.SendAsync(host.Address, request);
        log($"{name}: {Shorten(response.ToString())}");

        Assert.False(response.Status >= 500, $"{name}: 5xx: {response}");
        Assert.True(response.Elapsed < deadline, $"{name}: no answer from the server within {response.Elapsed}");
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
        return response;
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "..." : text;
}
