using System.Reflection;

namespace Ringway.TestSupport.Samples;

/// <summary>The sample server (samples/Server), run as a replica process by the tests of the replica providers' users.</summary>
public static class SampleServer
{
    /// <summary>Its built assembly, for <c>dotnet</c> to run; the test project references samples/Server so it is built first.</summary>
    public static string Dll =>
        typeof(SampleServer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ServerDll").Value!;
}
