using Ringway.Samples.Analysis.Cluster;
using Ringway.TestSupport.Http;

namespace Ringway.Samples.Analysis.Tests;

public class AnalysisCommandTests
{
    [Fact]
    public void Parse_NoArguments_RunsAllWithSpecDefaults()
    {
        var options = AnalysisCommand.Parse(["--offline"]);

        Assert.Equal(["a1", "a2", "a3", "a4", "a5"], options.Analyses);
        Assert.Equal(new Uri("http://127.0.0.1:5000"), options.Url);
        Assert.Equal(10_000, options.Requests);
        Assert.Equal(100, options.Concurrency);
        Assert.Equal(2, options.MinReplicas);
        Assert.Equal(6, options.MaxReplicas);
        Assert.False(options.Live);
    }

    [Fact]
    public void Parse_Options_AreRead()
    {
        var options = AnalysisCommand.Parse(["a1", "a3", "--url", "http://127.0.0.1:6000", "--requests", "50", "--concurrency", "4", "--kill-mode", "docker", "--json"]);

        Assert.Equal(["a1", "a3"], options.Analyses);
        Assert.Equal(50, options.Requests);
        Assert.Equal(4, options.Concurrency);
        Assert.Equal(KillMode.Docker, options.KillMode);
        Assert.True(options.Json);
    }

    [Theory]
    [InlineData("--requests", "0")]
    [InlineData("--requests", "-5")]
    [InlineData("--concurrency", "many")]
    [InlineData("--url", "ftp://x")]
    [InlineData("--kill-mode", "nuke")]
    [InlineData("--bogus", "1")]
    public void Parse_BadArgument_ThrowsWithTheArgumentNamed(string name, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => AnalysisCommand.Parse(["a1", name, value]));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MaxBeyondTheClassicRing_ThrowsNamingMaxAndTheLimit()
    {
        // A-4 adds one server to --max; the classic ring holds 56, so 55 is the largest --max it can run.
        Assert.Equal(55, AnalysisCommand.Parse(["a4", "--offline", "--max", "55"]).MaxReplicas);

        var e = Assert.Throws<ArgumentException>(() => AnalysisCommand.Parse(["a4", "--offline", "--max", "56"]));
        Assert.Contains("--max", e.Message, StringComparison.Ordinal);
        Assert.Contains("at most 56 servers", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", e.Message, StringComparison.Ordinal);
        Assert.Equal(56, AnalysisCommand.Parse(["a1", "--max", "56"]).MaxReplicas); // only A-4 hashes onto that many
    }

    [Fact]
    public async Task RunAsync_NoBalancerListening_ExitsWithUnreachableAndSaysSo()
    {
        var port = LoopbackPort.Free(); // nothing listens there
        var error = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(error) });
        var outDir = Directory.CreateTempSubdirectory("ringway-analysis-").FullName;
        try
        {
            var code = await AnalysisCommand.RunAsync(["a1", "--url", $"http://127.0.0.1:{port}", "--out", outDir], console, CancellationToken.None);

            Assert.Equal(AnalysisCommand.Unreachable, code);
            Assert.Contains("No load balancer answers", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public void SplitCommand_QuotedWord_StaysOneWord()
        => Assert.Equal(["dotnet", "/a b/c.dll", "--urls", "x"], BalancerProcess.SplitCommand("dotnet \"/a b/c.dll\" --urls x"));
}
