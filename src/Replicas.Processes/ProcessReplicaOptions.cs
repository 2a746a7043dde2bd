namespace Ringway.Replicas.Processes;

/// <summary>
/// How the local process provider (<c>AddProcessReplicas()</c>) starts each replica as a child process of the balancer.
/// </summary>
/// <remarks>
/// <para>
/// Each replica gets a free loopback port, chosen by binding a socket to <see cref="Host"/> port 0. The port and the
/// replica's hostname reach the process through <see cref="PortEnvironmentVariable"/>, <see cref="IdEnvironmentVariable"/>,
/// and the placeholders <c>{port}</c>, <c>{host}</c> and <c>{id}</c>, which are replaced in <see cref="Arguments"/> and in the
/// values of <see cref="Environment"/>.
/// </para>
/// <para>
/// No child outlives the balancer. A graceful stop (Ctrl-C, SIGTERM, host disposal) stops every child. If the balancer is
/// killed (SIGKILL, crash), two mechanisms end its children: every child gets <see cref="ParentProcessIdVariable"/> with the
/// balancer's process id, and a cooperating child (the sample server does) exits when that process is gone; and, on Linux,
/// with <see cref="UseWatchdog"/>, each command is started through a small <c>/bin/sh</c> watchdog that works for any command:
/// it <c>exec</c>s the command (so the process id is the command's own) and leaves behind one background shell that checks
/// every second whether the command was re-parented, which happens only when the balancer died, and then sends it SIGTERM,
/// and SIGKILL after <see cref="StopGracePeriod"/>. The watchdog ends by itself when the command exits.
/// </para>
/// </remarks>
public sealed class ProcessReplicaOptions
{
    /// <summary>The environment variable that carries the balancer's process id to every child: <c>RINGWAY_PARENT_PID</c>.</summary>
    public const string ParentProcessIdVariable = "RINGWAY_PARENT_PID";

    /// <summary>
    /// The program to run for each replica, for example <c>dotnet</c> or a path to an executable. Default: none; it must be set.
    /// </summary>
    public string? FileName { get; set; }

    /// <summary>
    /// The program's arguments, one item per argument (no shell quoting). <c>{port}</c>, <c>{host}</c> and <c>{id}</c> are
    /// replaced by the replica's port, <see cref="Host"/> and hostname, for example <c>--urls http://{host}:{port}</c>.
    /// Default: empty.
    /// </summary>
    public IList<string> Arguments { get; } = new List<string>();

    /// <summary>The working directory of each replica process. Default: <see langword="null"/>, the balancer's current directory.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>
    /// Extra environment variables for each replica, on top of the balancer's own environment. Values may use the
    /// <c>{port}</c>, <c>{host}</c> and <c>{id}</c> placeholders; a <see langword="null"/> value removes the variable.
    /// Applied last, so they can override <see cref="PortEnvironmentVariable"/> and <see cref="IdEnvironmentVariable"/>.
    /// Default: empty.
    /// </summary>
    public IDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    /// <summary>The environment variable that receives the replica's port. Default: <c>PORT</c>; <see langword="null"/> or empty to not set it.</summary>
    public string? PortEnvironmentVariable { get; set; } = "PORT";

    /// <summary>The environment variable that receives the replica's hostname. Default: <c>SERVER_ID</c>; <see langword="null"/> or empty to not set it.</summary>
    public string? IdEnvironmentVariable { get; set; } = "SERVER_ID";

    /// <summary>
    /// The IP address the balancer forwards to and chooses free ports on. Pass it to the command with <c>{host}</c>
    /// (for example <c>--urls http://{host}:{port}</c>) so that replicas listen on it only. Default: <c>127.0.0.1</c>.
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// How long a new process has to accept TCP connections on its port. A process that exits first, or does not listen in
    /// time, is a failed start (heartbeats are the controller's business, this only proves the process runs and listens).
    /// Default: 30 seconds.
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many times a replica is started on a fresh port when its process exits before listening (another program took
    /// the port in between). Exit codes 126 and 127 (command not executable, not found) are not retried. Default: 3.
    /// </summary>
    public int MaxStartAttempts { get; set; } = 3;

    /// <summary>
    /// How long a stopping replica has between SIGTERM and SIGKILL (on Windows there is no SIGTERM: it is killed at once).
    /// Default: 5 seconds.
    /// </summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// On Linux, start each command through the <c>/bin/sh</c> watchdog described in the remarks, so that even a command that
    /// ignores <see cref="ParentProcessIdVariable"/> ends when the balancer is killed. Ignored on other systems. Default: <see langword="true"/>.
    /// </summary>
    public bool UseWatchdog { get; set; } = true;
}
