using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore.Forwarding;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// Checks the options when the application starts. Every group is checked the same way, and every error names the
/// full configuration key (for example <c>Balancer:Health:Interval must be positive.</c>).
/// </summary>
internal sealed class ConsistentHashBalancerOptionsValidator : IValidateOptions<ConsistentHashBalancerOptions>
{
    /// <summary>The section the documentation binds the options from; keys are named under it when the options were set in code.</summary>
    internal const string DefaultSection = "Balancer";

    public ValidateOptionsResult Validate(string? name, ConsistentHashBalancerOptions options)
    {
        var root = new OptionErrors(options.Source switch
        {
            null => DefaultSection,
            IConfigurationSection section => section.Path,
            _ => "",
        });
        MovedKeys.Check(options.Source, root);
        Hashing(options.Hashing, root.Section("Hashing"));
        Keys(options.Keys, root.Section("Keys"));
        Forwarding(options.Forwarding, root.Section("Forwarding"));
        Health(options.Health, root.Section("Health"));
        Replicas(options.Replicas, root.Section("Replicas"));
        Autoscaling(options.Autoscaling, root.Section("Autoscaling"), root.Key("Replicas:MaxCount"), options.Replicas.MaxCount);
        Admin(options.Admin, root.Section("Admin"));
        if (root.Count == 0)
        {
            HashingAtMaxCount(options, root);
        }

        return root.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(root.All);
    }

    private static void Hashing(HashingOptions options, OptionErrors errors)
    {
        if (!Enum.IsDefined(options.Algorithm))
        {
            errors.Add("Algorithm", $"'{options.Algorithm}' is not known.");
        }

        if (options.PointsPerWeight < 1)
        {
            errors.Add("PointsPerWeight", "must be at least 1.");
        }

        if (options.MaglevTableSize < 3)
        {
            errors.Add("MaglevTableSize", "must be a prime of at least 3.");
        }

        if (options.BoundedLoadFactor is { } factor && !(factor > 1))
        {
            errors.Add("BoundedLoadFactor", "must be greater than 1 (or null for off).");
        }

        errors.NotNegative("WarmUp", options.WarmUp);
        var hotKeys = errors.Section("HotKeys");
        try
        {
            options.HotKeys.Build();
        }
        catch (ArgumentOutOfRangeException e)
        {
            // The hashing library names the option and its range; only its own sentence is kept.
            hotKeys.Add(e.ParamName ?? "", $"is out of range: {e.Message.Split(" (Parameter", 2)[0]}");
        }

        var reported = errors.Section("ReportedLoad");
        reported.Positive("StalenessLimit", options.ReportedLoad.StalenessLimit);
        if (options.ReportedLoad.Enabled && options.BoundedLoadFactor is null && !options.HotKeys.Enabled)
        {
            reported.Add("Enabled", $"needs {errors.Key("BoundedLoadFactor")} or {hotKeys.Key("Enabled")}: reported loads are read only for them.");
        }
    }

    private static void Keys(RequestKeyOptions options, OptionErrors errors)
    {
        for (var i = 0; i < options.Sources.Count; i++)
        {
            if (!KeySource.TryParse(options.Sources[i], out _))
            {
                errors.Add(
                    $"Sources:{i.ToString(CultureInfo.InvariantCulture)}",
                    $"'{options.Sources[i]}' is not a key source; use header:NAME, query:NAME, cookie:NAME, route:NAME, path or client-address.");
            }
        }
    }

    private static void Forwarding(ForwardingOptions options, OptionErrors errors)
    {
        errors.Positive("ConnectTimeout", options.ConnectTimeout);
        errors.Positive("ResponseTimeout", options.ResponseTimeout);
        if (options.MaxAttempts is < 1 or > 8)
        {
            errors.Add("MaxAttempts", "must be from 1 to 8.");
        }

        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                errors.Add($"KnownProxies:{i.ToString(CultureInfo.InvariantCulture)}", $"'{options.KnownProxies[i]}' is not an IP address.");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                errors.Add(
                    $"KnownNetworks:{i.ToString(CultureInfo.InvariantCulture)}",
                    $"'{options.KnownNetworks[i]}' is not a network in CIDR notation (for example 10.0.0.0/8).");
            }
        }

        if (options.HttpVersion is not { Major: 1, Minor: 0 or 1 } and not { Major: 2 or 3, Minor: 0 })
        {
            errors.Add("HttpVersion", $"'{options.HttpVersion}' is not an HTTP version; use 1.0, 1.1, 2.0 or 3.0.");
        }

        if (!Enum.IsDefined(options.HttpVersionPolicy))
        {
            errors.Add("HttpVersionPolicy", $"'{options.HttpVersionPolicy}' is not known; use RequestVersionOrLower, RequestVersionOrHigher or RequestVersionExact.");
        }

        for (var i = 0; i < options.TrustedCertificateAuthorities.Count; i++)
        {
            if (ReplicaCertificateTrust.TryLoad(options.TrustedCertificateAuthorities[i], out _) is { } problem)
            {
                errors.Add($"TrustedCertificateAuthorities:{i.ToString(CultureInfo.InvariantCulture)}", problem);
            }
        }
    }

    private static void Health(ReplicaHealthOptions options, OptionErrors errors)
    {
        if (string.IsNullOrEmpty(options.Path) || options.Path[0] != '/')
        {
            errors.Add("Path", "must start with '/'.");
        }

        errors.Positive("Interval", options.Interval);
        errors.Positive("Timeout", options.Timeout);
        if (options.FailureThreshold < 1)
        {
            errors.Add("FailureThreshold", "must be at least 1.");
        }
    }

    private static void Replicas(ReplicaSetOptions options, OptionErrors errors)
    {
        if (options.MaxCount < 1)
        {
            errors.Add("MaxCount", "must be at least 1.");
        }

        if (options.Count < 0 || options.Count > options.MaxCount)
        {
            errors.Add("Count", $"must be from 0 to {errors.Key("MaxCount")}.");
        }

        errors.NotNegative("DrainTimeout", options.DrainTimeout);
    }

    private static void Autoscaling(AutoscalingOptions options, OptionErrors errors, string maxCountKey, int maxCount)
    {
        if (!options.Enabled)
        {
            return;
        }

        if (options.MinReplicas < 1 || options.MinReplicas > options.MaxReplicas || options.MaxReplicas > maxCount)
        {
            errors.Add("MinReplicas", $"and {errors.Key("MaxReplicas")} need 1 <= MinReplicas <= MaxReplicas <= {maxCountKey}.");
        }

        if (options.TargetInFlightPerReplica < 1)
        {
            errors.Add("TargetInFlightPerReplica", "must be at least 1.");
        }

        errors.Positive("Interval", options.Interval);
        errors.NotNegative("ScaleUpCooldown", options.ScaleUpCooldown);
        errors.NotNegative("ScaleDownCooldown", options.ScaleDownCooldown);
    }

    private static void Admin(ReplicaAdminOptions options, OptionErrors errors)
    {
        if (options.ApiKey is { Length: 0 })
        {
            errors.Add("ApiKey", "must not be empty (null turns it off).");
        }
    }

    /// <summary>
    /// The hashing library knows its own limits (a prime Maglev table above 100 x the nodes, the classic ring's 56
    /// servers): build one snapshot at the largest size this balancer allows, so they fail here and not on <c>/add</c>.
    /// </summary>
    private static void HashingAtMaxCount(ConsistentHashBalancerOptions options, OptionErrors root)
    {
        var hashing = options.Hashing;
        var maxCount = options.Replicas.MaxCount;
        try
        {
            ConsistentHash.Create(
                hashing.Algorithm,
                Enumerable.Range(0, maxCount).Select(i => new HashNode<int>(i.ToString(CultureInfo.InvariantCulture), i)),
                hashing.ToConsistentHashOptions());
        }
        catch (ArgumentException e)
        {
            // The library's sentence without ArgumentException's "(Parameter 'nodes')": it names an argument the user never passed.
            var reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            root.Add("Hashing:Algorithm", $"{hashing.Algorithm} cannot hold {root.Key("Replicas:MaxCount")} = {maxCount} replicas: {reason}");
        }
    }
}
