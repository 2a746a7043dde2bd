using Ringway.ConsistentHashing;

namespace Ringway.LoadBalancing.AspNetCore.Routing;

/// <summary>
/// A replica plus what the request path needs to know about it. One instance lives as long as the replica,
/// across routing snapshots, so its in-flight count survives ring rebuilds (drain and bounded loads read it).
/// </summary>
internal sealed class ReplicaState
{
    private int _inFlight;
    private volatile bool _routable;

    public ReplicaState(Replica replica)
    {
        Replica = replica;
        // YARP-style destination prefix: no trailing slash, the request path is appended as is.
        ForwardPrefix = replica.Address.GetLeftPart(UriPartial.Path).TrimEnd('/');
        ServerAddress = replica.Address.DnsSafeHost;
        ServerPort = replica.Address.Port;
    }

    public Replica Replica { get; }

    public string Hostname => Replica.Hostname;

    public string ForwardPrefix { get; }

    /// <summary>The replica's host and port as telemetry tags them (<c>server.address</c>, <c>server.port</c>; boxed once).</summary>
    public string ServerAddress { get; }

    /// <inheritdoc cref="ServerAddress"/>
    public object ServerPort { get; }

    /// <summary>Requests being forwarded to this replica now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>False once the replica left the ring (unhealthy, draining, removed): failover skips it.</summary>
    public bool IsRoutable
    {
        get => _routable;
        set => _routable = value;
    }

    /// <summary>
    /// When the replica last joined the ring (warm-up ramps from it), or <see cref="DateTimeOffset.MinValue"/> for a
    /// replica that needs no ramp (there when the balancer started). Written by <see cref="ReplicaTable.Join"/> before it
    /// publishes the snapshot that holds the replica.
    /// </summary>
    public DateTimeOffset JoinedAt { get; set; } = DateTimeOffset.MinValue;

    /// <summary>The load the replica last reported about itself (<see cref="ReplicaLoadReports"/>).</summary>
    public ReportedLoad Reported { get; } = new();

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    public override string ToString() => Hostname;
}
