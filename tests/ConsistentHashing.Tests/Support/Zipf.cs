namespace Ringway.ConsistentHashing.Tests.Support;

/// <summary>A seeded Zipf stream: rank r (1-based) is drawn with probability proportional to r^-s.</summary>
public sealed class Zipf
{
    private readonly double[] _cumulative;
    private readonly Random _random;

    public Zipf(int ranks, double exponent, int seed)
    {
        _cumulative = new double[ranks];
        double sum = 0;
        for (int r = 1; r <= ranks; r++)
        {
            sum += Math.Pow(r, -exponent);
            _cumulative[r - 1] = sum;
        }

        for (int i = 0; i < ranks; i++)
        {
            _cumulative[i] /= sum;
        }

        _random = new Random(seed);
    }

    /// <summary>The probability of rank r (1-based).</summary>
    public double Probability(int rank) => _cumulative[rank - 1] - (rank > 1 ? _cumulative[rank - 2] : 0);

    /// <summary>The next rank, 1-based.</summary>
    public int Next()
    {
        int index = Array.BinarySearch(_cumulative, _random.NextDouble());
        return Math.Min((index < 0 ? ~index : index) + 1, _cumulative.Length);
    }
}
