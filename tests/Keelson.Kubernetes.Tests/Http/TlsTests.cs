using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Keelson.Kubernetes.Config;
using Keelson.Kubernetes.Http;
using Keelson.Kubernetes.Tests.Support;

namespace Keelson.Kubernetes.Tests.Http;

/// <summary>Server verification and client certificates, over real TLS handshakes with a local endpoint.</summary>
public sealed class TlsTests
{
    private static readonly TestCertificates Certificates = TestCertificates.Create();

    [Fact]
    public async Task Server_signed_by_the_configured_CA_is_trusted()
    {
        await using var server = await TestHttpsServer.StartAsync(Certificates, ctx => TestHttpsServer.WriteConfigMapAsync(ctx));
        using var client = new KubeClient(Config(server.Url));

        var cm = await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);

        Assert.Equal("settings", cm.GetName());
    }

    [Fact]
    public async Task Server_signed_by_another_CA_is_refused()
    {
        var other = TestCertificates.Create("someone-else");
        await using var server = await TestHttpsServer.StartAsync(other, ctx => TestHttpsServer.WriteConfigMapAsync(ctx));
        using var client = new KubeClient(Config(server.Url));

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() =>
            client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken));

        Assert.IsType<AuthenticationException>(ex.InnerException);
    }

    [Fact]
    public async Task Insecure_skip_tls_verify_accepts_any_server_certificate()
    {
        var other = TestCertificates.Create("someone-else");
        await using var server = await TestHttpsServer.StartAsync(other, ctx => TestHttpsServer.WriteConfigMapAsync(ctx));
        using var client = new KubeClient(new KubeClientConfig { Server = server.Url, InsecureSkipTlsVerify = true });

        var cm = await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);

        Assert.Equal("settings", cm.GetName());
    }

    [Fact]
    public async Task Tls_server_name_verifies_a_certificate_that_does_not_name_the_address()
    {
        var named = TestCertificates.ForNames("kubernetes.default.svc");
        await using var server = await TestHttpsServer.StartAsync(named, ctx => TestHttpsServer.WriteConfigMapAsync(ctx));
        var config = new KubeClientConfig { Server = server.Url, CertificateAuthorities = [named.Ca] };

        using (var plain = new KubeClient(config))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() =>
                plain.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken));
        }

        using var withName = new KubeClient(new KubeClientConfig { Server = server.Url, CertificateAuthorities = [named.Ca], TlsServerName = "kubernetes.default.svc" });
        var cm = await withName.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);
        Assert.Equal("settings", cm.GetName());
    }

    [Fact]
    public async Task Kubeconfig_client_certificate_authenticates_with_mutual_TLS()
    {
        using var cert = Certificates.IssueClient("alice");
        await using var server = await TestHttpsServer.StartAsync(
            Certificates,
            async ctx => await TestHttpsServer.WriteConfigMapAsync(ctx, (await ctx.Connection.GetClientCertificateAsync())?.GetNameInfo(X509NameType.SimpleName, false) ?? "none"),
            requireClientCertificate: true);
        using var dir = new TempDir();
        var kubeconfig = dir.File("config", $"""
            apiVersion: v1
            kind: Config
            current-context: c
            clusters:
            - name: c
              cluster:
                server: {server.Url}
                certificate-authority: ca.crt
            users:
            - name: alice
              user:
                client-certificate: alice.crt
                client-key: alice.key
            contexts:
            - name: c
              context: {"{"}cluster: c, user: alice{"}"}
            """);
        dir.File("ca.crt", Certificates.CaPem);
        dir.File("alice.crt", cert.ExportCertificatePem());
        dir.File("alice.key", cert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        using var client = new KubeClient(KubeClientConfig.FromKubeConfig(kubeconfig));

        var cm = await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);

        Assert.Equal("alice", cm.GetName());
    }

    [Fact]
    public void Validation_without_a_CA_uses_the_system_verdict_but_checks_the_configured_name()
    {
        var named = TestCertificates.ForNames("api.internal");

        Assert.True(TlsValidation.Validate(named.Server, null, SslPolicyErrors.RemoteCertificateNameMismatch, [], "api.internal", insecure: false));
        Assert.False(TlsValidation.Validate(named.Server, null, SslPolicyErrors.RemoteCertificateNameMismatch, [], "other.internal", insecure: false));
        Assert.False(TlsValidation.Validate(named.Server, null, SslPolicyErrors.RemoteCertificateChainErrors, [], "api.internal", insecure: false));
    }

    [Fact]
    public void Validation_with_a_CA_accepts_an_IP_address_in_the_certificate()
    {
        Assert.True(TlsValidation.Validate(Certificates.Server, null, SslPolicyErrors.RemoteCertificateChainErrors, [Certificates.Ca], "127.0.0.1", insecure: false));
        Assert.False(TlsValidation.Validate(Certificates.Server, null, SslPolicyErrors.None, [Certificates.Ca], "10.0.0.1", insecure: false));
    }

    private static KubeClientConfig Config(Uri server) => new() { Server = server, CertificateAuthorities = [Certificates.Ca] };
}
