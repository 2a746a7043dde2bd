using System.Globalization;

namespace Ringway.Benchmarks.GrpcLoad;

/// <summary>A process's CPU time so far (user + system, in clock ticks), from <c>/proc/PID/stat</c> as the other bench scripts read it.</summary>
internal static class ProcessCpu
{
    public static long? Ticks(int? pid)
    {
        if (pid is null)
        {
            return null;
        }

        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
