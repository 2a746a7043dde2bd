using Microsoft.AspNetCore.Http;

namespace Ringway.LoadBalancing.AspNetCore;

/// <summary>Where each request's hash key comes from (configuration section <c>Keys</c>).</summary>
public sealed class RequestKeyOptions
{
    /// <summary>
    /// Where the request key comes from, tried in order; the first that yields a non-empty value wins. Each entry is one of
    /// <c>header:NAME</c>, <c>query:NAME</c>, <c>cookie:NAME</c>, <c>route:NAME</c>, <c>path</c>, <c>client-address</c>.
    /// When none yields a key (or the list is empty), the request gets a random 6-digit id, so keyless requests are
    /// spread at random. Default empty.
    /// </summary>
    public IList<string> Sources { get; } = new List<string>();

    /// <summary>A custom key selector tried before <see cref="Sources"/>; null or empty means "no key". Code only. Default null.</summary>
    public Func<HttpContext, string?>? Selector { get; set; }
}
