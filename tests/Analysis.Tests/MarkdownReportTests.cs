using Ringway.Samples.Analysis.Reporting;

namespace Ringway.Samples.Analysis.Tests;

public class MarkdownReportTests
{
    [Fact]
    public void Table_RowsAndPipes_AreRenderedAndEscaped()
    {
        var text = new MarkdownReport().Table(["a", "b"], [["1", "x|y"]]).ToString();

        Assert.Equal("| a | b |\n| --- | --- |\n| 1 | x\\|y |\n\n", text.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadTable_ListsEveryServerWithShareAndSummary()
    {
        var stats = LoadStatistics.From(new Dictionary<string, long> { ["S1"] = 75, ["S2"] = 25 }, ["S1", "S2"]);

        var text = new MarkdownReport().LoadTable(stats).ToString();

        Assert.Contains("| S1 | 75 | 75.0 % |", text, StringComparison.Ordinal);
        Assert.Contains("| S2 | 25 | 25.0 % |", text, StringComparison.Ordinal);
        Assert.Contains("peak-to-mean 1.500", text, StringComparison.Ordinal);
    }
}
