using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Ringway.LoadBalancing.Benchmarks;

/// <summary>
/// What one forwarded upload costs: the hosts of <see cref="ForwardingBenchmarks"/>, one op is one sequential
/// <c>POST /upload?key=&lt;fresh 16 chars&gt;</c> with a 4 KiB body (Content-Length) that the backend reads whole and
/// answers with its length. On the lean path a body goes up while the response head is awaited (so early answers are
/// heard at once); these rows show what that costs next to the GET rows.
/// </summary>
[MemoryDiagnoser]
public class UploadForwardingBenchmarks
{
    private static readonly TimeSpan WarmUpPerPath = TimeSpan.FromSeconds(3);
    private readonly byte[] _body = new byte[4096];
    private readonly Random _random = new(42);
    private BenchHosts _hosts = null!;
    private string _direct = null!;
    private string _yarp = null!;
    private string _http1 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hosts = BenchHosts.StartAsync().GetAwaiter().GetResult();
        _direct = _hosts.Backend + "upload?key=";
        _yarp = _hosts.YarpBalancer + "upload?key=";
        _http1 = _hosts.Http1Balancer + "upload?key=";
        foreach (var prefix in new[] { _direct, _yarp, _http1 })
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < WarmUpPerPath)
            {
                PostAsync(prefix).GetAwaiter().GetResult();
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _hosts.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "POST 4 KiB, direct")]
    public Task<string> Direct() => PostAsync(_direct);

    [Benchmark(Description = "POST 4 KiB, Forwarder=Yarp")]
    public Task<string> Yarp() => PostAsync(_yarp);

    [Benchmark(Description = "POST 4 KiB, Forwarder=Http1")]
    public Task<string> Http1() => PostAsync(_http1);

    private async Task<string> PostAsync(string prefix)
    {
        var url = string.Create(prefix.Length + RandomKeys.Length, (prefix, _random), static (span, state) =>
        {
            state.prefix.CopyTo(span);
            RandomKeys.Fill(span[state.prefix.Length..], state._random);
        });
        using var content = new ByteArrayContent(_body);
        using var response = await _hosts.Client.PostAsync(url, content).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
    }
}
