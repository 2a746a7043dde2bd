using Docker.DotNet.Models;

namespace Ringway.Replicas.Docker;

/// <summary>
/// What the provider knows of one Swarm node when it places a replica: whether it can take tasks now, and the attributes
/// placement constraints and <see cref="SwarmReplicaOptions.SpreadOver"/> name (Swarm's own names: <c>node.id</c>,
/// <c>node.hostname</c>, <c>node.role</c>, <c>node.platform.os</c>, <c>node.platform.arch</c>, <c>node.labels.KEY</c>,
/// <c>engine.labels.KEY</c>).
/// </summary>
internal sealed record SwarmNode(
    string Id,
    string Hostname,
    string Role,
    bool Ready,
    string Os,
    string Architecture,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> EngineLabels)
{
    private const string NodeLabelPrefix = "node.labels.";
    private const string EngineLabelPrefix = "engine.labels.";

    private static readonly string[] s_plainAttributes = ["node.id", "node.hostname", "node.role", "node.platform.os", "node.platform.arch"];

    /// <summary>The attribute names this provider understands, for error messages.</summary>
    public const string KnownAttributes = "node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.KEY, engine.labels.KEY";

    /// <summary>A node as the engine lists it. Ready means: status ready and availability active (not paused, not drained).</summary>
    public static SwarmNode From(NodeListResponse node) => new(
        node.ID,
        node.Description?.Hostname ?? "",
        node.Spec?.Role ?? "",
        string.Equals(node.Status?.State, "ready", StringComparison.OrdinalIgnoreCase)
            && string.Equals(node.Spec?.Availability, "active", StringComparison.OrdinalIgnoreCase),
        node.Description?.Platform?.OS ?? "",
        node.Description?.Platform?.Architecture ?? "",
        Copy(node.Spec?.Labels),
        Copy(node.Description?.Engine?.Labels));

    /// <summary>Whether <paramref name="key"/> names an attribute (case-insensitive, as Swarm reads it).</summary>
    public static bool IsAttribute(string key) =>
        s_plainAttributes.Contains(key, StringComparer.OrdinalIgnoreCase)
        || (key.StartsWith(NodeLabelPrefix, StringComparison.OrdinalIgnoreCase) && key.Length > NodeLabelPrefix.Length)
        || (key.StartsWith(EngineLabelPrefix, StringComparison.OrdinalIgnoreCase) && key.Length > EngineLabelPrefix.Length);

    /// <summary>The node's value of an attribute; null when it has none (a label it does not carry).</summary>
    public string? Attribute(string key) => key.ToLowerInvariant() switch
    {
        "node.id" => Id,
        "node.hostname" => Hostname,
        "node.role" => Role,
        "node.platform.os" => Os,
        "node.platform.arch" => Architecture,
        var k when k.StartsWith(NodeLabelPrefix, StringComparison.Ordinal) => Labels.GetValueOrDefault(key[NodeLabelPrefix.Length..]),
        var k when k.StartsWith(EngineLabelPrefix, StringComparison.Ordinal) => EngineLabels.GetValueOrDefault(key[EngineLabelPrefix.Length..]),
        _ => null,
    };

    public override string ToString() => Hostname.Length > 0 ? Hostname : Id;

    private static Dictionary<string, string> Copy(IDictionary<string, string>? labels) =>
        labels is null ? [] : new Dictionary<string, string>(labels, StringComparer.Ordinal);
}
