using System.Text;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>HTTP/1.1 syntax on raw bytes (RFC 9110, 9112), and the strings the lean path reuses for response headers.</summary>
internal static class Http1Syntax
{
    // Response header names that come on nearly every response: reused instead of allocating a string each time.
    private static readonly string[] KnownNames =
    [
        "Content-Length", "Content-Type", "Date", "Server", "Cache-Control", "Set-Cookie", "Location", "ETag",
        "Last-Modified", "Content-Encoding", "Vary", "Expires", "Content-Language", "Content-Disposition",
        "Access-Control-Allow-Origin", "X-Replica", "Retry-After", "WWW-Authenticate", "Content-Range", "Accept-Ranges",
    ];

    /// <summary>Slots in <see cref="Value"/>'s per-connection cache: one per known name.</summary>
    public static int KnownCount => KnownNames.Length;

    /// <summary>The header's name as a string, reusing the known names; <paramref name="index"/> is its cache slot or -1.</summary>
    public static string Name(ReadOnlySpan<byte> name, out int index)
    {
        for (index = 0; index < KnownNames.Length; index++)
        {
            var known = KnownNames[index];
            if (known.Length == name.Length && Ascii.EqualsIgnoreCase(name, known))
            {
                return known;
            }
        }

        index = -1;
        return Encoding.ASCII.GetString(name);
    }

    /// <summary>
    /// The value as a string; for a known name, the string of the previous response on the same connection when the bytes
    /// are the same (Content-Type, Server, and Date within the same second repeat on nearly every response).
    /// </summary>
    public static string Value(ReadOnlySpan<byte> value, int index, string?[] cache)
    {
        if (index >= 0 && cache[index] is { } last && last.Length == value.Length && Ascii.Equals(value, last))
        {
            return last;
        }

        var text = Encoding.Latin1.GetString(value);
        if (index >= 0)
        {
            cache[index] = text;
        }

        return text;
    }

    /// <summary>RFC 9110 token characters.</summary>
    public static bool IsToken(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var b in value)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || "!#$%&'*+-.^_`|~"u8.Contains(b)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Field values may hold visible characters, spaces, tabs and obs-text; no other control characters.</summary>
    public static bool IsValidValue(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a comma-separated list (a Connection or Transfer-Encoding value) holds the token.</summary>
    public static bool ListContains(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
    {
        foreach (var range in list.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(list[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The last element of a comma-separated list.</summary>
    public static ReadOnlySpan<byte> LastElement(ReadOnlySpan<byte> list)
    {
        var comma = list.LastIndexOf((byte)',');
        return list[(comma + 1)..].Trim(" \t"u8);
    }
}
