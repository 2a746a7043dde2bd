using System.Diagnostics;
using System.Globalization;

namespace Ringway.Replicas.Processes;

/// <summary>
/// How one replica's process is started: the command (through the parent watchdog or directly), the <c>{port}</c>,
/// <c>{host}</c> and <c>{id}</c> placeholders, and the environment the options describe.
/// </summary>
internal static class ReplicaStartInfo
{
    public static ProcessStartInfo Create(ProcessReplicaOptions options, string host, bool useWatchdog, string hostname, int port)
    {
        var fileName = options.FileName!;
        var arguments = options.Arguments.Select(argument => Expand(argument, host, hostname, port)).ToArray();
        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            // stdin is a pipe nobody writes to, so children never read the balancer's terminal.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = options.WorkingDirectory ?? string.Empty,
        };
        if (useWatchdog)
        {
            ParentWatchdog.Wrap(startInfo, fileName, arguments, options.StopGracePeriod);
        }
        else
        {
            startInfo.FileName = fileName;
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }
        }

        var environment = startInfo.Environment;
        environment[ProcessReplicaOptions.ParentProcessIdVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(options.PortEnvironmentVariable))
        {
            environment[options.PortEnvironmentVariable] = port.ToString(CultureInfo.InvariantCulture);
        }

        if (!string.IsNullOrEmpty(options.IdEnvironmentVariable))
        {
            environment[options.IdEnvironmentVariable] = hostname;
        }

        foreach (var (name, value) in options.Environment)
        {
            if (value is null)
            {
                environment.Remove(name);
            }
            else
            {
                environment[name] = Expand(value, host, hostname, port);
            }
        }

        return startInfo;
    }

    private static string Expand(string value, string host, string hostname, int port) => value
        .Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{host}", host, StringComparison.Ordinal)
        .Replace("{id}", hostname, StringComparison.Ordinal);
}
