namespace Ringway.ConsistentHashing;

/// <summary>
/// A node of a consistent hash: a stable string identity, the value lookups return, and a weight.
/// </summary>
/// <typeparam name="TNode">The value returned by lookups (a replica, an address, a string...).</typeparam>
/// <param name="Id">
/// The node's stable identity. Positions on the ring, in the Maglev table and rendezvous scores are
/// derived from it, so the same id lands in the same place in every process and version.
/// </param>
/// <param name="Value">The value lookups return for this node.</param>
/// <param name="Weight">A positive relative weight; a node of weight 2 receives about twice the keys. Default 1.</param>
public readonly record struct HashNode<TNode>(string Id, TNode Value, int Weight = 1);
