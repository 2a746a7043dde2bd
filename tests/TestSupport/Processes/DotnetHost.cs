namespace Ringway.TestSupport.Processes;

/// <summary>
/// The dotnet host to run built programs with: the one running the tests, so children use the same runtime. Also
/// compiled into Packaging.Tests and Samples.Server.Tests as a linked file.
/// </summary>
public static class DotnetHost
{
    public static string Executable
    {
        get
        {
            var self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                return self;
            }

            return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        }
    }
}
