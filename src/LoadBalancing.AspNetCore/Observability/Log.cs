using Microsoft.Extensions.Logging;

namespace Ringway.LoadBalancing.AspNetCore.Observability;

/// <summary>Every log message of the package, with stable event ids (1xx forwarding, 2xx membership, 3xx admin).</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Warning, "No replica is available; answered {StatusCode} to {Method} {Path}")]
    public static partial void NoReplica(ILogger logger, int statusCode, string method, string? path);

    /// <summary><paramref name="errorType"/>: <see cref="Forwarding.ForwardOutcomeNames.ErrorType"/>, e.g. connection_error or invalid_response.</summary>
    [LoggerMessage(101, LogLevel.Warning, "Forwarding to replica {Replica} failed ({ErrorType}); trying {Next} (attempt {Attempt})")]
    public static partial void FailingOver(ILogger logger, string replica, string errorType, string next, int attempt, Exception? exception);

    [LoggerMessage(102, LogLevel.Warning, "Forwarding {Method} {Path} to replica {Replica} failed ({ErrorType})")]
    public static partial void ForwardFailed(ILogger logger, string method, string? path, string replica, string errorType, Exception? exception);

    [LoggerMessage(120, LogLevel.Information, "Refused {Method} {Path} ({Protocol}) with {StatusCode} before forwarding: {Problem}")]
    public static partial void FramingRefused(ILogger logger, string method, string? path, string protocol, int statusCode, string problem);

    [LoggerMessage(200, LogLevel.Information, "Replica {Replica} joined the ring at {Address} ({Count} in the ring)")]
    public static partial void Joined(ILogger logger, string replica, Uri address, int count);

    [LoggerMessage(201, LogLevel.Information, "Replica {Replica} left the ring: {Reason} ({Count} in the ring)")]
    public static partial void Left(ILogger logger, string replica, string reason, int count);

    [LoggerMessage(202, LogLevel.Warning, "Replica {Replica} failed {Failures} heartbeat(s) in a row")]
    public static partial void HeartbeatFailed(ILogger logger, string replica, int failures);

    [LoggerMessage(203, LogLevel.Warning, "Replica {Replica} exited; replacing it")]
    public static partial void Exited(ILogger logger, string replica);

    [LoggerMessage(204, LogLevel.Information, "Started replica(s) {Replicas}")]
    public static partial void Started(ILogger logger, string replicas);

    [LoggerMessage(205, LogLevel.Information, "Stopped replica {Replica}")]
    public static partial void Stopped(ILogger logger, string replica);

    [LoggerMessage(206, LogLevel.Error, "Starting replica(s) {Replicas} failed; retrying")]
    public static partial void StartFailed(ILogger logger, string replicas, Exception exception);

    [LoggerMessage(207, LogLevel.Warning, "Stopping replica {Replica} failed")]
    public static partial void StopFailed(ILogger logger, string replica, Exception exception);

    [LoggerMessage(208, LogLevel.Information, "Replica {Replica} drained with {InFlight} request(s) still in flight after {Elapsed}")]
    public static partial void Drained(ILogger logger, string replica, int inFlight, TimeSpan elapsed);

    [LoggerMessage(209, LogLevel.Information, "Adopted {Count} running replica(s) from the provider")]
    public static partial void Adopted(ILogger logger, int count);

    [LoggerMessage(213, LogLevel.Information, "Balancer {Name} {What}")]
    public static partial void Leadership(ILogger logger, string name, string what);

    [LoggerMessage(210, LogLevel.Warning, "Watching replica exits failed; heartbeats still catch failures")]
    public static partial void WatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(211, LogLevel.Error, "The replica supervisor failed to handle a command")]
    public static partial void CommandFailed(ILogger logger, Exception exception);

    [LoggerMessage(212, LogLevel.Information, "Autoscaling from {From} to {To} replica(s): {InFlight:F1} requests in flight on average")]
    public static partial void Autoscaling(ILogger logger, int from, int to, double inFlight);

    [LoggerMessage(300, LogLevel.Information, "Admin: added {Replicas}")]
    public static partial void AdminAdded(ILogger logger, string replicas);

    [LoggerMessage(301, LogLevel.Information, "Admin: removed {Replicas}")]
    public static partial void AdminRemoved(ILogger logger, string replicas);

    [LoggerMessage(302, LogLevel.Warning, "Admin: the provider could not start replicas: {Message}")]
    public static partial void AdminProviderFailed(ILogger logger, string message, Exception exception);
}
