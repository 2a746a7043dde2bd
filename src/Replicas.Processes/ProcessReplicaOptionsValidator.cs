using System.Net;
using Microsoft.Extensions.Options;

namespace Ringway.Replicas.Processes;

/// <summary>Checks <see cref="ProcessReplicaOptions"/> when the host starts, with messages that say what to set.</summary>
internal sealed class ProcessReplicaOptionsValidator : IValidateOptions<ProcessReplicaOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessReplicaOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.FileName))
        {
            failures.Add("No command is configured for process replicas: set ProcessReplicaOptions.FileName (and Arguments) in AddProcessReplicas(o => ...), "
                + "for example o.FileName = \"dotnet\"; o.Arguments.Add(\"path/to/Ringway.Samples.Server.dll\").");
        }

        if (!IPAddress.TryParse(options.Host, out var host) || host.Equals(IPAddress.Any) || host.Equals(IPAddress.IPv6Any))
        {
            failures.Add($"ProcessReplicaOptions.Host must be an IP address the balancer can connect to, such as 127.0.0.1; '{options.Host}' is not.");
        }

        if (options.StartTimeout <= TimeSpan.Zero)
        {
            failures.Add("ProcessReplicaOptions.StartTimeout must be positive.");
        }

        if (options.StopGracePeriod < TimeSpan.Zero)
        {
            failures.Add("ProcessReplicaOptions.StopGracePeriod must not be negative.");
        }

        if (options.MaxStartAttempts < 1)
        {
            failures.Add("ProcessReplicaOptions.MaxStartAttempts must be at least 1.");
        }

        foreach (var key in options.Environment.Keys)
        {
            if (string.IsNullOrEmpty(key) || key.Contains('=', StringComparison.Ordinal))
            {
                failures.Add($"ProcessReplicaOptions.Environment has an invalid variable name '{key}'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
