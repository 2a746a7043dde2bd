using System.Net;
using System.Net.Sockets;
using Ringway.TestSupport.Samples;
using Ringway.TestSupport.Waiting;
using Xunit.Abstractions;

namespace Ringway.Reliability.Tests.Security;

/// <summary>
/// Values a client controls (the path, the request key) never reach the logs unescaped: a CR/LF sent percent-encoded must
/// not start a forged log line. The host routes to a fixed backend that does not answer, so every request is logged as a
/// forwarding failure (or as "no replica" once the heartbeat takes it out of the ring), path included.
/// </summary>
public sealed class LogInjectionTests(ITestOutputHelper output)
{
    private const string Forged = "FORGED-ENTRY";

    [Fact]
    public async Task FailedRequest_CrLfInPathAndKey_NoForgedLogLine()
    {
        await using var host = await SampleHost.StartAsync("--backends", $"http://127.0.0.1:{UnusedPort()}");
        var statuses = new List<HttpStatusCode>();
        foreach (var target in new[] { $"/x%0d%0a{Forged}%20path", $"/x%0a{Forged}%20path-lf", $"/home?key=a%0d%0a{Forged}%20key" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, target);
            request.Headers.Add("X-Request-Id", "id-" + Forged);
            using var response = await host.Client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        // The log lines are written asynchronously: wait until the path shows up at all.
        await Eventually.TrueAsync(() => Task.FromResult(host.Output.Contains(Forged, StringComparison.Ordinal)), TimeSpan.FromSeconds(5), 50);
        var log = host.Output;
        output.WriteLine(log);

        Assert.All(statuses, s => Assert.True((int)s >= 500, $"the backend does not answer, so the balancer fails the request: {s}"));
        Assert.Contains(Forged, log, StringComparison.Ordinal); // the path was logged...
        Assert.DoesNotContain(log.Split('\n'), line => line.TrimStart().StartsWith(Forged, StringComparison.Ordinal)); // ...on its own line never
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
