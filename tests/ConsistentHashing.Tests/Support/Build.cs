namespace Ringway.ConsistentHashing.Tests.Support;

/// <summary>Shared helpers for building snapshots and random keys.</summary>
public static class Build
{
    public static readonly ConsistentHashAlgorithm[] All = Enum.GetValues<ConsistentHashAlgorithm>();

    /// <summary>Algorithms whose placement depends only on node ids, not on the order nodes were given.</summary>
    public static bool IsOrderIndependent(ConsistentHashAlgorithm algorithm)
        => algorithm is ConsistentHashAlgorithm.Ring or ConsistentHashAlgorithm.Maglev or ConsistentHashAlgorithm.Rendezvous;

    public static bool SupportsWeights(ConsistentHashAlgorithm algorithm) => IsOrderIndependent(algorithm);

    /// <summary>A snapshot, with a table big enough for the node count (Maglev) and at most 56 servers (Classic).</summary>
    public static IConsistentHash<string> Hash(ConsistentHashAlgorithm algorithm, IEnumerable<HashNode<string>> nodes)
    {
        var list = nodes.ToList();
        if (algorithm == ConsistentHashAlgorithm.Classic && list.Count > 56)
        {
            list = list.Take(56).ToList();
        }

        return ConsistentHash.Create(algorithm, list, OptionsFor(algorithm, list.Count));
    }

    public static ConsistentHashOptions OptionsFor(ConsistentHashAlgorithm algorithm, int nodeCount)
        => algorithm == ConsistentHashAlgorithm.Maglev && nodeCount * 100 >= 65537
            ? new ConsistentHashOptions { MaglevTableSize = 1_000_003 }
            : ConsistentHashOptions.Default;

    public static HashNode<string>[] Nodes(int count, string prefix = "node-")
        => Enumerable.Range(1, count).Select(i => new HashNode<string>(prefix + i, prefix + i)).ToArray();

    /// <summary>Random 16-character alphanumeric keys from a fixed seed.</summary>
    public static string[] RandomKeys(int count, int seed)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var random = new Random(seed);
        var keys = new string[count];
        Span<char> buffer = stackalloc char[16];
        for (int i = 0; i < count; i++)
        {
            for (int c = 0; c < buffer.Length; c++)
            {
                buffer[c] = alphabet[random.Next(alphabet.Length)];
            }

            keys[i] = new string(buffer);
        }

        return keys;
    }

    /// <summary>Keys per node index.</summary>
    public static int[] Loads(IConsistentHash<string> hash, IEnumerable<string> keys)
    {
        var loads = new int[hash.Count];
        foreach (var key in keys)
        {
            loads[hash.GetNodeIndex(key)]++;
        }

        return loads;
    }

    public static double PeakToMean(int[] loads) => loads.Max() / loads.Average();
}
