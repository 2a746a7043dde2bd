using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Ringway.LoadBalancing.AspNetCore.Routing;

/// <summary>
/// Takes the hash key from a request: the custom selector, then the configured sources in order, then a random
/// 6-digit id. Header and query values are returned as slices of strings the server already holds, and the random id
/// as a number, so neither allocates.
/// </summary>
internal sealed class RequestKeySelector
{
    private readonly Func<HttpContext, string?>? _custom;
    private readonly KeySource[] _sources;

    public RequestKeySelector(IOptions<ConsistentHashBalancerOptions> options)
    {
        _custom = options.Value.Keys.Selector;
        _sources = [.. options.Value.Keys.Sources.Select(s => KeySource.TryParse(s, out var source)
            ? source
            : throw new InvalidOperationException($"Invalid key source '{s}'."))];
    }

    public RequestKey GetKey(HttpContext context)
    {
        if (_custom is not null && _custom(context) is { Length: > 0 } custom)
        {
            return new RequestKey(custom.AsMemory());
        }

        foreach (var source in _sources)
        {
            var key = source.Read(context);
            if (!key.IsEmpty)
            {
                return new RequestKey(key);
            }
        }

        // No key: a random 6-digit request id, so keyless requests are spread at random.
        return RequestKey.RandomId(Random.Shared.Next(100_000, 1_000_000));
    }
}

/// <summary>
/// A request's hash key: text taken from the request, or the random 6-digit id, kept as a number and written out only
/// into the caller's stack buffer when hashed (it outlives the first lookup, for failover, without a string).
/// </summary>
internal readonly struct RequestKey
{
    /// <summary>Room <see cref="Chars"/> needs for the random id.</summary>
    public const int IdLength = 6;

    private readonly ReadOnlyMemory<char> _text;
    private readonly int _id;

    public RequestKey(ReadOnlyMemory<char> text) => _text = text;

    private RequestKey(int id) => _id = id;

    public static RequestKey RandomId(int id) => new(id);

    /// <summary>The key's characters: the text, or the id written into <paramref name="buffer"/> (<see cref="IdLength"/> chars).</summary>
    public ReadOnlySpan<char> Chars(Span<char> buffer)
    {
        if (_id == 0)
        {
            return _text.Span;
        }

        _id.TryFormat(buffer, out var written, provider: CultureInfo.InvariantCulture);
        return buffer[..written];
    }

    public override string ToString() => _id == 0 ? _text.ToString() : _id.ToString(CultureInfo.InvariantCulture);
}

internal enum KeySourceKind
{
    Header,
    Query,
    Cookie,
    Route,
    Path,
    ClientAddress,
}

/// <summary>One parsed entry of <see cref="RequestKeyOptions.Sources"/>.</summary>
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
