using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Ringway.ConsistentHashing;
using Ringway.LoadBalancing.AspNetCore;
using Ringway.LoadBalancing.AspNetCore.Routing;

namespace Ringway.LoadBalancing.Benchmarks;

/// <summary>
/// The balancer's own per-request routing work, nothing else: the real <see cref="RequestKeySelector"/> with the sample
/// host's key sources, then the lookup on the current <see cref="ReplicaTable"/> snapshot, as BalancerRequestHandler
/// does them. The target is 0 B here, key extraction included; that holds for the random 6-digit fallback id too
/// (kept as a number, written out on the stack). One request per key of <see cref="RoutingSetup"/>.
/// </summary>
[MemoryDiagnoser]
public class RoutingPathBenchmarks
{
    private const int RequestCount = RoutingSetup.KeyCount;
    private HttpContext[] _requests = null!;
    private ReplicaTable _table = null!;
    private RequestKeySelector _keys = null!;

    /// <summary>Where the request carries its key; None takes the random-id fallback.</summary>
    public enum KeyIn
    {
        Query,
        Header,
        None,
    }

    [Params(ConsistentHashAlgorithm.Rendezvous, ConsistentHashAlgorithm.Maglev, ConsistentHashAlgorithm.Ring)]
    public ConsistentHashAlgorithm Algorithm { get; set; }

    [Params(KeyIn.Query, KeyIn.Header, KeyIn.None)]
    public KeyIn Key { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // The sample host's sources, in its order: a query-string request misses the header first, as it does there.
        var options = new ConsistentHashBalancerOptions { Hashing = { Algorithm = Algorithm } };
        options.Keys.Sources.Add("header:X-Ringway-Key");
        options.Keys.Sources.Add("query:key");
        _keys = new RequestKeySelector(Options.Create(options));
        _table = RoutingSetup.Table(options, 3);
        _requests = [.. RoutingSetup.Keys().Select(Request)];
    }

    [Benchmark(OperationsPerInvoke = RequestCount, Description = "key + GetNodeIndex")]
    public int Route()
    {
        var sum = 0;
        Span<char> id = stackalloc char[RequestKey.IdLength];
        foreach (var context in _requests)
        {
            var snapshot = _table.Current;
            var key = _keys.GetKey(context);
            sum += snapshot.Replicas[snapshot.Hash!.GetNodeIndex(key.Chars(id))].Hostname.Length;
        }

        return sum;
    }

    // Only runs when a forward fails; the handler's buffer is on the stack too (BalancerRequestHandler.NextReplica).
    [Benchmark(OperationsPerInvoke = RequestCount, Description = "key + GetNodeIndexes (failover order)")]
    public int FailoverOrder()
    {
        var sum = 0;
        Span<int> order = stackalloc int[64];
        Span<char> id = stackalloc char[RequestKey.IdLength];
        foreach (var context in _requests)
        {
            var snapshot = _table.Current;
            var key = _keys.GetKey(context);
            var hash = snapshot.Hash!;
            sum += order[hash.GetNodeIndexes(key.Chars(id), order[..Math.Min(hash.Count, 64)]) - 1];
        }

        return sum;
    }

    /// <summary>
    /// A request as Kestrel hands it over: method, scheme, host, path and a raw query string that keeps its '?', the
    /// headers a client sends. Kestrel reuses one context per connection, so the lazily created request and header
    /// objects are touched here, outside the measurement, as the first request on a connection would.
    /// </summary>
    private HttpContext Request(string key)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = HttpMethods.Get;
        request.Scheme = "http";
        request.Protocol = "HTTP/1.1";
        request.Host = new HostString("127.0.0.1", 5000);
        request.Path = "/home";
        request.Headers.Accept = "*/*";
        request.Headers.UserAgent = "curl/8.0";
        switch (Key)
        {
            case KeyIn.Query:
                request.QueryString = new QueryString("?key=" + key);
                break;
            case KeyIn.Header:
                request.Headers["X-Ringway-Key"] = key;
                break;
        }

        _ = request.QueryString;
        return context;
    }
}
