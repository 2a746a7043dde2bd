using ScottPlot;

namespace Ringway.Samples.Analysis.Reporting;

/// <summary>PNG charts of the analyses (ScottPlot renders offline, no display needed).</summary>
internal static class Charts
{
    private const int Width = 900;
    private const int Height = 520;

    public static void Bars(string path, string title, string yLabel, IReadOnlyList<string> labels, IReadOnlyList<double> values)
    {
        var plot = new Plot();
        var bars = plot.Add.Bars(values.ToArray());
        for (var i = 0; i < bars.Bars.Count; i++) bars.Bars[i].Label = values[i].ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
        bars.ValueLabelStyle.FontSize = 14;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray(), labels.ToArray());
        plot.Axes.Margins(bottom: 0);
        Finish(plot, path, title, "", yLabel);
    }

    /// <summary>Groups of bars: one group per label, one coloured bar per series.</summary>
    public static void GroupedBars(string path, string title, string yLabel, IReadOnlyList<string> labels, IReadOnlyList<(string Name, double[] Values)> series, string xLabel = "", bool legendLeft = false)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / Math.Max(1, series.Count);
        for (var s = 0; s < series.Count; s++)
        {
            var bars = series[s].Values.Select((v, i) => new Bar
            {
                Position = i + (s - (series.Count - 1) / 2.0) * width,
                Value = v,
                Size = width * 0.95,
                FillColor = palette.GetColor(s),
            }).ToList();
            var plotted = plot.Add.Bars(bars);
            plotted.LegendText = series[s].Name;
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray(), labels.ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(legendLeft ? Alignment.UpperLeft : Alignment.UpperRight);
        Finish(plot, path, title, xLabel, yLabel);
    }

    /// <summary>One line per series over shared x values, each x a tick; with <paramref name="timeSeries"/>, many x values: automatic ticks, no markers.</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<double> xs, IReadOnlyList<(string Name, double[] Values)> series, bool timeSeries = false)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var s = 0; s < series.Count; s++)
        {
            var line = plot.Add.Scatter(xs.ToArray(), series[s].Values);
            line.LegendText = series[s].Name;
            line.Color = palette.GetColor(s);
            line.LineWidth = 2;
            line.MarkerSize = timeSeries ? 0 : 7;
        }
        if (!timeSeries) plot.Axes.Bottom.SetTicks(xs.ToArray(), xs.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.ShowLegend(Alignment.UpperRight);
        Finish(plot, path, title, xLabel, yLabel);
    }

    private static void Finish(Plot plot, string path, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        if (xLabel.Length > 0) plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, Width, Height);
    }
}
