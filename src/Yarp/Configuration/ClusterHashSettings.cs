using System.Globalization;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace Ringway.Yarp.Configuration;

/// <summary>A cluster's Ringway settings, read from its metadata (<see cref="ConsistentHashMetadata"/>).</summary>
internal sealed record ClusterHashSettings(
    ConsistentHashAlgorithm Algorithm,
    RequestKeySources KeySources,
    double? BoundedLoadFactor,
    int PointsPerWeight,
    int MaglevTableSize)
{
    /// <summary>The hashing library's options for <see cref="Algorithm"/>.</summary>
    public ConsistentHashOptions HashOptions => new() { PointsPerWeight = PointsPerWeight, MaglevTableSize = MaglevTableSize };

    /// <summary>Whether a hash built with these settings places keys as one built with <paramref name="other"/>.</summary>
    public bool PlacesLike(ClusterHashSettings other)
        => Algorithm == other.Algorithm && PointsPerWeight == other.PointsPerWeight && MaglevTableSize == other.MaglevTableSize;

    /// <summary>
    /// Reads the settings of <paramref name="cluster"/> for <paramref name="algorithm"/>, adding to <paramref name="errors"/>
    /// one message per bad entry, each naming the cluster, the key and the value. Returns null when there were errors.
    /// </summary>
    public static ClusterHashSettings? Read(ClusterConfig cluster, ConsistentHashAlgorithm algorithm, List<string> errors)
    {
        var defaults = ConsistentHashOptions.Default;
        var settings = new ClusterHashSettings(algorithm, RequestKeySources.None, null, defaults.PointsPerWeight, defaults.MaglevTableSize);
        var before = errors.Count;
        foreach (var (key, value) in cluster.Metadata ?? new Dictionary<string, string>())
        {
            if (!key.StartsWith(ConsistentHashMetadata.Prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (Is(key, ConsistentHashMetadata.KeySources))
            {
                try
                {
                    settings = settings with { KeySources = RequestKeySources.Parse(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) };
                }
                catch (FormatException e)
                {
                    errors.Add($"Cluster '{cluster.ClusterId}': metadata '{key}' = '{value}': {e.Message}");
                }
            }
            else if (Is(key, ConsistentHashMetadata.BoundedLoadFactor))
            {
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && factor > 1 && double.IsFinite(factor))
                {
                    settings = settings with { BoundedLoadFactor = factor };
                }
                else
                {
                    errors.Add($"Cluster '{cluster.ClusterId}': metadata '{key}' = '{value}': the bounded-load factor must be a number greater than 1 (for example 1.25).");
                }
            }
            else if (Is(key, ConsistentHashMetadata.PointsPerWeight) && algorithm == ConsistentHashAlgorithm.Ring)
            {
                settings = settings with { PointsPerWeight = PositiveInt(cluster, key, value, errors, settings.PointsPerWeight) };
            }
            else if (Is(key, ConsistentHashMetadata.MaglevTableSize) && algorithm == ConsistentHashAlgorithm.Maglev)
            {
                settings = settings with { MaglevTableSize = PositiveInt(cluster, key, value, errors, settings.MaglevTableSize) };
            }
            else
            {
                errors.Add($"Cluster '{cluster.ClusterId}': metadata '{key}' is not a parameter of load-balancing policy "
                           + $"'{ConsistentHashPolicies.NameOf(algorithm)}'; it reads {string.Join(", ", ParametersOf(algorithm))}.");
            }
        }

        return errors.Count == before ? settings : null;
    }

    /// <summary>The metadata keys a policy reads.</summary>
    public static IEnumerable<string> ParametersOf(ConsistentHashAlgorithm algorithm)
    {
        yield return ConsistentHashMetadata.KeySources;
        yield return ConsistentHashMetadata.BoundedLoadFactor;
        if (algorithm == ConsistentHashAlgorithm.Ring)
        {
            yield return ConsistentHashMetadata.PointsPerWeight;
        }

        if (algorithm == ConsistentHashAlgorithm.Maglev)
        {
            yield return ConsistentHashMetadata.MaglevTableSize;
        }
    }

    private static bool Is(string key, string name) => string.Equals(key, name, StringComparison.OrdinalIgnoreCase);

    private static int PositiveInt(ClusterConfig cluster, string key, string value, List<string> errors, int fallback)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
        {
            return number;
        }

        errors.Add($"Cluster '{cluster.ClusterId}': metadata '{key}' = '{value}' must be a positive whole number.");
        return fallback;
    }
}
