using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Keelson.Kubernetes.Config;

namespace Keelson.Kubernetes.Http;

/// <summary>
/// Server certificate checks for one cluster: the kubeconfig's CA bundle (instead of the system store) when given,
/// the server name (tls-server-name or the URL host, which may be an IP), or nothing at all with insecure-skip-tls-verify.
/// </summary>
internal static class TlsValidation
{
    public static RemoteCertificateValidationCallback Callback(KubeClientConfig config)
    {
        var name = config.TlsServerName ?? config.Server.IdnHost.Trim('[', ']');
        var cas = config.CertificateAuthorities;
        var insecure = config.InsecureSkipTlsVerify;
        return (_, certificate, chain, errors) =>
            Validate(certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())),
                chain, errors, cas, name, insecure);
    }

    public static bool Validate(
        X509Certificate2? certificate, X509Chain? presented, SslPolicyErrors errors, IReadOnlyList<X509Certificate2> cas, string expectedName, bool insecure)
    {
        if (insecure)
        {
            return true;
        }

        if (certificate is null)
        {
            return false;
        }

        if (cas.Count == 0)
        {
            // System trust store; only the name may be checked against something other than the URL host.
            var rest = errors & ~SslPolicyErrors.RemoteCertificateNameMismatch;
            return rest == SslPolicyErrors.None && certificate.MatchesHostname(expectedName);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        foreach (var ca in cas)
        {
            chain.ChainPolicy.CustomTrustStore.Add(ca);
        }
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate) && certificate.MatchesHostname(expectedName);
    }
}
