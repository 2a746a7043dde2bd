using Ringway.Samples.Analysis.Analyses;

namespace Ringway.Samples.Analysis.Tests;

public class HashComparisonTests
{
    private static readonly IReadOnlyList<OfflinePoint> Points = A4HashComparison.RunOffline(keyCount: 30_000, minN: 2, maxN: 5, seed: 7);

    [Fact]
    public void RunOffline_EveryAlgorithmAndN_CountsEveryKeyOnce()
    {
        Assert.Equal(A4HashComparison.Algorithms.Length * 4, Points.Count);
        Assert.All(Points, p =>
        {
            Assert.Equal(p.N, p.Servers.Count);
            Assert.Equal(30_000, p.Servers.Sum(s => s.Count));
        });
    }

    [Fact]
    public void RunOffline_ClassicAtThreeServers_IsSkewedAsDocumented()
    {
        var classic = Points.Single(p => p.Algorithm == "Classic" && p.N == 3);

        Assert.True(classic.PeakToMean > 1.5, $"classic peak-to-mean {classic.PeakToMean}");
    }

    [Theory]
    [InlineData("Maglev", 1.05)]
    [InlineData("Rendezvous", 1.05)]
    [InlineData("Jump", 1.05)]
    [InlineData("Ring", 1.25)]
    public void RunOffline_ModernAlgorithms_SpreadEvenlyAndMoveNearTheOptimum(string algorithm, double peakBound)
    {
        // 30,000 keys over at most 5 servers: sampling noise is about 1.5 %, far inside these bounds.
        Assert.All(Points.Where(p => p.Algorithm == algorithm), p =>
        {
            Assert.InRange(p.PeakToMean, 1.0, peakBound);
            Assert.InRange(p.MovedOverOptimum, 0.6, 1.4);
        });
    }
}
