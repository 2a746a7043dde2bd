using System.Globalization;
using Microsoft.Extensions.Options;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.DependencyInjection;

/// <summary>Checks the options when the application starts, naming every invalid one.</summary>
internal sealed class ConsistentHashBalancerOptionsValidator : IValidateOptions<ConsistentHashBalancerOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsistentHashBalancerOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Algorithm))
        {
            errors.Add($"Algorithm '{options.Algorithm}' is not known.");
        }

        if (options.PointsPerWeight < 1)
        {
            errors.Add("PointsPerWeight must be at least 1.");
        }

        if (options.MaglevTableSize < 3)
        {
            errors.Add("MaglevTableSize must be a prime of at least 3.");
        }

        if (options.BoundedLoadFactor is { } factor && !(factor > 1))
        {
            errors.Add("BoundedLoadFactor must be greater than 1 (or null for off).");
        }

        foreach (var source in options.KeySources)
        {
            if (!KeySource.TryParse(source, out _))
            {
                errors.Add($"Key source '{source}' is invalid; use header:NAME, query:NAME, cookie:NAME, route:NAME, path or client-address.");
            }
        }

        Positive(options.ConnectTimeout, nameof(options.ConnectTimeout));
        Positive(options.ResponseTimeout, nameof(options.ResponseTimeout));
        Positive(options.HeartbeatInterval, nameof(options.HeartbeatInterval));
        Positive(options.HeartbeatTimeout, nameof(options.HeartbeatTimeout));
        if (options.DrainTimeout < TimeSpan.Zero)
        {
            errors.Add("DrainTimeout must not be negative.");
        }

        if (options.MaxAttempts is < 1 or > 8)
        {
            errors.Add("MaxAttempts must be from 1 to 8.");
        }

        if (options.MaxReplicas < 1)
        {
            errors.Add("MaxReplicas must be at least 1.");
        }

        if (options.Replicas < 0 || options.Replicas > options.MaxReplicas)
        {
            errors.Add("Replicas must be from 0 to MaxReplicas.");
        }

        if (options.HeartbeatFailureThreshold < 1)
        {
            errors.Add("HeartbeatFailureThreshold must be at least 1.");
        }

        if (string.IsNullOrEmpty(options.HeartbeatPath) || options.HeartbeatPath[0] != '/')
        {
            errors.Add("HeartbeatPath must start with '/'.");
        }

        if (options.AdminApiKey is { Length: 0 })
        {
            errors.Add("AdminApiKey must not be empty (null turns it off).");
        }

        var autoscaling = options.Autoscaling;
        if (autoscaling.Enabled)
        {
            if (autoscaling.MinReplicas < 1 || autoscaling.MinReplicas > autoscaling.MaxReplicas || autoscaling.MaxReplicas > options.MaxReplicas)
            {
                errors.Add("Autoscaling needs 1 <= MinReplicas <= MaxReplicas <= the balancer's MaxReplicas.");
            }

            if (autoscaling.TargetInFlightPerReplica < 1)
            {
                errors.Add("Autoscaling:TargetInFlightPerReplica must be at least 1.");
            }

            Positive(autoscaling.Interval, "Autoscaling:Interval");
            if (autoscaling.ScaleUpCooldown < TimeSpan.Zero || autoscaling.ScaleDownCooldown < TimeSpan.Zero)
            {
                errors.Add("Autoscaling cooldowns must not be negative.");
            }
        }

        if (errors.Count == 0)
        {
            // The hashing library knows its own limits (a prime Maglev table above 100 x the nodes, the classic ring's
            // 56 servers): build one snapshot at the largest size this balancer allows, so they fail here and not on /add.
            try
            {
                ConsistentHash.Create(
                    options.Algorithm,
                    Enumerable.Range(0, options.MaxReplicas).Select(i => new HashNode<int>(i.ToString(CultureInfo.InvariantCulture), i)),
                    options.ToHashOptions());
            }
            catch (ArgumentException e)
            {
                // The library's sentence without ArgumentException's "(Parameter 'nodes')": it names an argument the user never passed.
                var reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
                errors.Add($"{options.Algorithm} with MaxReplicas = {options.MaxReplicas}: {reason}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Positive(TimeSpan value, string option)
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{option} must be positive.");
            }
        }
    }
}
