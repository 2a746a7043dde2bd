using System.Xml.Linq;
using Ringway.TestSupport;

namespace Ringway.Packaging.Tests.Infrastructure;

/// <summary>The repository these tests were built from, and the package projects under its src/ folder.</summary>
public static class Repository
{
    public static string Root { get; } = RepositoryRoot.Get();

    /// <summary>Every project under src/: exactly the packages Ringway publishes.</summary>
    public static IReadOnlyList<PackageProject> PackageProjects { get; } = Directory
        .GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
        .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .Select(PackageProject.Read)
        .ToList();
}

/// <summary>
/// What a package project declares, read from its project file: what its package must then contain
/// (its assembly, and a dependency for each package, project and framework reference).
/// </summary>
public sealed record PackageProject(
    string ProjectPath,
    string PackageId,
    string AssemblyName,
    IReadOnlyList<string> PackageReferences,
    IReadOnlyList<string> ProjectReferences,
    IReadOnlyList<string> FrameworkReferences)
{
    public static PackageProject Read(string path)
    {
        var project = XDocument.Load(path);
        string Property(string name) => project.Descendants(name).Select(e => e.Value.Trim()).FirstOrDefault()
            ?? throw new InvalidDataException($"{path} does not set <{name}>.");
        IReadOnlyList<string> Includes(string item) => project.Descendants(item)
            .Where(e => !string.Equals((string?)e.Attribute("PrivateAssets"), "all", StringComparison.OrdinalIgnoreCase))
            .Select(e => (string?)e.Attribute("Include"))
            .OfType<string>()
            .ToList();

        var directory = Path.GetDirectoryName(path)!;
        var projectReferences = Includes("ProjectReference")
            .Select(r => Read(Path.GetFullPath(Path.Combine(directory, r.Replace('\\', Path.DirectorySeparatorChar)))).PackageId)
            .ToList();
        return new PackageProject(path, Property("PackageId"), Property("AssemblyName"), Includes("PackageReference"), projectReferences, Includes("FrameworkReference"));
    }

    public override string ToString() => PackageId;
}
