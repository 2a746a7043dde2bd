using System.Diagnostics;
using System.Globalization;

namespace Ringway.Replicas.Docker.Tests;

/// <summary>
/// The local dockerd that .ci/docker-setup.sh started (it leaves its arguments in /run/ringway-dockerd.args): the
/// engine-fault tests stop it the way a service manager would (SIGTERM) and start it again, with the same arguments
/// plus any extra ones (<c>--live-restore</c>). No other engine is ever stopped.
/// </summary>
public static class LocalEngine
{
    public const string ArgsFile = "/run/ringway-dockerd.args";
    private const string PidFile = "/var/run/docker.pid";
    private const string LogFile = "/var/log/ringway-dockerd.log";

    /// <summary>Why the engine may not be restarted here, or null when it may.</summary>
    public static string? NotRestartable =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } other && other != "unix:///var/run/docker.sock"
            ? $"DOCKER_HOST={other}: the tests use another engine than the local dockerd, which is the only one they may restart."
            : File.Exists(ArgsFile) && File.Exists(PidFile)
                ? null
                : $"Restarts the engine only when .ci/docker-setup.sh started it ({ArgsFile} is missing): this engine is not ours to restart.";

    /// <summary>Whether the engine answers (the API, not just the process).</summary>
    public static bool Answers => Cli.TryRun(TimeSpan.FromSeconds(5), "info", "--format", "{{.ID}}").ExitCode == 0;

    /// <summary>The engine's live-restore setting, as it reports it.</summary>
    public static bool LiveRestore => Cli.Run("info", "--format", "{{.LiveRestoreEnabled}}") == "true";

    /// <summary>Whether the engine is part of a swarm (live-restore cannot be used then).</summary>
    public static bool InSwarm => Cli.TryRun(TimeSpan.FromSeconds(15), "info", "--format", "{{.Swarm.LocalNodeState}}").Output.Trim() is "active" or "pending" or "locked";

    /// <summary>SIGTERM to dockerd (by the id in its pid file), then waits until it has exited.</summary>
    public static void Stop()
    {
        var pid = int.Parse(File.ReadAllText(PidFile).Trim(), CultureInfo.InvariantCulture);
        using var dockerd = Process.GetProcessById(pid);
        if (dockerd.ProcessName != "dockerd")
        {
            throw new InvalidOperationException($"{PidFile} names process {pid} ({dockerd.ProcessName}), not dockerd");
        }
        using (var kill = Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)])!)
        {
            kill.WaitForExit();
        }
        if (!dockerd.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            throw new InvalidOperationException("dockerd did not stop within 60 s");
        }
    }

    /// <summary>Starts dockerd with the arguments docker-setup.sh used plus <paramref name="extraArgs"/>, and waits until it answers.</summary>
    public static void Start(params string[] extraArgs)
    {
        var args = string.Join(' ', [File.ReadAllText(ArgsFile).Trim(), .. extraArgs]);
        // setsid: the engine belongs to the machine, not to the test process.
        using (var start = Process.Start("bash", ["-c", $"setsid dockerd {args} >>{LogFile} 2>&1 < /dev/null &"])!)
        {
            start.WaitForExit();
        }
        if (!SpinWait.SpinUntil(() => Answers, TimeSpan.FromSeconds(60)))
        {
            throw new InvalidOperationException($"dockerd {args} did not answer within 60 s (see {LogFile})");
        }
    }

    /// <summary>Stop, then start with the original arguments plus <paramref name="extraArgs"/>.</summary>
    public static void Restart(params string[] extraArgs)
    {
        Stop();
        Start(extraArgs);
    }

    /// <summary>Whether a dockerd process named in the pid file is running.</summary>
    public static bool ProcessRunning
    {
        get
        {
            try
            {
                var pid = int.Parse(File.ReadAllText(PidFile).Trim(), CultureInfo.InvariantCulture);
                using var process = Process.GetProcessById(pid);
                return process.ProcessName == "dockerd" && !process.HasExited;
            }
            catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException)
            {
                return false;
            }
        }
    }
}
