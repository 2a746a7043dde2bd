using System.Text.Json.Nodes;
using Ringway.Samples.Analysis.Cluster;

namespace Ringway.Samples.Analysis.Tests;

public class LoadRunnerTests
{
    [Fact]
    public async Task RunAsync_RotatingServers_CountsEveryAnswer()
    {
        await using var fake = await FakeBalancer.StartAsync(["A", "B", "C"]);
        using var client = new BalancerClient(fake.Url, 16);

        var result = await LoadRunner.RunAsync(client, 300, 16);

        Assert.Equal(0, result.Failed);
        Assert.Equal(300, result.Succeeded);
        Assert.Equal(new Dictionary<string, long> { ["A"] = 100, ["B"] = 100, ["C"] = 100 }, result.Counts);
    }

    [Fact]
    public async Task RunA1_AgainstBalancer_WritesChartReportAndJsonThatAddUp()
    {
        await using var fake = await FakeBalancer.StartAsync(["Server 1", "Server 2", "Server 3", "Server 4"]);
        var outDir = Directory.CreateTempSubdirectory("ringway-analysis-").FullName;
        try
        {
            var code = await AnalysisCommand.RunAsync(
                ["a1", "--url", fake.Url.ToString(), "--requests", "400", "--concurrency", "8", "--out", outDir],
                Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(TextWriter.Null) }),
                CancellationToken.None);

            Assert.Equal(AnalysisCommand.Ok, code);
            var png = await File.ReadAllBytesAsync(Path.Combine(outDir, "a1-requests-per-server.png"));
            Assert.True(png.Length > 1000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G');
            var report = await File.ReadAllTextAsync(Path.Combine(outDir, "report.md"));
            Assert.Contains("| Server 1 | 100 | 25.0 % |", report, StringComparison.Ordinal);
            var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "results.json")))!;
            var counts = json["a1"]!["servers"]!.AsArray().Select(s => s!["count"]!.GetValue<long>()).ToList();
            Assert.Equal(400, counts.Sum());
            Assert.Equal(400, json["a1"]!["requests"]!.GetValue<int>());
            Assert.Equal(1.0, json["a1"]!["peakToMean"]!.GetValue<double>(), 9);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }
}
