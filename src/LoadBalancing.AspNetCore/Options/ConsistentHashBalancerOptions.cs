using Microsoft.Extensions.Configuration;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// Options of the consistent-hash balancer, one group per concern: how requests are hashed (<see cref="Hashing"/>) and
/// keyed (<see cref="Keys"/>), how they are forwarded (<see cref="Forwarding"/>), how replicas are probed
/// (<see cref="Health"/>), counted and stopped (<see cref="Replicas"/>, <see cref="Autoscaling"/>), and who may change
/// them (<see cref="Admin"/>). Bind them from a configuration section (the groups are its sub-sections, for example
/// <c>Balancer:Health:Interval</c>) or set them in code; they are validated when the application starts.
/// </summary>
public sealed class ConsistentHashBalancerOptions
{
    /// <summary>The hashing algorithm and its parameters (section <c>Hashing</c>).</summary>
    public HashingOptions Hashing { get; } = new();

    /// <summary>Where each request's hash key comes from (section <c>Keys</c>).</summary>
    public RequestKeyOptions Keys { get; } = new();

    /// <summary>How requests reach a replica: forwarder, timeouts, retries, the 404 rule (section <c>Forwarding</c>).</summary>
    public ForwardingOptions Forwarding { get; } = new();

    /// <summary>The heartbeat probes that decide which replicas are in the ring (section <c>Health</c>).</summary>
    public ReplicaHealthOptions Health { get; } = new();

    /// <summary>How many replicas run and how they are stopped (section <c>Replicas</c>).</summary>
    public ReplicaSetOptions Replicas { get; } = new();

    /// <summary>Autoscaling by requests in flight; off by default (section <c>Autoscaling</c>).</summary>
    public AutoscalingOptions Autoscaling { get; } = new();

    /// <summary>Access to <c>/rep</c>, <c>/add</c> and <c>/rm</c> (section <c>Admin</c>).</summary>
    public ReplicaAdminOptions Admin { get; } = new();

    /// <summary>
    /// The configuration these options were bound from, if any: validation names keys by its path and reports keys
    /// of the earlier flat layout. A field, so the configuration binder leaves it alone.
    /// </summary>
    internal IConfiguration? Source;
}
