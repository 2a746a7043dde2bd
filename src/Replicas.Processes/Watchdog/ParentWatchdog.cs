using System.Diagnostics;
using System.Globalization;

namespace Ringway.Replicas.Processes;

/// <summary>
/// Wraps a command so that it dies with the balancer even when the balancer is killed with SIGKILL (Linux only).
/// </summary>
/// <remarks>
/// <c>/bin/sh</c> forks a background watchdog and then <c>exec</c>s the command, so the command keeps the shell's process id
/// and the watchdog is the command's child. Once a second the watchdog checks two parent links in <c>/proc/*/stat</c>:
/// its own parent is still the command (otherwise the command exited and the watchdog ends), and the command's parent is
/// still the balancer. The command is re-parented only when the balancer dies, whatever killed it, so this is immune to
/// process id reuse; the watchdog then sends SIGTERM and, after the grace period, SIGKILL.
/// PR_SET_PDEATHSIG is not used: it fires when the forking thread exits, and .NET forks from thread-pool threads.
/// </remarks>
internal static class ParentWatchdog
{
    private const string Script = """
        set -f
        grace=$1 parent=$2
        shift 2
        replica=$$
        ppid_of() { p=; read -r s < "/proc/$1/stat" 2>/dev/null || return 1; s=${s##*) }; set -- $s; p=$2; }
        (
          while sleep 1; do
            ppid_of self && [ "$p" = "$replica" ] || exit 0
            ppid_of "$replica" && [ "$p" != "$parent" ] || continue
            kill -TERM "$replica" 2>/dev/null
            i=0
            while [ "$i" -lt "$grace" ]; do
              sleep 1
              ppid_of self && [ "$p" = "$replica" ] || exit 0
              i=$((i + 1))
            done
            kill -KILL "$replica" 2>/dev/null
            exit 0
          done
        ) </dev/null >/dev/null 2>&1 &
        exec "$@"
        """;

    /// <summary>Whether the watchdog can run here.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && File.Exists("/bin/sh");

    /// <summary>Points <paramref name="startInfo"/> at the watchdog, which runs <paramref name="fileName"/> with <paramref name="arguments"/>.</summary>
    public static void Wrap(ProcessStartInfo startInfo, string fileName, IEnumerable<string> arguments, TimeSpan gracePeriod)
    {
        startInfo.FileName = "/bin/sh";
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(Script);
        startInfo.ArgumentList.Add("ringway-replica"); // $0: the name sh uses in its own error messages
        startInfo.ArgumentList.Add(((int)Math.Ceiling(gracePeriod.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        startInfo.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        startInfo.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
    }
}
