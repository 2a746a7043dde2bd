namespace Ringway.Conformance.Tests.Infrastructure;

/// <summary>An address the suite sends requests to: httpbin itself, nginx, or the balancer with one forwarder.</summary>
internal sealed record Target(string Name, Uri Address);

/// <summary>An upstream and the three proxies in front of it.</summary>
internal sealed record ProxyStack(Target Direct, Target Nginx, Target Yarp, Target Http1)
{
    public IReadOnlyList<Target> All => [Direct, Nginx, Yarp, Http1];
}

/// <summary>
/// What one target answered, reduced to what the case is about (<see cref="Answer"/>, compared between targets), and for
/// refused requests what kind of body came with it (<see cref="Body"/>: json, html, empty, text).
/// </summary>
internal sealed record Observation(string Answer, string? Body = null)
{
    public override string ToString() => Body is null ? Answer : $"{Answer} ({Body} body)";
}

/// <summary>
/// One conformance case: a request (or raw bytes), sent to each target of a stack, and what to compare. Ringway's two
/// forwarders must answer alike, and as nginx does unless <see cref="NginxDifference"/> says why not.
/// </summary>
internal sealed record ConformanceCase(string Group, string Name, Func<Probe, Task<Observation>> Observe)
{
    /// <summary>Why Ringway must answer differently from nginx (checked: the answers do differ); null when they must match.</summary>
    public string? NginxDifference { get; init; }

    /// <summary>
    /// For a request the balancer refuses: the body it answers with, <c>json</c> (the documented error shape) or
    /// <c>empty</c> (Kestrel answers before any application code runs; docs/conformance.md lists these).
    /// </summary>
    public string? RingwayBody { get; init; }

    /// <summary>Runs against replicas that answer with a malformed response instead of httpbin.</summary>
    public bool Malformed { get; init; }

    public override string ToString() => $"{Group}/{Name}";
}
