namespace Ringway.ConsistentHashing;

/// <summary>Builds consistent-hash snapshots.</summary>
public static class ConsistentHash
{
    /// <summary>Builds a snapshot of <paramref name="algorithm"/> over <paramref name="nodes"/>.</summary>
    /// <exception cref="ArgumentException">No nodes, duplicate ids, a non-positive weight, or invalid options.</exception>
    public static IConsistentHash<TNode> Create<TNode>(
        ConsistentHashAlgorithm algorithm,
        IEnumerable<HashNode<TNode>> nodes,
        ConsistentHashOptions? options = null)
        => throw new NotImplementedException("contract placeholder");
}
