using System.Collections.Frozen;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// The header rules of both forwarders, in one place so they cannot drift: which of the client's request headers reach
/// the replica (hop-by-hop headers and those the client's <c>Connection</c> header names do not), the X-Forwarded-*
/// headers the balancer writes, and which of the replica's response headers reach the client. The YARP path applies it
/// to the <c>HttpRequestMessage</c> YARP built (<see cref="ForwardingTransformer"/>); the lean path writes request heads
/// from it (<see cref="Http1.RequestHeadWriter"/>). Host is an ordinary end-to-end header: the client's reaches the replica.
/// </summary>
/// <remarks>
/// X-Forwarded-* follow ASP.NET Core's ForwardedHeaders model: the values a client sent are kept (and the balancer's
/// entry appended) only when that client is a known proxy or in a known network
/// (<see cref="ForwardingOptions.KnownProxies"/>, <see cref="ForwardingOptions.KnownNetworks"/>);
/// from anyone else they are replaced, so a replica reading the first value reads what the balancer saw.
/// </remarks>
internal sealed class ForwardingHeaderPolicy
{
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";
    public const string ForwardedHost = "X-Forwarded-Host";

    /// <summary>
    /// Headers that belong to one connection (RFC 9110 7.6.1) or that a proxy writes itself, never copied in either
    /// direction: YARP's list plus <c>Trailer</c> (HTTP/1.1 clients of Kestrel cannot receive trailers).
    /// </summary>
    private static readonly FrozenSet<string> HopByHop = new[]
    {
        "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Proxy-Connection", "Proxy-Authenticate",
        "Proxy-Authentication-Info", "Proxy-Authorization", "Proxy-Features", "Proxy-Instruction", "Security-Scheme",
        "ALPN", "Close", "HTTP2-Settings", "Upgrade-Insecure-Requests", "TE", "Alt-Svc", "Trailer",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly byte[][] HopByHopBytes = [.. HopByHop.Select(Encoding.ASCII.GetBytes)];

    private readonly IPAddress[] _knownProxies;
    private readonly IPNetwork[] _knownNetworks;

    public ForwardingHeaderPolicy(IOptions<ConsistentHashBalancerOptions> options)
    {
        // Validated at start-up (ConsistentHashBalancerOptionsValidator).
        _knownProxies = [.. options.Value.Forwarding.KnownProxies.Select(IPAddress.Parse)];
        _knownNetworks = [.. options.Value.Forwarding.KnownNetworks.Select(n => IPNetwork.Parse(n))];
    }

    /// <summary>Whether the header is hop-by-hop (never forwarded in either direction).</summary>
    public static bool IsHopByHop(string name) => HopByHop.Contains(name);

    /// <summary><see cref="IsHopByHop(string)"/> on a raw header name, as the lean path reads response heads.</summary>
    public static bool IsHopByHop(ReadOnlySpan<byte> name)
    {
        foreach (var candidate in HopByHopBytes)
        {
            if (candidate.Length == name.Length && Ascii.EqualsIgnoreCase(name, candidate))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Hands every request header to <paramref name="sink"/>, each as forwarded or dropped, then the three X-Forwarded-*
    /// headers the balancer writes: its entry (the peer address, the scheme and Host it was asked with), after the
    /// client's own values when the client is a known proxy.
    /// </summary>
    public void ApplyToRequest<TSink>(HttpContext context, ref TSink sink)
        where TSink : struct, IRequestHeaderSink
    {
        var request = context.Request;
        var headers = request.Headers;
        var connection = ClientConnectionValues(context, headers.Connection);
        var chunked = headers.TransferEncoding.Count > 0;
        StringValues priorFor = default, priorProto = default, priorHost = default;
        foreach (var (name, values) in headers)
        {
            if (IsHopByHop(name)
                || name.StartsWith(':') // HTTP/2 pseudo-headers go into the request line
                || (connection.Count > 0 && IsListedInConnection(connection, name))
                // RFC 9112 6.3: a message with both is framed by Transfer-Encoding, and the Content-Length must not be passed on.
                || (chunked && name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
            {
                sink.Drop(name);
                continue;
            }

            if (name.Equals(ForwardedFor, StringComparison.OrdinalIgnoreCase))
            {
                priorFor = values;
            }
            else if (name.Equals(ForwardedProto, StringComparison.OrdinalIgnoreCase))
            {
                priorProto = values;
            }
            else if (name.Equals(ForwardedHost, StringComparison.OrdinalIgnoreCase))
            {
                priorHost = values;
            }
            else
            {
                sink.Forward(name, values);
                continue;
            }

            sink.Drop(name); // written below, with the balancer's entry
        }

        var address = context.Connection.RemoteIpAddress;
        if ((priorFor.Count > 0 || priorProto.Count > 0 || priorHost.Count > 0) && !IsKnownProxy(address))
        {
            priorFor = priorProto = priorHost = default;
        }

        if (address is not null)
        {
            sink.AddForwarded(ForwardedFor, priorFor, address);
        }

        sink.AddForwarded(ForwardedProto, priorProto, request.Scheme);
        if (request.Host.HasValue)
        {
            sink.AddForwarded(ForwardedHost, priorHost, request.Host.Value);
        }
    }

    /// <summary>
    /// The client's Connection values: Kestrel's, unless Kestrel reduced them to its single option and the endpoint keeps
    /// the client's own lines (<see cref="ConnectionHeaderCapture"/>).
    /// </summary>
    private static StringValues ClientConnectionValues(HttpContext context, StringValues kestrels)
    {
        if (kestrels.Count == 1 && kestrels[0] is "keep-alive" or "close" or "Upgrade"
            && context.Features.Get<ConnectionHeaderCapture>() is { } capture && capture.TryGetConnectionValues(out var client))
        {
            return client;
        }

        return kestrels;
    }

    /// <summary>Whether the peer is a proxy whose X-Forwarded-* values are trusted (an IPv4 peer may come as an IPv6-mapped address).</summary>
    public bool IsKnownProxy(IPAddress? address)
    {
        if (address is null || (_knownProxies.Length == 0 && _knownNetworks.Length == 0))
        {
            return false;
        }

        return Matches(address) || (address.IsIPv4MappedToIPv6 && Matches(address.MapToIPv4()));

        bool Matches(IPAddress candidate)
        {
            foreach (var proxy in _knownProxies)
            {
                if (proxy.Equals(candidate))
                {
                    return true;
                }
            }

            foreach (var network in _knownNetworks)
            {
                if (network.Contains(candidate))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Whether a response header of the replica reaches the client: not hop-by-hop, not named in the response's Connection header.</summary>
    public static bool ForwardsResponseHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> connection)
        => !IsHopByHop(name) && (connection.IsEmpty || !Http1.Http1Syntax.ListContains(connection, name));

    /// <summary><see cref="ForwardsResponseHeader(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> for the YARP path's string headers.</summary>
    public static bool ForwardsResponseHeader(string name, StringValues connection)
        => !IsHopByHop(name) && (connection.Count == 0 || !IsListedInConnection(connection, name));

    /// <summary>
    /// Whether <paramref name="name"/> is one of the tokens of a Connection header (RFC 9110 7.6.1: such headers are
    /// hop-by-hop too). Every comma-separated element of every value counts; elements that are not tokens are ignored.
    /// </summary>
    public static bool IsListedInConnection(StringValues connection, string name)
    {
        foreach (var value in connection)
        {
            var text = value.AsSpan();
            foreach (var range in text.Split(','))
            {
                var token = text[range].Trim(" \t");
                if (token.Length == name.Length && IsToken(token) && token.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>RFC 9110 token characters.</summary>
    public static bool IsToken(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Receives <see cref="ForwardingHeaderPolicy.ApplyToRequest"/>'s decisions, header by header.</summary>
internal interface IRequestHeaderSink
{
    /// <summary>The client's header goes to the replica as it is.</summary>
    void Forward(string name, StringValues values);

    /// <summary>The client's header must not reach the replica.</summary>
    void Drop(string name);

    /// <summary>An X-Forwarded-* header: <paramref name="prior"/> (the values to keep, maybe none), then the balancer's address entry.</summary>
    void AddForwarded(string name, StringValues prior, IPAddress address);

    /// <summary>An X-Forwarded-* header: <paramref name="prior"/> (the values to keep, maybe none), then the balancer's entry.</summary>
    void AddForwarded(string name, StringValues prior, string value);
}
