using Ringway.LoadBalancing.AspNetCore;

namespace Ringway.Conformance.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class ConformanceCollection : ICollectionFixture<ConformanceFixture>
{
    public const string Name = "conformance";
}

/// <summary>
/// Everything the suite runs, started once: httpbin under gunicorn, two replicas that answer with malformed responses,
/// nginx in front of each upstream, and for each upstream a balancer per forwarder. The matrix of answers is written at
/// the end when RINGWAY_CONFORMANCE_MATRIX names a file (scripts/conformance-matrix.sh).
/// </summary>
public sealed class ConformanceFixture : IAsyncLifetime
{
    public const string HeartbeatPath = "/status/200";
    private readonly List<IAsyncDisposable> _started = [];

    internal Httpbin App { get; private set; } = null!;

    internal IReadOnlyList<MalformedReplica> MalformedReplicas { get; private set; } = [];

    /// <summary>httpbin and the proxies in front of it.</summary>
    internal ProxyStack Main { get; private set; } = null!;

    /// <summary>The malformed replicas (two, so a retry would show) and the proxies in front of them.</summary>
    internal ProxyStack Malformed { get; private set; } = null!;

    internal Matrix Matrix { get; } = new();

    public async Task InitializeAsync()
    {
        if (ThirdParty.Requirement.SkipReason is not null)
        {
            return; // every test skips
        }

        App = Started(await Httpbin.StartAsync());
        MalformedReplicas = [Started(new MalformedReplica(HeartbeatPath)), Started(new MalformedReplica(HeartbeatPath))];
        IReadOnlyList<Uri> malformed = [.. MalformedReplicas.Select(r => r.Address)];
        var nginx = Started(await Nginx.StartAsync([App.Address], malformed));
        Main = new ProxyStack(
            new Target("direct", App.Address),
            new Target("nginx", nginx.Addresses[0]),
            new Target("Yarp", Started(await InProcessBalancer.StartAsync(ReplicaForwarder.Yarp, [App.Address], HeartbeatPath)).Address),
            new Target("Http1", Started(await InProcessBalancer.StartAsync(ReplicaForwarder.Http1, [App.Address], HeartbeatPath)).Address));
        Malformed = new ProxyStack(
            new Target("direct", malformed[0]),
            new Target("nginx", nginx.Addresses[1]),
            new Target("Yarp", Started(await InProcessBalancer.StartAsync(ReplicaForwarder.Yarp, malformed, HeartbeatPath)).Address),
            new Target("Http1", Started(await InProcessBalancer.StartAsync(ReplicaForwarder.Http1, malformed, HeartbeatPath)).Address));
    }

    private T Started<T>(T started)
        where T : IAsyncDisposable
    {
        _started.Add(started);
        return started;
    }

    public async Task DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("RINGWAY_CONFORMANCE_MATRIX") is { Length: > 0 } file)
        {
            await File.WriteAllTextAsync(file, Matrix.ToMarkdown());
        }

        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].DisposeAsync();
        }
    }
}
