using System.Reflection;

namespace Ringway.Replicas.Processes.Tests.Support;

/// <summary>The programs the tests run as child processes, built by this project's ProjectReferences.</summary>
internal static class BuildOutputs
{
    public static string ServerDll => Output("samples/Server", "Ringway.Samples.Server.dll");

    public static string FixtureDll => Output("tests/ProcessParentFixture", "Ringway.ProcessParentFixture.dll");

    private static string Output(string project, string fileName)
    {
        var metadata = typeof(BuildOutputs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var path = Path.Combine(TestSupport.RepositoryRoot.Get(), project, "bin", metadata["Configuration"]!, metadata["TargetFramework"]!, fileName);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build output {path} is missing; build {project} first.", path);
    }
}
