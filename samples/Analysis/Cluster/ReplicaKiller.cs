using System.Diagnostics;
using System.Text;

namespace Ringway.Samples.Analysis.Cluster;

/// <summary>Kills a replica the way a crash would, so the balancer's recovery can be timed.</summary>
internal enum KillMode
{
    /// <summary>A Docker container labelled with the hostname if there is one, else a local process.</summary>
    Auto,

    /// <summary>The local process whose environment has SERVER_ID=&lt;hostname&gt; (kill -9).</summary>
    Process,

    /// <summary>The container labelled io.ringway.hostname=&lt;hostname&gt; (docker kill).</summary>
    Docker,
}

internal static class ReplicaKiller
{
    /// <summary>Kills the replica and says what was killed.</summary>
    public static async Task<string> KillAsync(string hostname, KillMode mode, CancellationToken cancellationToken = default)
    {
        if (mode is KillMode.Docker or KillMode.Auto)
        {
            var container = await FindContainerAsync(hostname, cancellationToken).ConfigureAwait(false);
            if (container is not null)
            {
                await RunDockerAsync(["kill", container], cancellationToken).ConfigureAwait(false);
                return $"container {container[..Math.Min(12, container.Length)]}";
            }
            if (mode == KillMode.Docker) throw new BalancerException($"No container labelled io.ringway.hostname={hostname} was found.");
        }

        var pid = FindProcess(hostname) ?? throw new BalancerException(
            $"No local process with SERVER_ID={hostname} was found (is the balancer running on this machine with local replicas?).");
        using var process = System.Diagnostics.Process.GetProcessById(pid);
        process.Kill(); // SIGKILL: no chance to say goodbye, like a crash
        return $"process {pid}";
    }

    /// <summary>Finds the local process whose environment holds SERVER_ID=hostname (Linux /proc).</summary>
    internal static int? FindProcess(string hostname)
    {
        if (!Directory.Exists("/proc")) return null;
        var needle = Encoding.UTF8.GetBytes($"SERVER_ID={hostname}\0");
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            byte[] environ;
            try
            {
                environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            // SERVER_ID=... is either the first variable or follows a NUL separator.
            var span = environ.AsSpan();
            var at = span.IndexOf(needle);
            while (at >= 0)
            {
                if (at == 0 || span[at - 1] == 0) return pid;
                var next = span[(at + 1)..].IndexOf(needle);
                at = next < 0 ? -1 : at + 1 + next;
            }
        }
        return null;
    }

    private static async Task<string?> FindContainerAsync(string hostname, CancellationToken cancellationToken)
    {
        try
        {
            var output = await RunDockerAsync(["ps", "-q", "--no-trunc", "--filter", $"label=io.ringway.hostname={hostname}"], cancellationToken).ConfigureAwait(false);
            var id = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            return string.IsNullOrEmpty(id) ? null : id;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or BalancerException)
        {
            return null; // no docker client or no engine: not a Docker system
        }
    }

    private static async Task<string> RunDockerAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start) ?? throw new BalancerException("docker could not be started");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        var error = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0) throw new BalancerException($"docker {string.Join(' ', start.ArgumentList)} failed: {error.Trim()}");
        return output;
    }
}
