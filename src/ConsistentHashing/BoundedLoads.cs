namespace Ringway.ConsistentHashing;

/// <summary>
/// Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, 2018): a key goes to the first
/// node in its preference order whose load stays within <c>ceil(factor x average)</c>.
/// </summary>
public static class BoundedLoads
{
    /// <summary>The default load factor c.</summary>
    public const double DefaultFactor = 1.25;

    /// <summary>
    /// The index into <see cref="IConsistentHash{TNode}.Nodes"/> of the node that takes <paramref name="key"/>,
    /// given each node's current load (<paramref name="loads"/>[i] is the load of node i) and the factor c (> 1).
    /// </summary>
    public static int GetNodeIndex<TNode>(IConsistentHash<TNode> hash, ReadOnlySpan<char> key, ReadOnlySpan<int> loads, double factor = DefaultFactor)
        => throw new NotImplementedException("contract placeholder");
}
