using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Ringway.LoadBalancing.AspNetCore.Routing;

/// <summary>
/// Takes the hash key from a request: the custom selector, then the configured sources in order, then a random
/// 6-digit id (<see cref="RequestKeySources"/>, which has the rules and allocates nothing for them).
/// </summary>
internal sealed class RequestKeySelector
{
    private readonly Func<HttpContext, string?>? _custom;
    private readonly RequestKeySources _sources;

    public RequestKeySelector(IOptions<ConsistentHashBalancerOptions> options)
    {
        _custom = options.Value.Keys.Selector;
        _sources = RequestKeySources.Parse(options.Value.Keys.Sources);
    }

    public RequestKey GetKey(HttpContext context)
    {
        if (_custom is not null && _custom(context) is { Length: > 0 } custom)
        {
            return new RequestKey(custom.AsMemory());
        }

        return _sources.GetKey(context);
    }
}
