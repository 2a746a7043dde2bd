using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Support;

/// <summary>What runs on this (Linux) machine, read from /proc.</summary>
internal static class ProcessTable
{
    /// <summary>Whether the process runs: it exists and is not a zombie.</summary>
    public static bool IsRunning(int processId) => StartTime(processId) is not null;

    /// <summary>The process's start time in clock ticks since boot, or null when it does not run; tells a process from a later one with the same id.</summary>
    public static string? StartTime(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] is "Z" or "X" ? null : fields[19];
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Whether the process with this id still is the one that started at <paramref name="startTime"/>.</summary>
    public static bool IsRunning(int processId, string startTime) => StartTime(processId) == startTime;

    /// <summary>Ids of the processes whose environment holds <paramref name="variable"/>=<paramref name="value"/>, zombies excluded.</summary>
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

    /// <summary>SIGKILL, by process id; no error when it is gone.</summary>
    public static void Kill(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            process.Kill();
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone already.
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="limit"/> passes; returns its last value.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > limit)
            {
                return condition();
            }

            await Task.Delay(100);
        }

        return true;
    }
}
