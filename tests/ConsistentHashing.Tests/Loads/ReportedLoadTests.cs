namespace Ringway.ConsistentHashing.Tests.Loads;

public sealed class ReportedLoadTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(3);

    [Fact]
    public void Estimate_NoReportYet_IsTheLocalCount()
    {
        var load = new ReportedLoad();
        Assert.Equal(4, load.Estimate(4, Start, MaxAge));
        Assert.False(load.TryGetLast(out _, out _));
    }

    [Fact]
    public void Estimate_FreshReport_IsTheReportPlusTheLocalChangeSince()
    {
        var load = new ReportedLoad();
        load.Report(30, localInFlight: 10, Start);

        Assert.Equal(30, load.Estimate(10, Start.AddSeconds(1), MaxAge));
        Assert.Equal(33, load.Estimate(13, Start.AddSeconds(1), MaxAge)); // three more sent since
        Assert.Equal(25, load.Estimate(5, Start.AddSeconds(1), MaxAge)); // five of ours finished since
        Assert.Equal(30, load.Estimate(10, Start + MaxAge, MaxAge)); // exactly at the limit: still fresh
        Assert.True(load.TryGetLast(out int last, out var at));
        Assert.Equal(30, last);
        Assert.Equal(Start, at);
    }

    [Fact]
    public void Estimate_StaleReport_FallsBackToTheLocalCount()
    {
        var load = new ReportedLoad();
        load.Report(30, 10, Start);

        Assert.Equal(7, load.Estimate(7, Start + MaxAge + TimeSpan.FromTicks(1), MaxAge));
    }

    [Fact]
    public void Estimate_NeverBelowZero_AndRoundsTheReport()
    {
        var load = new ReportedLoad();
        load.Report(2.5, 10, Start);

        Assert.Equal(0, load.Estimate(0, Start, MaxAge)); // 3 + 0 - 10
        Assert.Equal(3, load.Estimate(10, Start, MaxAge));
    }

    [Fact]
    public void Report_LaterReportReplacesTheEarlier()
    {
        var load = new ReportedLoad();
        load.Report(30, 10, Start);
        load.Report(5, 1, Start.AddSeconds(2));

        Assert.Equal(5, load.Estimate(1, Start.AddSeconds(4), MaxAge));
    }

    [Fact]
    public void Report_InvalidArguments_Throw()
    {
        var load = new ReportedLoad();
        Assert.Throws<ArgumentOutOfRangeException>(() => load.Report(-1, 0, Start));
        Assert.Throws<ArgumentOutOfRangeException>(() => load.Report(double.NaN, 0, Start));
        Assert.Throws<ArgumentOutOfRangeException>(() => load.Report(double.PositiveInfinity, 0, Start));
        Assert.Throws<ArgumentOutOfRangeException>(() => load.Report(1, -1, Start));
        Assert.False(load.TryGetLast(out _, out _));
    }
}
