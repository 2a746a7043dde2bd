using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore.Routing;

internal enum KeySourceKind
{
    Header,
    Query,
    Cookie,
    Route,
    Path,
    ClientAddress,
}

/// <summary>One parsed key source (<see cref="RequestKeySources"/>).</summary>
internal readonly record struct KeySource(KeySourceKind Kind, string Name)
{
    public static bool TryParse(string? text, out KeySource source)
    {
        source = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        var name = colon < 0 ? "" : text[(colon + 1)..].Trim();
        (KeySourceKind Kind, bool NeedsName)? parsed = kind switch
        {
            "header" => (KeySourceKind.Header, true),
            "query" => (KeySourceKind.Query, true),
            "cookie" => (KeySourceKind.Cookie, true),
            "route" => (KeySourceKind.Route, true),
            "path" => (KeySourceKind.Path, false),
            "client-address" => (KeySourceKind.ClientAddress, false),
            _ => null,
        };
        if (parsed is not { } p || p.NeedsName != (name.Length > 0))
        {
            return false;
        }

        source = new KeySource(p.Kind, name);
        return true;
    }

    /// <summary>The source in its normal form: <c>header:X-User</c>, <c>path</c>, <c>client-address</c>.</summary>
    public override string ToString() => Kind switch
    {
        KeySourceKind.Path => "path",
        KeySourceKind.ClientAddress => "client-address",
        _ => $"{Kind.ToString().ToLowerInvariant()}:{Name}",
    };

    public ReadOnlyMemory<char> Read(HttpContext context)
    {
        switch (Kind)
        {
            case KeySourceKind.Header:
                var values = context.Request.Headers[Name];
                foreach (var value in values)
                {
                    if (!string.IsNullOrEmpty(value))
                    {
                        return value.AsMemory();
                    }
                }

                return default;
            case KeySourceKind.Query:
                return ReadQuery(context.Request.QueryString.Value, Name);
            case KeySourceKind.Cookie:
                return context.Request.Cookies[Name].AsMemory();
            case KeySourceKind.Route:
                return (context.GetRouteValue(Name) as string ?? context.GetRouteValue(Name)?.ToString()).AsMemory();
            case KeySourceKind.Path:
                return context.Request.Path.Value.AsMemory();
            case KeySourceKind.ClientAddress:
                return context.Connection.RemoteIpAddress?.ToString().AsMemory() ?? default;
            default:
                return default;
        }
    }

    /// <summary>
    /// The first non-empty value of <paramref name="name"/> in a raw query string, without building the query collection.
    /// Values are unescaped only when they contain escapes, so the common case is a slice of the original string.
    /// </summary>
    internal static ReadOnlyMemory<char> ReadQuery(string? query, string name)
    {
        if (string.IsNullOrEmpty(query))
        {
            return default;
        }

        var memory = query.AsMemory();
        var start = query[0] == '?' ? 1 : 0;
        while (start < query.Length)
        {
            var end = query.IndexOf('&', start);
            if (end < 0)
            {
                end = query.Length;
            }

            var pair = memory[start..end];
            var eq = pair.Span.IndexOf('=');
            if (eq >= 0 && eq + 1 < pair.Length && NameMatches(pair.Span[..eq], name))
            {
                var value = pair[(eq + 1)..];
                return value.Span.IndexOfAny('%', '+') < 0
                    ? value
                    : Uri.UnescapeDataString(value.ToString().Replace('+', ' ')).AsMemory();
            }

            start = end + 1;
        }

        return default;
    }

    private static bool NameMatches(ReadOnlySpan<char> raw, string name)
        => raw.Equals(name, StringComparison.OrdinalIgnoreCase)
           || (raw.IndexOfAny('%', '+') >= 0
               && Uri.UnescapeDataString(raw.ToString().Replace('+', ' ')).Equals(name, StringComparison.OrdinalIgnoreCase));
}
