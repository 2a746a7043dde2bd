using System.Security;

namespace Ringway.Packaging.Tests.Infrastructure;

/// <summary>
/// The consumer apps: folders copied next to the tests (Packaging.Tests.csproj), each written into the run's temporary
/// folder, built against the packed feed and run, as a user's app would be.
/// </summary>
public static class ConsumerApps
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Copies the app in <paramref name="folder"/> into the run's temporary folder with a nuget.config that takes Ringway.*
    /// from the feed only and everything else from nuget.org, and empty Directory.Build/Packages files so no settings from
    /// above apply. Returns the app's folder.
    /// </summary>
    public static string Write(PackedFeed feed, string folder)
    {
        var app = Path.Combine(feed.WorkDirectory, folder.ToLowerInvariant());
        Directory.CreateDirectory(app);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, folder)))
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

    /// <summary>Builds the app (Release, Ringway packages at the feed's version, plus <paramref name="properties"/>) and runs it.</summary>
    public static async Task<ProcessResult> BuildAndRunAsync(PackedFeed feed, string app, string assembly, Action<string> log, params string[] properties)
    {
        var build = await ChildProcess.RunAsync(
            ChildProcess.Dotnet,
            ["build", "-c", "Release", $"-p:RingwayVersion={feed.Version}", .. properties.Select(p => $"-p:{p}"), "-p:UseSharedCompilation=false", "-nodeReuse:false"],
            app,
            BuildTimeout);
        log($"{build.Command}: {build.Elapsed.TotalSeconds:F0} s");
        Assert.True(build.ExitCode == 0, build.ToString());

        var run = await ChildProcess.RunAsync(ChildProcess.Dotnet, [Path.Combine(app, "bin", "Release", PackedFeed.TargetFramework, assembly)], app, RunTimeout);
        log($"{run.Command}: {run.Elapsed.TotalSeconds:F0} s");
        log(run.Output);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }
}
