using System.Globalization;
using System.Text;

namespace Ringway.Samples.Analysis.Reporting;

/// <summary>Builds the markdown report section by section.</summary>
internal sealed class MarkdownReport
{
    private readonly StringBuilder _text = new();

    public MarkdownReport Heading(int level, string text)
    {
        _text.Append('#', level).Append(' ').AppendLine(text).AppendLine();
        return this;
    }

    public MarkdownReport Paragraph(string text)
    {
        _text.AppendLine(text).AppendLine();
        return this;
    }

    public MarkdownReport Image(string alt, string fileName)
    {
        _text.Append("![").Append(alt).Append("](").Append(fileName).AppendLine(")").AppendLine();
        return this;
    }

    public MarkdownReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _text.Append("| ").AppendJoin(" | ", header.Select(Escape)).AppendLine(" |");
        _text.Append('|').AppendJoin('|', header.Select(_ => " --- ")).AppendLine("|");
        foreach (var row in rows) _text.Append("| ").AppendJoin(" | ", row.Select(Escape)).AppendLine(" |");
        _text.AppendLine();
        return this;
    }

    /// <summary>The per-server table every load analysis shows.</summary>
    public MarkdownReport LoadTable(LoadStatistics stats)
    {
        Table(["server", "requests", "share"], stats.Servers.Select(s => (IReadOnlyList<string>)[s.Server, s.Count.ToString(CultureInfo.InvariantCulture), Percent(stats.Share(s))]));
        return Paragraph($"Total {stats.Total}, mean {Number(stats.Mean)}, min {stats.Min}, max {stats.Max}, peak-to-mean {Number(stats.PeakToMean, "0.000")}, standard deviation {Number(stats.StandardDeviation)}.");
    }

    public override string ToString() => _text.ToString();

    public static string Number(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);
}
