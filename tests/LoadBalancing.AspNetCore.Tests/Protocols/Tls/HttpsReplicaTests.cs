using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ringway.TestSupport.Tls;

namespace Ringway.LoadBalancing.AspNetCore.Tests.Protocols.Tls;

/// <summary>
/// <c>https://</c> replicas with certificates the test makes: validated by default (a self-signed one is refused with 502 and
/// a log that says why), accepted when a private CA listed in <c>Forwarding:TrustedCertificateAuthorities</c> signed them,
/// never for another host's name. Both forwarder settings (https replicas are YARP's on both).
/// </summary>
public sealed class HttpsReplicaTests
{
    public static TheoryData<ReplicaForwarder> Forwarders => [ReplicaForwarder.Yarp, ReplicaForwarder.Http1];

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task SelfSignedReplica_IsRefusedWith502_AndTheLogNamesTheCertificate(ReplicaForwarder forwarder)
    {
        using var certificate = TestCertificates.Server("127.0.0.1");
        await using var replica = await HttpsReplica.StartAsync("tls-1", certificate);
        var logs = new CapturedLogs();
        await using var balancer = await StartAsync(replica, forwarder, logs);

        using var response = await balancer.Client.GetAsync("/who");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains($"Replica '{replica.Address.Authority}' could not be reached", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Contains(replica.Address.Authority, StringComparison.Ordinal) && e.Contains("certificate", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task ReplicaSignedByATrustedPrivateCa_IsAccepted_OverHttp2(ReplicaForwarder forwarder)
    {
        using var authority = TestCertificates.Authority("Ringway Test CA");
        using var certificate = TestCertificates.Server("127.0.0.1", authority);

        var (status, body) = await GetTrustingAsync(certificate, authority, forwarder);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("tls HTTP/2 True", body); // HTTP/2 by ALPN with the default version settings, and TLS to the replica
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task ReplicaSignedByAnUntrustedCa_IsRefused(ReplicaForwarder forwarder)
    {
        using var authority = TestCertificates.Authority("Ringway Test CA");
        using var other = TestCertificates.Authority("Another CA");
        using var certificate = TestCertificates.Server("127.0.0.1", authority);

        Assert.Equal(HttpStatusCode.BadGateway, (await GetTrustingAsync(certificate, other, forwarder)).Status);
    }

    [Theory]
    [MemberData(nameof(Forwarders))]
    public async Task TrustedCaCertificateForAnotherName_IsRefused(ReplicaForwarder forwarder)
    {
        using var authority = TestCertificates.Authority("Ringway Test CA");
        using var certificate = TestCertificates.Server("replica.example", authority); // not 127.0.0.1

        Assert.Equal(HttpStatusCode.BadGateway, (await GetTrustingAsync(certificate, authority, forwarder)).Status);
    }

    [Fact]
    public void TrustedCertificateAuthorities_FileThatIsNotPem_FailsValidationNamingTheKey()
    {
        var options = new ConsistentHashBalancerOptions();
        options.Forwarding.TrustedCertificateAuthorities.Add("/nonexistent/ringway-ca.pem");

        var result = new ConsistentHashBalancerOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains("Balancer:Forwarding:TrustedCertificateAuthorities:0", result.FailureMessage, StringComparison.Ordinal);
    }

    /// <summary>GET /who of a replica with <paramref name="certificate"/> through a balancer that trusts <paramref name="authority"/>.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> GetTrustingAsync(X509Certificate2 certificate, X509Certificate2 authority, ReplicaForwarder forwarder)
    {
        await using var replica = await HttpsReplica.StartAsync("tls", certificate);
        var caFile = TestCertificates.WritePem(authority);
        try
        {
            await using var balancer = await StartAsync(replica, forwarder, new CapturedLogs(), o => o.Forwarding.TrustedCertificateAuthorities.Add(caFile));
            using var response = await balancer.Client.GetAsync("/who");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    private static Task<TestBalancer> StartAsync(HttpsReplica replica, ReplicaForwarder forwarder, CapturedLogs logs, Action<ConsistentHashBalancerOptions>? configure = null)
        => TestBalancer.StartAsync(
            b => b.AddStaticReplicas([replica.Address.ToString()]),
            o =>
            {
                o.Forwarding.Forwarder = forwarder;
                o.Forwarding.MaxAttempts = 1;
                o.Health.Interval = TimeSpan.FromMinutes(5); // the replica stays in the ring: the request itself meets the certificate
                configure?.Invoke(o);
            },
            services: builder => builder.Logging.AddProvider(logs));

    /// <summary>Warnings and errors with their exceptions' messages, inner ones included.</summary>
    private sealed class CapturedLogs : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _entries = new();

        public IReadOnlyCollection<string> Entries => _entries;

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                _entries.Enqueue($"{formatter(state, exception)} {exception}");
            }
        }

        public void Dispose()
        {
        }
    }
}
