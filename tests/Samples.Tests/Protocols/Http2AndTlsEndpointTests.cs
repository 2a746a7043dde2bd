using System.Diagnostics;
using Ringway.Samples.Tests.Infrastructure;
using Ringway.TestSupport.Samples;
using Ringway.TestSupport.Tls;

namespace Ringway.Samples.Tests.Protocols;

/// <summary>
/// The sample host's endpoints as docs/configuration.md ("HTTP/2, gRPC and TLS") sets them up, reached with curl: an HTTP/2-only
/// cleartext endpoint answers <c>curl --http2-prior-knowledge</c> with the routed answer, and an HTTPS endpoint whose
/// certificate comes from <c>Kestrel:Endpoints:Https:Certificate:Path/Password</c> ends TLS and speaks HTTP/2 by ALPN.
/// </summary>
public sealed class Http2AndTlsEndpointTests : IAsyncLifetime
{
    private TestBackendServer _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackendServer.StartAsync();

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task H2cEndpoint_CurlWithPriorKnowledge_GetsTheRoutedAnswerOverHttp2()
    {
        await using var host = await SampleHost.StartAsync(
            "--backends", _backend.Address,
            "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Http2:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Http2:Protocols=Http2");
        var h2c = Assert.Single(host.OtherAddresses);

        var (version, body) = await CurlAsync("--http2-prior-knowledge", new Uri(h2c, "/home?key=user-42").ToString());

        Assert.Equal(("2", "Hello from the test backend"), (version, body));
        // The HTTP/1.1 endpoint keeps serving HTTP/1.1 clients.
        Assert.Equal(("1.1", "Hello from the test backend"), await CurlAsync("--http1.1", new Uri(host.Address, "/home?key=user-42").ToString()));
    }

    [Fact]
    public async Task HttpsEndpoint_CertificateFromConfiguration_EndsTlsWithHttp2ByAlpn()
    {
        using var authority = TestCertificates.Authority("Ringway Sample CA");
        using var certificate = TestCertificates.Server("127.0.0.1", authority);
        const string password = "sample-password";
        var pfx = TestCertificates.WritePfx(certificate, password);
        var caFile = TestCertificates.WritePem(authority);
        try
        {
            await using var host = await SampleHost.StartAsync(
                "--backends", _backend.Address,
                "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
                "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:0",
                $"--Kestrel:Endpoints:Https:Certificate:Path={pfx}", $"--Kestrel:Endpoints:Https:Certificate:Password={password}");
            var https = Assert.Single(host.OtherAddresses);
            Assert.Equal("https", https.Scheme);

            var answer = await CurlAsync("--http2", "--cacert", caFile, new Uri(https, "/home?key=user-42").ToString());

            Assert.Equal(("2", "Hello from the test backend"), answer);
        }
        finally
        {
            File.Delete(pfx);
            File.Delete(caFile);
        }
    }

    /// <summary>Runs curl (no proxy, 20 s at most) and returns the HTTP version it used and the body.</summary>
    private static async Task<(string Version, string Body)> CurlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-sS", "--noproxy", "*", "--max-time", "20", "-w", "\n%{http_version}" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var curl = Process.Start(start)!;
        var output = curl.StandardOutput.ReadToEndAsync();
        var errors = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.True(curl.ExitCode == 0, $"curl failed ({curl.ExitCode}): {await errors}");
        var text = await output;
        var newline = text.LastIndexOf('\n');
        return (text[(newline + 1)..], text[..newline]);
    }
}
