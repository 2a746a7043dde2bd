using Microsoft.Extensions.Options;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.Replicas.Docker;
using Ringway.Replicas.Processes;

namespace Ringway.Samples.LoadBalancer;

/// <summary>
/// A configuration the balancer refuses (options are validated when the host starts, or when an endpoint first needs
/// them) ends the host with one line on standard error naming the option, and exit code 78 (EX_CONFIG of sysexits.h),
/// instead of an unhandled exception with its stack trace (exit code 134).
/// </summary>
internal static class InvalidConfiguration
{
    public const int ExitCode = 78;

    /// <summary>
    /// Where this host binds the replica providers' options from (SampleReplicas.cs): their messages name the option alone.
    /// The balancer's own messages already name the full key (<c>Balancer:Health:Interval must be positive...</c>).
    /// </summary>
    private static readonly Dictionary<Type, string> Sections = new()
    {
        [typeof(ProcessReplicaOptions)] = "Replicas:Processes",
        [typeof(DockerReplicaOptions)] = "Replicas:Docker",
        [typeof(SwarmReplicaOptions)] = "Replicas:Swarm",
    };

    public static int Report(OptionsValidationException exception)
    {
        var section = Sections.TryGetValue(exception.OptionsType, out var name) ? $" (section {name})" : "";
        Console.Error.WriteLine($"Invalid configuration{section}: {exception.Message}");
        return ExitCode;
    }
}
