using System.Text.Json;
using Ringway.TestSupport.Samples;
using Ringway.TestSupport.Waiting;

namespace Ringway.Reliability.Tests.Hostile;

/// <summary>One sample host (N = 3 local replica processes) that every hostile case must leave exactly as it was.</summary>
public sealed class HostileHostFixture : IAsyncLifetime
{
    internal SampleHost Host { get; private set; } = null!;

    /// <summary>/rep before each case.</summary>
    internal IReadOnlyList<string> Replicas { get; private set; } = [];

    /// <summary>The replica processes (SERVER_ID -> pid) before each case.</summary>
    internal IReadOnlyDictionary<string, int> Processes { get; private set; } = new Dictionary<string, int>();

    public async Task InitializeAsync()
    {
        // A shorter header timeout than the sample's 10 s keeps the slow-client case quick; everything else is as shipped.
        // RINGWAY_HOSTILE_HOST_ARGS adds arguments, e.g. "--Balancer:Forwarding:Forwarder=Http1" to replay the corpus on the other forwarder.
        var extra = Environment.GetEnvironmentVariable("RINGWAY_HOSTILE_HOST_ARGS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        Host = await SampleHost.StartAsync(["--Kestrel:Limits:RequestHeadersTimeout=00:00:03", .. extra]);
        await SettleAsync();
    }

    /// <summary>
    /// After a case that changed something (a failure, already reported), puts the replica set back to what it was, so one
    /// bug does not fail every case after it.
    /// </summary>
    internal async Task RestoreAsync()
    {
        var now = await Host.ReplicasAsync();
        var extra = now.Except(Replicas).ToList();
        var missing = Replicas.Except(now).ToList();
        if (extra.Count > 0)
        {
            (await Host.SendJsonAsync(HttpMethod.Delete, "/rm", JsonSerializer.Serialize(new { n = extra.Count, hostnames = extra }))).Dispose();
        }

        if (missing.Count > 0)
        {
            (await Host.SendJsonAsync(HttpMethod.Post, "/add", JsonSerializer.Serialize(new { n = missing.Count, hostnames = missing }))).Dispose();
        }

        await SettleAsync();
    }

    private async Task SettleAsync()
    {
        Replicas = await Host.ReplicasAsync();
        await Eventually.TrueAsync(() => Task.FromResult(Host.ReplicaProcesses().Keys.Order().SequenceEqual(Replicas.Order())), TimeSpan.FromSeconds(15));
        Processes = Host.ReplicaProcesses();
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
