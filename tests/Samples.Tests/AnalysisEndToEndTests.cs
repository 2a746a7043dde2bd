using System.Text.Json.Nodes;
using Ringway.Samples.Analysis;
using Ringway.TestSupport.Samples;

namespace Ringway.Samples.Tests;

/// <summary>The analysis tool against the real local-process system: A-1 end to end.</summary>
public class AnalysisEndToEndTests
{
    [Fact]
    public async Task A1_AgainstLocalProcessSystem_WritesChartAndReportWhoseCountsAddUp()
    {
        await using var host = await SampleHost.StartAsync();
        var replicas = await host.ReplicasAsync();
        var outDir = Directory.CreateTempSubdirectory("ringway-analysis-e2e-").FullName;
        try
        {
            var quiet = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(TextWriter.Null) });

            var code = await AnalysisCommand.RunAsync(
                ["a1", "--url", host.Address.ToString(), "--requests", "300", "--concurrency", "16", "--out", outDir], quiet, CancellationToken.None);

            Assert.Equal(AnalysisCommand.Ok, code);
            var png = await File.ReadAllBytesAsync(Path.Combine(outDir, "a1-requests-per-server.png"));
            Assert.True(png.Length > 1000 && png.AsSpan(1, 3).SequenceEqual("PNG"u8), "a1 chart is a PNG");
            Assert.Contains("## A-1: requests per server at N = 3", await File.ReadAllTextAsync(Path.Combine(outDir, "report.md")), StringComparison.Ordinal);

            var a1 = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "results.json")))!["a1"]!;
            var servers = a1["servers"]!.AsArray();
            Assert.Equal(0, a1["failed"]!.GetValue<long>());
            Assert.Equal(300, servers.Sum(s => s!["count"]!.GetValue<long>()));
            // Every answer came from a replica the balancer lists, and every listed replica is in the table.
            Assert.Equal(replicas.Order(), servers.Select(s => s!["server"]!.GetValue<string>()).Order());
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }
}
