using System.Reflection;
using System.Runtime.Versioning;

namespace Ringway.Packaging.Tests.Infrastructure;

/// <summary>
/// Packs every project under src/ once, with <c>dotnet pack</c> as a release would, into a temporary folder feed
/// under a version no other run uses (so no stale package from the NuGet cache can stand in for it).
/// Builds into a folder of its own, so the projects' bin/ and obj/ (and builds running at the same time) are untouched.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);

    public PackedFeed()
    {
        Version = $"0.0.0-consumer.{TimeProvider.System.GetUtcNow():yyyyMMddHHmmss}.r{Random.Shared.Next():x8}";
        WorkDirectory = Path.Combine(Path.GetTempPath(), $"ringway-packaging-{Guid.NewGuid():N}");
        FeedDirectory = Path.Combine(WorkDirectory, "feed");
    }

    /// <summary>The version every package of this run has.</summary>
    public string Version { get; }

    /// <summary>A temporary folder removed at the end; the feed and the consumer app live in it.</summary>
    public string WorkDirectory { get; }

    public string FeedDirectory { get; }

    /// <summary>The packs' bin/ and obj/ folders, removed at the end.</summary>
    public string BuildDirectory { get; } = Path.Combine(Repository.Root, "artifacts", "packaging-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The target framework folder the packages' assemblies belong in: the one these tests target too (net10.0).</summary>
    public static string TargetFramework { get; } = ShortName(new FrameworkName(typeof(PackedFeed).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName));

    public IReadOnlyList<ProcessResult> PackResults { get; private set; } = [];

    public string PackagePath(PackageProject project) => Path.Combine(FeedDirectory, $"{project.PackageId}.{Version}.nupkg");

    public string SymbolPackagePath(PackageProject project) => Path.Combine(FeedDirectory, $"{project.PackageId}.{Version}.snupkg");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(FeedDirectory);
        // Build output inside the repository (artifacts/ is ignored by git), as in a real pack, so that ContinuousIntegrationBuild
        // maps every path, generated files included, to /_/; a folder of its own, so nothing is shared with other builds.
        var artifacts = BuildDirectory;
        var results = new List<ProcessResult>();
        foreach (var project in Repository.PackageProjects)
        {
            var result = await ChildProcess.RunAsync(
                ChildProcess.Dotnet,
                ["pack", project.ProjectPath, "-c", "Release", "-o", FeedDirectory, "--artifacts-path", artifacts,
                 $"-p:Version={Version}", "-p:UseSharedCompilation=false", "-nodeReuse:false"],
                Repository.Root,
                PackTimeout);
            results.Add(result);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"Packing {project.PackageId} failed: {result}");
            }
        }

        PackResults = results;
    }

    public Task DisposeAsync()
    {
        TryDelete(WorkDirectory);
        TryDelete(BuildDirectory);
        TryDeleteIfEmpty(Path.GetDirectoryName(BuildDirectory)!);

        // The consumer's restore extracted this run's packages into the NuGet cache; nothing else will ever use them.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var project in Repository.PackageProjects)
        {
            var versions = Path.Combine(cache, project.PackageId.ToLowerInvariant());
            TryDelete(Path.Combine(versions, Version));
            TryDeleteIfEmpty(versions);
        }

        return Task.CompletedTask;
    }

    // Not recursive: another run may be using the folder at the same time, and then it is not empty.
    private static void TryDeleteIfEmpty(string directory)
    {
        try
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory, recursive: false);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary folder must not fail the run.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string ShortName(FrameworkName framework) =>
        framework.Identifier == ".NETCoreApp"
            ? $"net{framework.Version.Major}.{framework.Version.Minor}"
            : throw new NotSupportedException(framework.FullName);
}

/// <summary>The packaging tests share one packed feed and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "Packed feed";
}
