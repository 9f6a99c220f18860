using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Keelson.Kubernetes.Config;
using Keelson.Kubernetes.Tests.Support;
using Keelson.Testing;
using Microsoft.AspNetCore.Http;

namespace Keelson.Kubernetes.Tests.Config;

/// <summary>Exec credential plugins, run for real, authenticating against a real HTTPS endpoint.</summary>
public sealed class ExecPluginTests
{
    private static readonly TestCertificates Certificates = TestCertificates.Create();

    [Fact]
    public async Task Plugin_token_authenticates_and_is_reused_until_it_expires()
    {
        var clock = new FakeTimeProvider();
        using var plugin = new ExecPlugin();
        plugin.ReturnToken("tok-1", expires: clock.GetUtcNow().AddMinutes(10));
        var seen = new ConcurrentQueue<string>();
        await using var server = await TestHttpsServer.StartAsync(Certificates, ctx => Accept(ctx, seen, "tok-1", "tok-2"));
        using var client = Client(plugin.KubeConfig(server.Url, Certificates.CaPem), clock);

        await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);
        await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);
        Assert.Equal(1, plugin.Runs);

        plugin.ReturnToken("tok-2", expires: clock.GetUtcNow().AddMinutes(20));
        clock.Advance(TimeSpan.FromMinutes(9));
        await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);
        Assert.Equal(1, plugin.Runs);

        clock.Advance(TimeSpan.FromMinutes(1));
        await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);
        Assert.Equal(2, plugin.Runs);
        Assert.Equal(["Bearer tok-1", "Bearer tok-1", "Bearer tok-1", "Bearer tok-2"], seen);
    }

    [Fact]
    public async Task A_401_runs_the_plugin_again_and_retries_once()
    {
        using var plugin = new ExecPlugin();
        plugin.ReturnToken("old");
        var valid = "old";
        var seen = new ConcurrentQueue<string>();
        await using var server = await TestHttpsServer.StartAsync(Certificates, ctx => Accept(ctx, seen, valid));
        using var client = Client(plugin.KubeConfig(server.Url, Certificates.CaPem), TimeProvider.System);
        await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);

        valid = "new"; // the server revoked the old token
        plugin.ReturnToken("new");
        var cm = await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);

        Assert.Equal("settings", cm.GetName());
        Assert.Equal(2, plugin.Runs);
        Assert.Equal(["Bearer old", "Bearer old", "Bearer new"], seen);
    }

    [Fact]
    public async Task Plugin_gets_args_env_and_cluster_info()
    {
        using var plugin = new ExecPlugin();
        plugin.ReturnToken("t");
        await using var server = await TestHttpsServer.StartAsync(Certificates, ctx => Accept(ctx, new(), "t"));
        using var client = Client(plugin.KubeConfig(server.Url, Certificates.CaPem), TimeProvider.System);

        await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);

        Assert.Equal(["get-token", "--cluster", "prod east"], plugin.Args);
        Assert.Equal("ci", plugin.Env);
        var info = plugin.ExecInfo;
        Assert.Equal("client.authentication.k8s.io/v1", info["apiVersion"]!.GetValue<string>());
        Assert.Equal("ExecCredential", info["kind"]!.GetValue<string>());
        Assert.False(info["spec"]!["interactive"]!.GetValue<bool>());
        var cluster = info["spec"]!["cluster"]!;
        Assert.Equal(server.Url.ToString(), cluster["server"]!.GetValue<string>());
        Assert.Equal(Certificates.CaPem, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(cluster["certificate-authority-data"]!.GetValue<string>())));
        Assert.Equal("keelson", cluster["config"]!["audience"]!.GetValue<string>());
    }

    [Fact]
    public async Task V1beta1_plugins_work_and_get_no_cluster_info_unless_asked()
    {
        using var plugin = new ExecPlugin();
        plugin.ReturnToken("beta", apiVersion: "client.authentication.k8s.io/v1beta1");
        await using var server = await TestHttpsServer.StartAsync(Certificates, ctx => Accept(ctx, new(), "beta"));
        using var client = Client(plugin.KubeConfig(server.Url, Certificates.CaPem, "client.authentication.k8s.io/v1beta1", provideClusterInfo: false), TimeProvider.System);

        await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);

        Assert.Null(plugin.ExecInfo["spec"]!["cluster"]);
    }

    [Fact]
    public async Task Failing_plugin_explains_with_its_stderr_and_exit_code()
    {
        using var plugin = new ExecPlugin();
        plugin.Fail();
        using var client = Client(plugin.KubeConfig(new Uri("https://127.0.0.1:1"), Certificates.CaPem), TimeProvider.System);

        var ex = await Assert.ThrowsAsync<KubeCredentialException>(() =>
            client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken));

        Assert.Contains("exec plugin plugin.sh exited with code 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("run 'cloud login' again", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"s3cr3t-token","expirationTimestamp":"soon"}}""", "not RFC 3339")]
    [InlineData("""{"apiVersion":"client.authentication.k8s.io/v1alpha1","kind":"ExecCredential","status":{"token":"s3cr3t-token"}}""", "apiVersion 'client.authentication.k8s.io/v1alpha1'")]
    [InlineData("""token: s3cr3t-token""", "not JSON")]
    [InlineData("""{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}""", "neither status.token nor")]
    public async Task Bad_plugin_output_is_explained_without_echoing_it(string output, string expected)
    {
        using var plugin = new ExecPlugin();
        plugin.ReturnRaw(output);
        using var client = Client(plugin.KubeConfig(new Uri("https://127.0.0.1:1"), Certificates.CaPem), TimeProvider.System);

        var ex = await Assert.ThrowsAsync<KubeCredentialException>(() =>
            client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_plugin_shows_the_install_hint()
    {
        using var plugin = new ExecPlugin();
        var kubeconfig = plugin.KubeConfig(new Uri("https://127.0.0.1:1"), Certificates.CaPem);
        File.Delete(plugin.Command);
        using var client = Client(kubeconfig, TimeProvider.System);

        var ex = await Assert.ThrowsAsync<KubeCredentialException>(() =>
            client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken));

        Assert.Contains("could not be started", ex.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install cloud-cli", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plugin_client_certificate_is_presented_in_the_TLS_handshake()
    {
        using var plugin = new ExecPlugin();
        using var cert = Certificates.IssueClient("plugin-user");
        plugin.ReturnCertificate(cert.ExportCertificatePem(), cert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        await using var server = await TestHttpsServer.StartAsync(
            Certificates,
            async ctx =>
            {
                var presented = await ctx.Connection.GetClientCertificateAsync();
                await TestHttpsServer.WriteConfigMapAsync(ctx, presented?.GetNameInfo(X509NameType.SimpleName, false) ?? "none");
            },
            requireClientCertificate: true);
        using var client = Client(plugin.KubeConfig(server.Url, Certificates.CaPem), TimeProvider.System);

        var cm = await client.GetAsync(ApiResource.ConfigMaps, "default", "settings", TestContext.Current.CancellationToken);

        Assert.Equal("plugin-user", cm.GetName());
    }

    private static KubeClient Client(string kubeconfig, TimeProvider clock) =>
        new(KubeClientConfig.FromKubeConfig(kubeconfig), new KubeClientOptions { TimeProvider = clock, Qps = 0, MaxRetries = 0 });

    private static Task Accept(HttpContext ctx, ConcurrentQueue<string> seen, params string[] tokens)
    {
        var auth = ctx.Request.Headers.Authorization.ToString();
        seen.Enqueue(auth);
        return tokens.Any(t => auth == "Bearer " + t) ? TestHttpsServer.WriteConfigMapAsync(ctx) : TestHttpsServer.WriteUnauthorizedAsync(ctx);
    }
}
