using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Ringway.Packaging.Tests.Infrastructure;

namespace Ringway.Packaging.Tests;

/// <summary>What `dotnet pack` puts in each package, checked against what its project file declares.</summary>
[Collection(PackedFeedCollection.Name)]
public sealed partial class PackageContentTests(PackedFeed feed)
{
    // The PDB custom debug information that holds the SourceLink JSON.
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    public static TheoryData<string> PackageIds => new(Repository.PackageProjects.Select(p => p.PackageId));

    [Fact]
    public void Pack_SrcProjects_OnePackageAndOneSymbolPackageEach()
    {
        var expected = Repository.PackageProjects
            .SelectMany(p => new[] { Path.GetFileName(feed.PackagePath(p)), Path.GetFileName(feed.SymbolPackagePath(p)) })
            .Order(StringComparer.Ordinal);
        var actual = Directory.GetFiles(feed.FeedDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.NotEmpty(Repository.PackageProjects);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Package_Files_AssemblyXmlDocsAndReadme(string packageId)
    {
        var project = Project(packageId);
        using var package = ZipFile.OpenRead(feed.PackagePath(project));
        var lib = $"lib/{PackedFeed.TargetFramework}/";

        var files = package.Entries.Select(e => e.FullName).ToList();
        Assert.Contains(lib + project.AssemblyName + ".dll", files);
        Assert.Contains(lib + project.AssemblyName + ".xml", files);
        Assert.Contains("README.md", files);
        Assert.DoesNotContain(files, f => f.StartsWith("lib/", StringComparison.Ordinal) && !f.StartsWith(lib, StringComparison.Ordinal));

        // The README is the project's own, with a usage snippet.
        var readme = Read(package, "README.md");
        Assert.Equal(File.ReadAllText(Path.Combine(Path.GetDirectoryName(project.ProjectPath)!, "README.md")), readme);
        Assert.Contains($"# {packageId}", readme, StringComparison.Ordinal);
        Assert.Contains("```csharp", readme, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Package_Nuspec_MetadataAndDeclaredDependencies(string packageId)
    {
        var project = Project(packageId);
        using var package = ZipFile.OpenRead(feed.PackagePath(project));
        var nuspec = XDocument.Parse(Read(package, packageId + ".nuspec"));
        var ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        string Value(string name) => metadata.Element(ns + name)?.Value ?? "";

        Assert.Equal(packageId, Value("id"));
        Assert.Equal(feed.Version, Value("version"));
        Assert.NotEmpty(Value("description"));
        Assert.NotEmpty(Value("authors"));
        Assert.NotEmpty(Value("tags"));
        Assert.Equal("README.md", Value("readme"));
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("expression", (string?)metadata.Element(ns + "license")!.Attribute("type"));
        var repository = metadata.Element(ns + "repository")!;
        Assert.Matches(@"^https://github\.com/[^/]+/[^/]+$", (string?)repository.Attribute("url"));
        Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit"));
        Assert.Equal((string?)repository.Attribute("url"), Value("projectUrl"));

        // One dependency group, for the target framework, naming every package and project reference: nothing more.
        var group = Assert.Single(metadata.Element(ns + "dependencies")!.Elements(ns + "group"));
        Assert.Equal(PackedFeed.TargetFramework, (string?)group.Attribute("targetFramework"));
        var dependencies = group.Elements(ns + "dependency").ToDictionary(d => (string)d.Attribute("id")!, d => (string)d.Attribute("version")!);
        Assert.Equal(
            project.PackageReferences.Concat(project.ProjectReferences).Order(StringComparer.Ordinal),
            dependencies.Keys.Order(StringComparer.Ordinal));
        Assert.All(project.ProjectReferences, id => Assert.Equal(feed.Version, dependencies[id]));

        var frameworkReferences = metadata.Element(ns + "frameworkReferences")?.Descendants(ns + "frameworkReference")
            .Select(f => (string)f.Attribute("name")!).Order(StringComparer.Ordinal).ToList() ?? [];
        Assert.Equal(project.FrameworkReferences.Order(StringComparer.Ordinal), frameworkReferences);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void SymbolPackage_Pdb_SourceLinkToRepositoryCommit(string packageId)
    {
        var project = Project(packageId);
        string commit;
        using (var package = ZipFile.OpenRead(feed.PackagePath(project)))
        {
            var nuspec = XDocument.Parse(Read(package, packageId + ".nuspec"));
            var repository = nuspec.Descendants().Single(e => e.Name.LocalName == "repository");
            commit = (string)repository.Attribute("commit")!;
        }

        using var symbols = ZipFile.OpenRead(feed.SymbolPackagePath(project));
        var entry = symbols.GetEntry($"lib/{PackedFeed.TargetFramework}/{project.AssemblyName}.pdb");
        Assert.NotNull(entry);
        using var pdb = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(pdb);
        }

        pdb.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
        var reader = provider.GetMetadataReader();
        var sourceLink = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Where(info => reader.GetGuid(info.Kind) == SourceLinkKind)
            .Select(info => Encoding.UTF8.GetString(reader.GetBlobBytes(info.Value)))
            .SingleOrDefault();

        Assert.NotNull(sourceLink);
        Assert.Matches(RawGitHubUrl(), sourceLink);
        Assert.Contains($"/{commit}/", sourceLink, StringComparison.Ordinal);

        // CI builds are deterministic (ContinuousIntegrationBuild): no path of the build machine in the PDB.
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.All(reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name)), path => Assert.StartsWith("/_/", path, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ProcessesPackage_Assembly_EmbedsTheWatchdogScriptAsInTheRepository()
    {
        var project = Project("Ringway.Replicas.Processes");
        using var package = ZipFile.OpenRead(feed.PackagePath(project));
        using var assembly = new MemoryStream();
        using (var stream = package.GetEntry($"lib/{PackedFeed.TargetFramework}/{project.AssemblyName}.dll")!.Open())
        {
            stream.CopyTo(assembly);
        }

        assembly.Position = 0;
        using var pe = new PEReader(assembly);
        var reader = pe.GetMetadataReader();
        var script = Assert.Single(
            reader.ManifestResources.Select(reader.GetManifestResource),
            r => reader.GetString(r.Name) == "Ringway.Replicas.Processes.parent-watchdog.sh");
        Assert.True(script.Implementation.IsNil); // in this assembly, not linked from another file

        // Embedded resources sit in the PE's resources directory: a 4-byte length, then the bytes.
        var resources = pe.GetSectionData(pe.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress).GetReader();
        resources.Offset = (int)script.Offset;
        var bytes = resources.ReadBytes(resources.ReadInt32());
        var expected = File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(project.ProjectPath)!, "Watchdog", "parent-watchdog.sh"));
        Assert.Equal(expected, bytes);
    }

    private static PackageProject Project(string packageId) => Repository.PackageProjects.Single(p => p.PackageId == packageId);

    private static string Read(ZipArchive package, string name)
    {
        var entry = package.GetEntry(name) ?? throw new FileNotFoundException($"{name} is not in the package.");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/\*")]
    private static partial Regex RawGitHubUrl();
}
