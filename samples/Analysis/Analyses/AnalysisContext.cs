using Ringway.Samples.Analysis.Cluster;
using Ringway.Samples.Analysis.Reporting;
using Spectre.Console;

namespace Ringway.Samples.Analysis.Analyses;

/// <summary>What every analysis needs: the options, where to write, the terminal, and the report being built.</summary>
internal sealed class AnalysisContext(AnalysisOptions options, IAnsiConsole ui)
{
    public AnalysisOptions Options { get; } = options;

    public IAnsiConsole Ui { get; } = ui;

    public MarkdownReport Report { get; } = new();

    public string OutPath(string fileName) => Path.Combine(Options.OutDirectory, fileName);

    /// <summary>Runs a load with a progress bar in the terminal.</summary>
    public async Task<LoadResult> RunLoadAsync(BalancerClient client, string label, int requests, CancellationToken cancellationToken)
    {
        LoadResult? result = null;
        await Ui.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(label, maxValue: requests);
                result = await LoadRunner.RunAsync(
                    client, requests, Options.Concurrency, new Progress<int>(done => task.Value = done), cancellationToken).ConfigureAwait(false);
                task.Value = requests;
            }).ConfigureAwait(false);
        return result!;
    }

    /// <summary>Shows a load's per-server table in the terminal.</summary>
    public void ShowLoad(string title, LoadStatistics stats)
    {
        var table = new Table().Title(title).AddColumns("server", "requests", "share");
        foreach (var server in stats.Servers)
        {
            table.AddRow(Markup.Escape(server.Server), server.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), MarkdownReport.Percent(stats.Share(server)));
        }
        table.Caption($"peak-to-mean {MarkdownReport.Number(stats.PeakToMean, "0.000")}");
        Ui.Write(table);
    }
}

/// <summary>Command-line options of the tool.</summary>
internal sealed record AnalysisOptions
{
    public IReadOnlyList<string> Analyses { get; init; } = ["a1", "a2", "a3", "a4", "a5"];
    public Uri Url { get; init; } = new("http://127.0.0.1:5000");
    public int Requests { get; init; } = 10_000;
    public int Concurrency { get; init; } = 100;
    public string OutDirectory { get; init; } = "analysis-out";
    public bool Json { get; init; }
    public int Kills { get; init; } = 3;
    public KillMode KillMode { get; init; } = KillMode.Auto;
    public int MinReplicas { get; init; } = 2;
    public int MaxReplicas { get; init; } = 6;
    public int OfflineKeys { get; init; } = 100_000;
    public int Seed { get; init; } = 2024;
    public bool Live { get; init; } = true;
    public string? BalancerCommand { get; init; }
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
