namespace Ringway.ConsistentHashing.Benchmarks;

/// <summary>Seeded random keys, so every run measures the same inputs.</summary>
internal static class Keys
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>Random alphanumeric keys of the given length.</summary>
    public static string[] Random(int count, int length = 16, int seed = 42)
    {
        var random = new Random(seed);
        var keys = new string[count];
        Span<char> buffer = stackalloc char[length];
        for (int i = 0; i < count; i++)
        {
            for (int c = 0; c < length; c++)
            {
                buffer[c] = Alphabet[random.Next(Alphabet.Length)];
            }

            keys[i] = new string(buffer);
        }

        return keys;
    }

    public static HashNode<string>[] Nodes(int count)
        => Enumerable.Range(1, count).Select(i => new HashNode<string>($"server-{i}", $"server-{i}")).ToArray();

    /// <summary>Options that let Maglev hold the node count (its table must exceed 100 x nodes).</summary>
    public static ConsistentHashOptions Options(ConsistentHashAlgorithm algorithm, int nodes)
        => algorithm == ConsistentHashAlgorithm.Maglev && nodes * 100L >= 65537
            ? new ConsistentHashOptions { MaglevTableSize = 1_000_003 }
            : ConsistentHashOptions.Default;
}
