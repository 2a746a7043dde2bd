namespace Ringway.LoadBalancing.Benchmarks;

/// <summary>16-character alphanumeric keys, like the ones docs/benchmarks.md uses for the hashing library.</summary>
internal static class RandomKeys
{
    public const int Length = 16;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>Writes a random key into <paramref name="destination"/> (the caller decides where the string lives).</summary>
    public static void Fill(Span<char> destination, Random random)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = Alphabet[random.Next(Alphabet.Length)];
        }
    }

    /// <summary>Seeded, so every run measures the same inputs.</summary>
    public static string[] Create(int count, int seed = 42)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => string.Create(Length, random, static (span, r) => Fill(span, r)))];
    }
}
