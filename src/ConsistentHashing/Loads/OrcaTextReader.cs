using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ringway.ConsistentHashing;

/// <summary>
/// Reads the TEXT form of ORCA's <c>endpoint-load-metrics</c> header entry by entry, without allocating (errors
/// excepted). docs/hashing.md ("Replica-reported load") has the grammar.
/// </summary>
internal ref struct OrcaTextReader
{
    /// <summary>At most this many entries are read, which bounds the duplicate check.</summary>
    public const int MaxEntries = 32;

    private const string Prefix = "TEXT ";
    private const string NamedPrefix = "named_metrics.";
    private const string UtilizationPrefix = "utilization.";
    private readonly ReadOnlySpan<char> _entries;
    private int _position;
    private int _count;
    private bool _afterComma;

    private OrcaTextReader(ReadOnlySpan<char> entries)
    {
        _entries = entries;
        _position = 0;
        _count = 0;
        _afterComma = false;
    }

    /// <summary>Starts reading a header value; fails unless it is in the TEXT form.</summary>
    public static bool TryStart(ReadOnlySpan<char> value, out OrcaTextReader reader, [NotNullWhen(false)] out string? error)
    {
        reader = default;
        if (!value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            int space = value.IndexOf(' ');
            var format = (space < 0 ? value : value[..space]).ToString();
            error = $"unsupported endpoint-load-metrics format '{format}': only the TEXT form is read";
            return false;
        }

        reader = new OrcaTextReader(value[Prefix.Length..]);
        error = null;
        return true;
    }

    /// <summary>
    /// The next entry: its full name (such as <c>cpu_utilization</c> or <c>named_metrics.rif</c>) and value. False at the
    /// end (<paramref name="error"/> null) or at a malformed entry (<paramref name="error"/> says why).
    /// </summary>
    public bool TryNext(out ReadOnlySpan<char> name, out double value, out string? error)
    {
        name = default;
        value = 0;
        error = null;
        var rest = _entries[_position..];
        if (rest.Trim(" \t").IsEmpty)
        {
            if (_afterComma)
            {
                error = "an entry is empty (a trailing comma?)";
            }

            return false;
        }

        int comma = rest.IndexOf(',');
        var entry = comma < 0 ? rest : rest[..comma];
        _position += comma < 0 ? rest.Length : comma + 1;
        _afterComma = comma >= 0;
        if (++_count > MaxEntries)
        {
            error = $"more than {MaxEntries} metrics";
            return false;
        }

        int separator = entry.IndexOf('=');
        if (separator < 0)
        {
            separator = entry.IndexOf(':'); // the older name:value form, still sent by some servers
        }

        if (separator < 0)
        {
            error = $"'{entry.Trim(" \t").ToString()}' is not name=value";
            return false;
        }

        name = entry[..separator].Trim(" \t");
        var text = entry[(separator + 1)..].Trim(" \t");
        if (!IsKnown(name))
        {
            error = name.IsEmpty ? "a metric name is empty" : $"unknown metric '{name.ToString()}'";
            return false;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value) || value < 0)
        {
            error = $"the value of '{name.ToString()}' must be a finite number >= 0, not '{text.ToString()}'";
            return false;
        }

        if (SeenBefore(name))
        {
            error = $"metric '{name.ToString()}' appears twice";
            return false;
        }

        return true;
    }

    /// <summary>True for the fields ORCA's TEXT form defines, and for named and utilization metrics with a non-empty key.</summary>
    public static bool IsKnown(ReadOnlySpan<char> name)
        => name is "cpu_utilization" or "mem_utilization" or "application_utilization" or "rps_fractional" or "eps"
           || HasKey(name, NamedPrefix) || HasKey(name, UtilizationPrefix);

    /// <summary>The key of a <c>named_metrics.</c> name, or empty.</summary>
    public static ReadOnlySpan<char> NamedKey(ReadOnlySpan<char> name) => name.StartsWith(NamedPrefix, StringComparison.Ordinal) ? name[NamedPrefix.Length..] : default;

    /// <summary>The key of a <c>utilization.</c> name, or empty.</summary>
    public static ReadOnlySpan<char> UtilizationKey(ReadOnlySpan<char> name) => name.StartsWith(UtilizationPrefix, StringComparison.Ordinal) ? name[UtilizationPrefix.Length..] : default;

    /// <summary>True when a key can be written in the TEXT form: visible ASCII, no separators.</summary>
    public static bool IsValidKey(ReadOnlySpan<char> key)
    {
        if (key.IsEmpty)
        {
            return false;
        }

        foreach (char c in key)
        {
            if (c is <= ' ' or > '~' or ',' or '=' or ':')
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasKey(ReadOnlySpan<char> name, string prefix)
        => name.StartsWith(prefix, StringComparison.Ordinal) && IsValidKey(name[prefix.Length..]);

    /// <summary>Whether an earlier entry had the same name (entries are few, so a rescan is cheapest).</summary>
    private readonly bool SeenBefore(ReadOnlySpan<char> name)
    {
        var earlier = _entries;
        for (int i = 1; i < _count; i++)
        {
            int comma = earlier.IndexOf(',');
            var entry = earlier[..comma];
            earlier = earlier[(comma + 1)..];
            int separator = entry.IndexOf('=');
            separator = separator < 0 ? entry.IndexOf(':') : separator;
            if (entry[..separator].Trim(" \t").SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }
}
