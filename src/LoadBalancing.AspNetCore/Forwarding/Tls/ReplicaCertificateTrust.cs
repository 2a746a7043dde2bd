using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding;

/// <summary>
/// Validates <c>https://</c> replicas' certificates against the system's roots and the private certificate authorities of
/// <see cref="ForwardingOptions.TrustedCertificateAuthorities"/>. The name check is never relaxed: a certificate for another
/// host is refused whoever signed it.
/// </summary>
internal sealed class ReplicaCertificateTrust
{
    private readonly X509Certificate2Collection _authorities;

    private ReplicaCertificateTrust(X509Certificate2Collection authorities) => _authorities = authorities;

    /// <summary>The trust for the configured authorities, or null when there are none (the handler's own validation applies).</summary>
    public static ReplicaCertificateTrust? Create(ForwardingOptions options)
    {
        if (options.TrustedCertificateAuthorities.Count == 0)
        {
            return null;
        }

        var authorities = new X509Certificate2Collection();
        foreach (var path in options.TrustedCertificateAuthorities)
        {
            // The options validator has read every file already; a file changed since is reported as it would have been.
            if (TryLoad(path, out var certificates) is { } problem)
            {
                throw new InvalidOperationException($"Forwarding:TrustedCertificateAuthorities: {problem}");
            }

            authorities.AddRange(certificates);
        }

        return new ReplicaCertificateTrust(authorities);
    }

    /// <summary>Reads the certificates of a PEM file; returns why it cannot, or null when it can.</summary>
    public static string? TryLoad(string path, out X509Certificate2Collection certificates)
    {
        certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return $"'{path}' is not a readable PEM file of certificates ({e.Message}).";
        }

        return certificates.Count == 0 ? $"'{path}' holds no PEM certificate." : null;
    }

    /// <summary>For <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true; // signed by a system root, name matching
        }

        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false; // no certificate, or a name mismatch: never accepted
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA seldom publishes revocation lists
        if (chain is not null)
        {
            // The intermediates the replica sent.
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }
}
