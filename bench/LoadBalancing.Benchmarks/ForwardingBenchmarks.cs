using BenchmarkDotNet.Attributes;

namespace Ringway.LoadBalancing.Benchmarks;

/// <summary>
/// What one forwarded request costs the balancer, in bytes allocated and in latency: a backend answering like
/// samples/Server, two balancers in front of it (Forwarder = Yarp and Http1, static replicas, the sample host's key
/// sources) and a keep-alive HttpClient, all real Kestrel on 127.0.0.1 port 0 in this one process. One op is one
/// sequential <c>GET /home?key=&lt;fresh 16 chars&gt;</c>.
/// <para>
/// BenchmarkDotNet 0.15.8's MemoryDiagnoser (net8.0 build) reads <c>GC.GetTotalAllocatedBytes(precise: true)</c> after a
/// <c>GC.Collect()</c> (Engines/GcStats.cs): the whole process, every thread. So each row holds the client, Kestrel's
/// side of every hop and the backend; a balancer row minus Direct is what the balancer allocates per request (its
/// Kestrel connection handling plus routing plus forwarder). All three hosts run in every case, so background work
/// (heartbeats, once a second per balancer) is in every row and cancels out.
/// </para>
/// </summary>
[MemoryDiagnoser]
public class ForwardingBenchmarks : ForwardedRequestBenchmarks
{
    protected override string Path => "home";

    [Benchmark(Baseline = true, Description = "Direct (client -> backend)")]
    public Task<string> Direct() => SendAsync(DirectPrefix);

    [Benchmark(Description = "Balancer, Forwarder=Yarp")]
    public Task<string> Yarp() => SendAsync(YarpPrefix);

    [Benchmark(Description = "Balancer, Forwarder=Http1")]
    public Task<string> Http1() => SendAsync(Http1Prefix);

    protected override Task<string> SendAsync(string prefix) => Hosts.Client.GetStringAsync(FreshUrl(prefix));
}
