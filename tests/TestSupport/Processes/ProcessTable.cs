using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Ringway.TestSupport.Processes;

/// <summary>What runs on this (Linux) machine, read from /proc; signals sent by process id only.</summary>
public static partial class ProcessTable
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Whether the process runs: it exists and is not a zombie.</summary>
    public static bool IsRunning(int processId) => StartTime(processId) is not null;

    /// <summary>Whether the process with this id still is the one that started at <paramref name="startTime"/>.</summary>
    public static bool IsRunning(int processId, string startTime) => StartTime(processId) == startTime;

    /// <summary>The process's start time in clock ticks since boot, or null when it does not run; tells a process from a later one with the same id.</summary>
    public static string? StartTime(int processId) => StatFields(processId) is { } fields && fields[0] is not ("Z" or "X") ? fields[19] : null;

    /// <summary>The fields of /proc/&lt;id&gt;/stat after "pid (comm) ", from the state on, or null when the process is gone.</summary>
    private static string[]? StatFields(int processId)
    {
        try
        {
            // comm may hold spaces and parentheses: the fields start after the last ')'.
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Ids of running processes whose environment holds <paramref name="variable"/>=<paramref name="value"/>.</summary>
    public static IReadOnlyList<int> WithEnvironment(string variable, string value)
    {
        var wanted = Encoding.UTF8.GetBytes($"{variable}={value}\0");
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var processId) || processId == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var environment = File.ReadAllBytes(Path.Combine(directory, "environ"));
                if (environment.AsSpan().IndexOf(wanted) >= 0 && IsRunning(processId))
                {
                    found.Add(processId);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return found;
    }

    /// <summary>The direct children of a process: every process whose parent, in its own /proc/&lt;id&gt;/stat, is this one.</summary>
    /// <remarks>
    /// Not /proc/&lt;id&gt;/task/*/children: that lists each child under the thread that forked it, and when that thread ends
    /// (a retiring thread-pool thread) the child moves to another thread, so one pass over the threads can miss it.
    /// </remarks>
    public static IEnumerable<int> Children(int processId)
    {
        var parent = processId.ToString(CultureInfo.InvariantCulture);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var child)
                && StatFields(child) is { } fields && fields[1] == parent) // the state, then the parent's id
            {
                yield return child;
            }
        }
    }

    /// <summary>The value of one environment variable of a process, or null.</summary>
    public static string? EnvironmentOf(int processId, string variable)
    {
        try
        {
            var prefix = variable + "=";
            return File.ReadAllText($"/proc/{processId}/environ").Split('\0').FirstOrDefault(e => e.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The process's command line (its arguments), or null when it is gone.</summary>
    public static string[]? CommandLineOf(int processId)
    {
        try
        {
            return File.ReadAllText($"/proc/{processId}/cmdline").Split('\0');
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Sends a signal to one process by id; false when it is gone.</summary>
    public static bool Signal(int processId, int signal) => SysKill(processId, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
