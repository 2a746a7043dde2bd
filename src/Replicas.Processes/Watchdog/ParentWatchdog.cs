using System.Diagnostics;
using System.Globalization;

namespace Ringway.Replicas.Processes;

/// <summary>
/// Wraps a command so that it dies with the balancer even when the balancer is killed with SIGKILL (Linux only).
/// </summary>
/// <remarks>
/// The script is <c>parent-watchdog.sh</c>, embedded in this assembly; its header says how it works. It is the only
/// code of this package that reads <c>/proc</c>. PR_SET_PDEATHSIG is not used: it fires when the forking thread exits,
/// and .NET forks from thread-pool threads.
/// </remarks>
internal static class ParentWatchdog
{
    private const string ResourceName = "Ringway.Replicas.Processes.parent-watchdog.sh";

    private static readonly Lazy<string> Script = new(ReadScript);

    /// <summary>Whether the watchdog can run here.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && File.Exists("/bin/sh");

    /// <summary>Points <paramref name="startInfo"/> at the watchdog, which runs <paramref name="fileName"/> with <paramref name="arguments"/>.</summary>
    public static void Wrap(ProcessStartInfo startInfo, string fileName, IEnumerable<string> arguments, TimeSpan gracePeriod)
    {
        startInfo.FileName = "/bin/sh";
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(Script.Value);
        startInfo.ArgumentList.Add("ringway-replica"); // $0: the name sh uses in its own error messages
        startInfo.ArgumentList.Add(((int)Math.Ceiling(gracePeriod.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        startInfo.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        startInfo.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
    }

    private static string ReadScript()
    {
        using var stream = typeof(ParentWatchdog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from {typeof(ParentWatchdog).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        // A checkout with CRLF line ends would break the shell script: sh reads '\r' as part of each word.
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }
}
