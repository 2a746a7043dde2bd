namespace Ringway.Replicas.Docker;

/// <summary>
/// One Swarm placement constraint, <c>ATTRIBUTE==VALUE</c> or <c>ATTRIBUTE!=VALUE</c>, evaluated here the way Swarm's
/// scheduler does (values compared without regard to case; a node without the label has the empty value), so the provider
/// can choose among the nodes Swarm would accept. Swarm gets the same constraints and checks them again.
/// </summary>
internal sealed record NodeConstraint(string Attribute, bool Equal, string Value)
{
    /// <summary>Parses a constraint; null and an <paramref name="error"/> when it is not one.</summary>
    public static NodeConstraint? Parse(string text, out string? error)
    {
        error = null;
        var equal = text.IndexOf("==", StringComparison.Ordinal);
        var notEqual = text.IndexOf("!=", StringComparison.Ordinal);
        var at = equal >= 0 && (notEqual < 0 || equal < notEqual) ? equal : notEqual;
        if (at <= 0)
        {
            error = $"Constraint \"{text}\" is not ATTRIBUTE==VALUE or ATTRIBUTE!=VALUE.";
            return null;
        }
        var attribute = text[..at].Trim();
        var value = text[(at + 2)..].Trim();
        if (!SwarmNode.IsAttribute(attribute))
        {
            error = $"Constraint \"{text}\": '{attribute}' is not a node attribute ({SwarmNode.KnownAttributes}).";
            return null;
        }
        if (value.Length == 0 || value.Contains("==", StringComparison.Ordinal) || value.Contains("!=", StringComparison.Ordinal))
        {
            error = $"Constraint \"{text}\" has no single value to compare with.";
            return null;
        }
        return new NodeConstraint(attribute, at == equal, value);
    }

    public bool Matches(SwarmNode node) =>
        string.Equals(node.Attribute(Attribute) ?? "", Value, StringComparison.OrdinalIgnoreCase) == Equal;

    public override string ToString() => $"{Attribute}{(Equal ? "==" : "!=")}{Value}";
}
