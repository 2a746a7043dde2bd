using Microsoft.Extensions.Configuration;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// The keys of the earlier flat option layout and where each lives now (docs/configuration.md lists the same table).
/// The binder ignores keys it does not know, so an old key would silently fall back to the default (an admin API
/// without its key, say); validation reports it instead.
/// </summary>
internal static class MovedKeys
{
    public static IReadOnlyList<(string Old, string New)> All { get; } =
    [
        ("Algorithm", "Hashing:Algorithm"),
        ("PointsPerWeight", "Hashing:PointsPerWeight"),
        ("MaglevTableSize", "Hashing:MaglevTableSize"),
        ("ClassicProbing", "Hashing:ClassicProbing"),
        ("BoundedLoadFactor", "Hashing:BoundedLoadFactor"),
        ("KeySources", "Keys:Sources"),
        ("Forwarder", "Forwarding:Forwarder"),
        ("ConnectTimeout", "Forwarding:ConnectTimeout"),
        ("ResponseTimeout", "Forwarding:ResponseTimeout"),
        ("MaxAttempts", "Forwarding:MaxAttempts"),
        ("RetryIdempotentRequests", "Forwarding:RetryIdempotentRequests"),
        ("NotFoundAsBadRequest", "Forwarding:NotFoundAsBadRequest"),
        ("HeartbeatPath", "Health:Path"),
        ("HeartbeatInterval", "Health:Interval"),
        ("HeartbeatTimeout", "Health:Timeout"),
        ("HeartbeatFailureThreshold", "Health:FailureThreshold"),
        ("Replicas", "Replicas:Count"),
        ("MaxReplicas", "Replicas:MaxCount"),
        ("DrainTimeout", "Replicas:DrainTimeout"),
        ("StopReplicasOnShutdown", "Replicas:StopOnShutdown"),
        ("AdminApiKey", "Admin:ApiKey"),
    ];

    public static void Check(IConfiguration? source, OptionErrors errors)
    {
        if (source is null)
        {
            return;
        }

        foreach (var (old, moved) in All)
        {
            // "Replicas" is a section now: only a value of its own is the old key.
            var section = source.GetSection(old);
            if (old == "Replicas" ? section.Value is not null : section.Exists())
            {
                errors.Add(old, $"has moved to {errors.Key(moved)}.");
            }
        }
    }
}
