namespace Ringway.Samples.Analysis.Simulation;

/// <summary>
/// A seeded stream of keys whose popularity follows Zipf's law: the key of rank r (1-based) is requested with
/// probability proportional to r^-s. Key names are random 16-character strings from the same seed, so which replica a
/// hot key lands on depends on the seed, not on a naming pattern.
/// </summary>
internal sealed class ZipfKeys
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private readonly double[] _cumulative;
    private readonly Random _random;

    public ZipfKeys(int count, double exponent, int seed)
    {
        _random = new Random(seed);
        Names = new string[count];
        Span<char> name = stackalloc char[16];
        for (var i = 0; i < count; i++)
        {
            for (var c = 0; c < name.Length; c++) name[c] = Alphabet[_random.Next(Alphabet.Length)];
            Names[i] = new string(name);
        }

        _cumulative = new double[count];
        double sum = 0;
        for (var r = 1; r <= count; r++)
        {
            sum += Math.Pow(r, -exponent);
            _cumulative[r - 1] = sum;
        }
        for (var i = 0; i < count; i++) _cumulative[i] /= sum;
    }

    /// <summary>Key names by rank - 1: Names[0] is the hottest.</summary>
    public string[] Names { get; }

    public int Count => Names.Length;

    /// <summary>The probability of the key at index i (rank i + 1).</summary>
    public double Probability(int index) => _cumulative[index] - (index > 0 ? _cumulative[index - 1] : 0);

    /// <summary>The index of the next key requested.</summary>
    public int Next()
    {
        var index = Array.BinarySearch(_cumulative, _random.NextDouble());
        return Math.Min(index < 0 ? ~index : index, _cumulative.Length - 1);
    }
}
