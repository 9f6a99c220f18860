using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Keelson.Kubernetes.Tests.Support;

/// <summary>A throwaway CA with a server certificate (and client certificates on demand) for HTTPS tests.</summary>
internal sealed class TestCertificates
{
    private readonly ECDsa _caKey;

    private TestCertificates(string caName, string[] serverNames, bool serverIp)
    {
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={caName}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Ca = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in serverNames)
        {
            san.AddDnsName(name);
        }

        if (serverIp)
        {
            san.AddIpAddress(IPAddress.Loopback);
        }

        Server = Issue("CN=test-apiserver", san.Build(), new Oid("1.3.6.1.5.5.7.3.1"));
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    public string CaPem => Ca.ExportCertificatePem();

    /// <summary>Server certificate for 127.0.0.1 and localhost.</summary>
    public static TestCertificates Create(string caName = "keelson-test-ca") => new(caName, ["localhost"], serverIp: true);

    /// <summary>Server certificate for the given DNS names only (no IP).</summary>
    public static TestCertificates ForNames(params string[] names) => new("keelson-test-ca", names, serverIp: false);

    public X509Certificate2 IssueClient(string commonName) => Issue($"CN={commonName}", null, new Oid("1.3.6.1.5.5.7.3.2"));

    private X509Certificate2 Issue(string subject, X509Extension? san, Oid usage)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }

        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), now.AddDays(-1), now.AddMonths(6), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
