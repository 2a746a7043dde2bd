using Microsoft.AspNetCore.Http;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>
/// Where a request's hash key comes from: key sources tried in order, the first that yields a non-empty value wins, and a
/// random 6-digit id when none does (or there are none). The rule behind <see cref="RequestKeyOptions.Sources"/>,
/// for other hosts of the same hashing (the YARP policies of Ringway.Yarp read their cluster's sources with it).
/// </summary>
/// <remarks>
/// Each source is one of <c>header:NAME</c>, <c>query:NAME</c>, <c>cookie:NAME</c>, <c>route:NAME</c>, <c>path</c> or
/// <c>client-address</c> (the kind is case-insensitive; spaces around the kind and name are ignored). Reading a header,
/// query or path key returns a slice of a string the server already holds, and the random id is kept as a number, so
/// <see cref="GetKey"/> allocates nothing for them (a percent-encoded query value is unescaped into a new string).
/// Instances are immutable and safe to share between threads.
/// </remarks>
public sealed class RequestKeySources
{
    /// <summary>The accepted forms, as error messages name them.</summary>
    internal const string Syntax = "header:NAME, query:NAME, cookie:NAME, route:NAME, path or client-address";

    private readonly KeySource[] _sources;

    private RequestKeySources(KeySource[] sources) => _sources = sources;

    /// <summary>No sources: every request gets a random id.</summary>
    public static RequestKeySources None { get; } = new([]);

    /// <summary>The number of sources.</summary>
    public int Count => _sources.Length;

    /// <summary>Whether <paramref name="source"/> is one valid key source.</summary>
    public static bool IsValid(string? source) => KeySource.TryParse(source, out _);

    /// <summary>Parses key sources, kept in the order given.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="sources"/> is null.</exception>
    /// <exception cref="FormatException">A source is not one of the accepted forms; the message names it.</exception>
    public static RequestKeySources Parse(IEnumerable<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var parsed = new List<KeySource>();
        foreach (var text in sources)
        {
            if (!KeySource.TryParse(text, out var source))
            {
                throw new FormatException($"Key source '{text}' is invalid; use {Syntax}.");
            }

            parsed.Add(source);
        }

        return parsed.Count == 0 ? None : new RequestKeySources([.. parsed]);
    }

    /// <summary>The key of <paramref name="context"/>: the first source's non-empty value, or a random 6-digit id.</summary>
    public RequestKey GetKey(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
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

    /// <summary>The sources in their normal form, comma-separated (<c>header:X-User, path</c>).</summary>
    public override string ToString() => string.Join(", ", _sources);
}
