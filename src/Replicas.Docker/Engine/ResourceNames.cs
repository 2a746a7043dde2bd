using System.Security.Cryptography;
using System.Text;

namespace Ringway.Replicas.Docker;

/// <summary>Labels and names of the Docker resources the providers create.</summary>
internal static class ResourceNames
{
    public const string ManagedLabel = "io.ringway.managed";
    public const string InstanceLabel = "io.ringway.instance";
    public const string HostnameLabel = "io.ringway.hostname";

    // The image as configured (a name, not an id): the engine's own Image field holds the old id once the tag is rebuilt.
    public const string ImageLabel = "io.ringway.image";

    // When the replica was started, as a number that also orders replicas started together (ticks + position).
    public const string OrderLabel = "io.ringway.order";

    /// <summary>The labels every replica carries: the providers touch nothing without them.</summary>
    public static Dictionary<string, string> Labels(string instance, string hostname, string? image = null, long? order = null)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ManagedLabel] = "true",
            [InstanceLabel] = instance,
            [HostnameLabel] = hostname,
        };
        if (image is not null)
        {
            labels[ImageLabel] = image;
        }
        if (order is { } value)
        {
            labels[OrderLabel] = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return labels;
    }

    /// <summary>The order label's value, or null when it is missing or not a number.</summary>
    public static long? Order(IDictionary<string, string>? labels) =>
        labels is not null && labels.TryGetValue(OrderLabel, out var text)
        && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    /// <summary>
    /// Whether a replica of this instance was created from the configured image. Labels can be set by anyone who can
    /// create a container, so a labelled container of another image (a privileged one, say) is left alone rather than
    /// adopted, routed to or removed.
    /// </summary>
    public static bool HasImage(IDictionary<string, string>? labels, string image) =>
        labels is not null && labels.TryGetValue(ImageLabel, out var labelled) && string.Equals(labelled, image, StringComparison.Ordinal);

    /// <summary>
    /// The listed items (containers or services) that are this instance's replicas of the configured image. Items with the
    /// instance's labels but another image label, or none, are left out and handed to <paramref name="otherImage"/> with
    /// their image label ("(none)"), so the provider can log them.
    /// </summary>
    public static List<T> OwnReplicas<T>(
        IEnumerable<T> items, Func<T, IDictionary<string, string>?> labelsOf, string instance, string image, Action<T, string> otherImage)
    {
        var own = new List<T>();
        foreach (var item in items)
        {
            var labels = labelsOf(item);
            if (!BelongsTo(labels, instance))
            {
                continue;
            }
            if (HasImage(labels, image))
            {
                own.Add(item);
            }
            else
            {
                otherImage(item, labels!.TryGetValue(ImageLabel, out var other) ? other : "(none)");
            }
        }
        return own;
    }

    /// <summary>Engine filters that select this instance's replicas.</summary>
    public static Dictionary<string, IDictionary<string, bool>> InstanceFilter(string instance) => new()
    {
        ["label"] = new Dictionary<string, bool>
        {
            [$"{ManagedLabel}=true"] = true,
            [$"{InstanceLabel}={instance}"] = true,
        },
    };

    /// <summary>Whether labels mark a resource as a replica of this instance (checked again before every change).</summary>
    public static bool BelongsTo(IDictionary<string, string>? labels, string instance) =>
        labels is not null
        && labels.TryGetValue(ManagedLabel, out var managed) && managed == "true"
        && labels.TryGetValue(InstanceLabel, out var owner) && owner == instance
        && labels.TryGetValue(HostnameLabel, out var hostname) && hostname.Length > 0;

    /// <summary>
    /// A DNS label made from a hostname: lower case, letters, digits and '-', at most 40 characters,
    /// never empty ("Server 1" -> "server-1", "a_b.c" -> "a-b-c").
    /// </summary>
    public static string DnsLabel(string hostname)
    {
        var builder = new StringBuilder(hostname.Length);
        foreach (var c in hostname.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }
        var label = builder.ToString().Trim('-');
        if (label.Length > 40)
        {
            label = label[..40].TrimEnd('-');
        }
        return label.Length == 0 ? "replica" : label;
    }

    /// <summary>
    /// A container or service name for a hostname: <c>ringway-&lt;dns label&gt;-&lt;6 hex digits&gt;</c>. Valid for
    /// Docker (<c>[a-zA-Z0-9][a-zA-Z0-9_.-]*</c>) and as a DNS name; the random suffix keeps it unique across
    /// balancer instances and across a replica and its replacement.
    /// </summary>
    public static string ResourceName(string hostname) =>
        $"ringway-{DnsLabel(hostname)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>Label values the providers accept for the instance name.</summary>
    public static bool IsValidLabelValue(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 63
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The network aliases of a replica: its hostname as given and, when that is not a DNS name, its DNS label.</summary>
    public static List<string> Aliases(string hostname)
    {
        var aliases = new List<string> { hostname };
        var dns = DnsLabel(hostname);
        if (!string.Equals(dns, hostname, StringComparison.Ordinal))
        {
            aliases.Add(dns);
        }
        return aliases;
    }
}
