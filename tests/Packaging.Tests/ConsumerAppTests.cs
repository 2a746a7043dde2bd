using System.Security;
using Ringway.Packaging.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ringway.Packaging.Tests;

/// <summary>
/// The packages as users get them: a new app outside the repository references them by version from the packed feed
/// (nothing from the repository's build), is built, and run: it starts a replica as a child process of itself with
/// AddProcessReplicas, then two servers and a balancer with AddConsistentHashBalancer(), and must get an answer from
/// each. A missing dependency, file, embedded resource or framework reference fails here.
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
        Assert.Contains("""PROCESSES: {"message": "Hello from Server: consumer-p", "status": "successful"}""", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Copies the consumer app into the run's temporary folder with a nuget.config that takes Ringway.* from the feed only
    /// and everything else from nuget.org, and empty Directory.Build/Packages files so no settings from above apply.
    /// </summary>
    private string WriteConsumerApp()
    {
        var app = Path.Combine(feed.WorkDirectory, "consumer");
        Directory.CreateDirectory(app);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "ConsumerApp")))
        {
            File.Copy(file, Path.Combine(app, Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="ringway-feed" value="{SecurityElement.Escape(feed.FeedDirectory)}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="ringway-feed">
                  <package pattern="Ringway.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(app, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(app, "Directory.Packages.props"), "<Project>\n  <PropertyGroup>\n    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>\n  </PropertyGroup>\n</Project>\n");
        return app;
    }
}
