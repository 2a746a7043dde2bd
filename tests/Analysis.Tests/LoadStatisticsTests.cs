using Ringway.Samples.Analysis.Reporting;

namespace Ringway.Samples.Analysis.Tests;

public class LoadStatisticsTests
{
    [Fact]
    public void From_ServerWithNoRequests_IsListedWithZero()
    {
        var stats = LoadStatistics.From(new Dictionary<string, long> { ["Server 1"] = 30, ["Server 3"] = 10 }, ["Server 1", "Server 2", "Server 3"]);

        Assert.Equal(["Server 1", "Server 2", "Server 3"], stats.Servers.Select(s => s.Server));
        Assert.Equal([30L, 0L, 10L], stats.Servers.Select(s => s.Count));
    }

    [Fact]
    public void From_UnknownServerInCounts_IsAppendedAfterKnownOnes()
    {
        var stats = LoadStatistics.From(new Dictionary<string, long> { ["B"] = 1, ["X"] = 2 }, ["B"]);

        Assert.Equal(["B", "X"], stats.Servers.Select(s => s.Server));
    }

    [Fact]
    public void Figures_KnownCounts_MatchHandComputedValues()
    {
        // counts 30, 0, 10, 20: total 60, mean 15, max 30 -> peak-to-mean 2; variance (225+225+25+25)/4 = 125
        var stats = LoadStatistics.From(new Dictionary<string, long> { ["a"] = 30, ["c"] = 10, ["d"] = 20 }, ["a", "b", "c", "d"]);

        Assert.Equal(60, stats.Total);
        Assert.Equal(15, stats.Mean);
        Assert.Equal(0, stats.Min);
        Assert.Equal(30, stats.Max);
        Assert.Equal(2.0, stats.PeakToMean, 12);
        Assert.Equal(Math.Sqrt(125), stats.StandardDeviation, 12);
        Assert.Equal(0.5, stats.Share(stats.Servers[0]), 12);
    }

    [Fact]
    public void Figures_NoServers_AreZeroNotNaN()
    {
        var stats = LoadStatistics.From(new Dictionary<string, long>(), []);

        Assert.Equal(0, stats.Mean);
        Assert.Equal(0, stats.PeakToMean);
        Assert.Equal(0, stats.StandardDeviation);
    }
}
