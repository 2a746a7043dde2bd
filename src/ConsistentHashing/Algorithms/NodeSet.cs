namespace Ringway.ConsistentHashing.Algorithms;

/// <summary>Validation and copy-on-write edits of node arrays, with the error messages users see.</summary>
internal static class NodeSet
{
    /// <summary>Copies and validates: at least one node, non-empty unique ids (ordinal), positive weights.</summary>
    public static HashNode<TNode>[] Validate<TNode>(IEnumerable<HashNode<TNode>> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var array = nodes.ToArray();
        if (array.Length == 0)
        {
            throw new ArgumentException("A consistent hash needs at least one node; the node set is empty.", nameof(nodes));
        }

        var seen = new HashSet<string>(array.Length, StringComparer.Ordinal);
        foreach (var node in array)
        {
            CheckNode(node, nameof(nodes));
            if (!seen.Add(node.Id))
            {
                throw new ArgumentException($"Duplicate node id '{node.Id}': node ids must be unique (ordinal comparison).", nameof(nodes));
            }
        }

        return array;
    }

    public static void CheckNode<TNode>(HashNode<TNode> node, string paramName)
    {
        if (string.IsNullOrEmpty(node.Id))
        {
            throw new ArgumentException("A node id must be a non-empty string.", paramName);
        }

        if (node.Weight <= 0)
        {
            throw new ArgumentException($"Node '{node.Id}' has weight {node.Weight}; weights must be positive.", paramName);
        }
    }

    public static HashNode<TNode>[] WithAdded<TNode>(HashNode<TNode>[] nodes, HashNode<TNode> node)
    {
        CheckNode(node, nameof(node));
        if (IndexOf(nodes, node.Id) >= 0)
        {
            throw new ArgumentException($"A node with id '{node.Id}' already exists.", nameof(node));
        }

        var result = new HashNode<TNode>[nodes.Length + 1];
        nodes.CopyTo(result, 0);
        result[^1] = node;
        return result;
    }

    public static HashNode<TNode>[] WithRemoved<TNode>(HashNode<TNode>[] nodes, string id, out int removed)
    {
        ArgumentNullException.ThrowIfNull(id);
        removed = IndexOf(nodes, id);
        if (removed < 0)
        {
            throw new KeyNotFoundException($"No node has id '{id}'.");
        }

        if (nodes.Length == 1)
        {
            throw new InvalidOperationException($"Cannot remove '{id}': it is the last node and a consistent hash needs at least one.");
        }

        var result = new HashNode<TNode>[nodes.Length - 1];
        Array.Copy(nodes, 0, result, 0, removed);
        Array.Copy(nodes, removed + 1, result, removed, nodes.Length - removed - 1);
        return result;
    }

    public static int IndexOf<TNode>(HashNode<TNode>[] nodes, string id)
    {
        for (int i = 0; i < nodes.Length; i++)
        {
            if (string.Equals(nodes[i].Id, id, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>ranks[i] = position of node i's id in ordinal order.</summary>
    public static int[] IdRanks<TNode>(HashNode<TNode>[] nodes)
    {
        var order = new int[nodes.Length];
        var ids = new string[nodes.Length];
        for (int i = 0; i < nodes.Length; i++)
        {
            order[i] = i;
            ids[i] = nodes[i].Id;
        }

        Array.Sort(ids, order, StringComparer.Ordinal);
        var ranks = new int[nodes.Length];
        for (int r = 0; r < order.Length; r++)
        {
            ranks[order[r]] = r;
        }

        return ranks;
    }

    /// <summary>Throws when any weight is not 1 (algorithms without weights).</summary>
    public static void RequireUnitWeights<TNode>(HashNode<TNode>[] nodes, ConsistentHashAlgorithm algorithm)
    {
        foreach (var node in nodes)
        {
            if (node.Weight != 1)
            {
                throw new ArgumentException(
                    $"Node '{node.Id}' has weight {node.Weight}, but {algorithm} does not support weights; use weight 1 or Ring, Maglev or Rendezvous.",
                    "nodes");
            }
        }
    }
}
