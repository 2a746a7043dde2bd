using Microsoft.Extensions.Logging;

namespace Ringway.Replicas.Processes;

/// <summary>Log messages of the process replica provider; event ids 3000-3099 belong to it.</summary>
internal static partial class ProcessReplicaLog
{
    [LoggerMessage(EventId = 3000, EventName = "ProcessReplicaStarting", Level = LogLevel.Debug,
        Message = "Starting replica {Hostname} on {Host}:{Port} (attempt {Attempt}): {FileName}")]
    public static partial void Starting(ILogger logger, string hostname, string host, int port, int attempt, string fileName);

    [LoggerMessage(EventId = 3001, EventName = "ProcessReplicaStarted", Level = LogLevel.Information,
        Message = "Replica {Hostname} runs as process {ProcessId} at {Address}")]
    public static partial void Started(ILogger logger, string hostname, int processId, Uri address);

    [LoggerMessage(EventId = 3002, EventName = "ProcessReplicaStartRetry", Level = LogLevel.Warning,
        Message = "Replica {Hostname} exited with code {ExitCode} before listening on port {Port} (attempt {Attempt} of {MaxAttempts}); retrying on another port")]
    public static partial void StartRetry(ILogger logger, string hostname, int exitCode, int port, int attempt, int maxAttempts);

    [LoggerMessage(EventId = 3003, EventName = "ProcessReplicaStartFailed", Level = LogLevel.Error,
        Message = "Replica {Hostname} could not be started: {Reason} Last output: {Output}")]
    public static partial void StartFailed(ILogger logger, string hostname, string reason, string output);

    [LoggerMessage(EventId = 3004, EventName = "ProcessReplicaStopping", Level = LogLevel.Information,
        Message = "Stopping replica {Hostname} (process {ProcessId})")]
    public static partial void Stopping(ILogger logger, string hostname, int processId);

    [LoggerMessage(EventId = 3005, EventName = "ProcessReplicaStopped", Level = LogLevel.Information,
        Message = "Replica {Hostname} (process {ProcessId}) stopped with code {ExitCode}")]
    public static partial void Stopped(ILogger logger, string hostname, int processId, int exitCode);

    [LoggerMessage(EventId = 3006, EventName = "ProcessReplicaKilled", Level = LogLevel.Warning,
        Message = "Replica {Hostname} (process {ProcessId}) did not exit within {GracePeriod} of SIGTERM; killed")]
    public static partial void Killed(ILogger logger, string hostname, int processId, TimeSpan gracePeriod);

    [LoggerMessage(EventId = 3007, EventName = "ProcessReplicaExited", Level = LogLevel.Warning,
        Message = "Replica {Hostname} (process {ProcessId}) exited on its own with code {ExitCode}. Last output: {Output}")]
    public static partial void ExitedUnexpectedly(ILogger logger, string hostname, int processId, int exitCode, string output);

    [LoggerMessage(EventId = 3008, EventName = "ProcessReplicaOutput", Level = LogLevel.Debug,
        Message = "[{Hostname}] {Line}")]
    public static partial void Output(ILogger logger, string hostname, string line);

    [LoggerMessage(EventId = 3009, EventName = "ProcessReplicasStoppingAll", Level = LogLevel.Information,
        Message = "Stopping {Count} replica processes because the balancer stops")]
    public static partial void StoppingAll(ILogger logger, int count);

    [LoggerMessage(EventId = 3010, EventName = "ProcessReplicaStopFailed", Level = LogLevel.Warning,
        Message = "Could not stop replica {Hostname} (process {ProcessId})")]
    public static partial void StopFailed(ILogger logger, Exception exception, string hostname, int processId);
}
