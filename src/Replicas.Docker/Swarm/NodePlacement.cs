namespace Ringway.Replicas.Docker;

/// <summary>
/// Chooses the node for each new replica so that this balancer's replicas spread over the nodes: among the nodes that are
/// ready and satisfy the constraints, the group (the nodes sharing a value of the spread attribute, e.g. one node each for
/// <c>node.id</c>, one zone each for <c>node.labels.zone</c>) running the fewest replicas, and in it the node running the
/// fewest; ties are broken at random, so balancers sharing a swarm do not all pick the same node.
/// </summary>
/// <remarks>
/// Swarm's own scheduler cannot do this for one-task services: a spread preference spreads the tasks of one service, and
/// across services it only prefers the node with the fewest tasks of any kind, so another workload decides where replicas go.
/// Thread-safe: replicas started together reserve their nodes one after another.
/// </remarks>
internal sealed class NodePlacement
{
    private readonly IReadOnlyList<SwarmNode> _nodes;
    private readonly IReadOnlyList<NodeConstraint> _constraints;
    private readonly string _spreadOver;
    private readonly Dictionary<string, int> _replicas;
    private readonly Random _random;
    private readonly Lock _lock = new();

    /// <param name="nodes">The swarm's nodes.</param>
    /// <param name="constraints">The constraints every replica has.</param>
    /// <param name="spreadOver">The attribute replicas spread over (<c>node.id</c>, <c>node.labels.zone</c>...).</param>
    /// <param name="replicasByNode">How many of this balancer's replicas each node runs now, by node id.</param>
    /// <param name="random">Breaks ties.</param>
    public NodePlacement(IReadOnlyList<SwarmNode> nodes, IReadOnlyList<NodeConstraint> constraints, string spreadOver,
        IReadOnlyDictionary<string, int> replicasByNode, Random random)
    {
        _nodes = nodes;
        _constraints = constraints;
        _spreadOver = spreadOver;
        _replicas = new Dictionary<string, int>(replicasByNode, StringComparer.Ordinal);
        _random = random;
    }

    /// <summary>The nodes a replica may go to: ready (status ready, availability active) and satisfying every constraint.</summary>
    public IEnumerable<SwarmNode> Eligible => _nodes.Where(n => n.Ready && _constraints.All(c => c.Matches(n)));

    /// <summary>Picks a node and counts the replica on it; null when every eligible node is in <paramref name="excluded"/>.</summary>
    public SwarmNode? Reserve(IReadOnlySet<string> excluded)
    {
        lock (_lock)
        {
            var candidates = Eligible.Where(n => !excluded.Contains(n.Id)).ToList();
            if (candidates.Count == 0)
            {
                return null;
            }
            // Groups are counted over all eligible nodes (an excluded node's replicas still run in its group).
            var groupLoad = Eligible.GroupBy(Group, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.Sum(Count), StringComparer.OrdinalIgnoreCase);
            var fewestInGroup = candidates.Min(n => groupLoad[Group(n)]);
            var inGroup = candidates.Where(n => groupLoad[Group(n)] == fewestInGroup).ToList();
            var fewest = inGroup.Min(Count);
            var best = inGroup.Where(n => Count(n) == fewest).ToList();
            var chosen = best[_random.Next(best.Count)];
            _replicas[chosen.Id] = Count(chosen) + 1;
            return chosen;
        }
    }

    /// <summary>Takes back a reservation whose replica did not start there.</summary>
    public void Release(SwarmNode node)
    {
        lock (_lock)
        {
            _replicas[node.Id] = Math.Max(0, Count(node) - 1);
        }
    }

    /// <summary>How many of this balancer's replicas <paramref name="node"/> runs, reservations included.</summary>
    public int Count(SwarmNode node) => _replicas.GetValueOrDefault(node.Id);

    private string Group(SwarmNode node) => node.Attribute(_spreadOver) ?? "";
}
