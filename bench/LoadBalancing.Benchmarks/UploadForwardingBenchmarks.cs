using BenchmarkDotNet.Attributes;

namespace Ringway.LoadBalancing.Benchmarks;

/// <summary>
/// What one forwarded upload costs: the hosts of <see cref="ForwardingBenchmarks"/>, one op is one sequential
/// <c>POST /upload?key=&lt;fresh 16 chars&gt;</c> with a 4 KiB body (Content-Length) that the backend reads whole and
/// answers with its length. On the lean path a body goes up while the response head is awaited (so early answers are
/// heard at once); these rows show what that costs next to the GET rows.
/// </summary>
[MemoryDiagnoser]
public class UploadForwardingBenchmarks : ForwardedRequestBenchmarks
{
    private readonly byte[] _body = new byte[4096];

    protected override string Path => "upload";

    [Benchmark(Baseline = true, Description = "POST 4 KiB, direct")]
    public Task<string> Direct() => SendAsync(DirectPrefix);

    [Benchmark(Description = "POST 4 KiB, Forwarder=Yarp")]
    public Task<string> Yarp() => SendAsync(YarpPrefix);

    [Benchmark(Description = "POST 4 KiB, Forwarder=Http1")]
    public Task<string> Http1() => SendAsync(Http1Prefix);

    protected override async Task<string> SendAsync(string prefix)
    {
        using var content = new ByteArrayContent(_body);
        using var response = await Hosts.Client.PostAsync(FreshUrl(prefix), content).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
    }
}
