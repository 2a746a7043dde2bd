using Ringway.Packaging.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ringway.Packaging.Tests;

/// <summary>
/// The packages as users get them: a new app outside the repository references them by version from the packed feed
/// (nothing from the repository's build), is built, and run: it starts two servers and a balancer with
/// AddConsistentHashBalancer() and must get a routed answer. A missing dependency, file or framework reference fails here.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class ConsumerAppTests(PackedFeed feed, ITestOutputHelper output)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ConsumerApp_PackagesFromFeedOnly_RoutesRequestThroughBalancer()
    {
        var app = WriteConsumerApp();
        foreach (var pack in feed.PackResults)
        {
            output.WriteLine($"{pack.Command}: {pack.Elapsed.TotalSeconds:F0} s");
        }

        var build = await ChildProcess.RunAsync(
            ChildProcess.Dotnet,
            ["build", "-c", "Release", $"-p:RingwayVersion={feed.Version}", "-p:UseSharedCompilation=false", "-nodeReuse:false"],
            app,
            BuildTimeout);
        output.WriteLine($"{build.Command}: {build.Elapsed.TotalSeconds:F0} s");
        Assert.True(build.ExitCode == 0, build.ToString());

        var run = await ChildProcess.RunAsync(
            ChildProcess.Dotnet,
            [Path.Combine(app, "bin", "Release", PackedFeed.TargetFramework, "Consumer.dll")],
            app,
            RunTimeout);
        output.WriteLine($"{run.Command}: {run.Elapsed.TotalSeconds:F0} s");
        output.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, run.ToString());

        var answer = run.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("ANSWER: ", StringComparison.Ordinal));
        Assert.Matches(@"^ANSWER: \{""message"": ""Hello from Server: consumer-[ab]"", ""status"": ""successful""\}$", answer);
        Assert.Contains("HASH: user-42 -> consumer-", run.Output, StringComparison.Ordinal);
        Assert.Contains("DOCKER: 1 replica provider registered", run.Output, StringComparison.Ordinal);
    }

    private string WriteConsumerApp() => ConsumerApps.Write(feed, "ConsumerApp");
}
