using System.Text;
using Keelson.Kubernetes.Config;
using Keelson.Kubernetes.Tests.Support;

namespace Keelson.Kubernetes.Tests.Config;

/// <summary>Kubeconfig files as users write them, used for real against the simulator (HTTPS, its own CA).</summary>
public sealed class KubeConfigClusterTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_kubeconfig_the_simulator_writes_for_kubectl_works_as_is()
    {
        await using var cluster = await TestCluster.StartAsync();
        using var dir = new TempDir();
        var path = cluster.Host.WriteKubeconfig(Path.Combine(dir.Path, "config"));

        using var client = new KubeClient(KubeClientConfig.FromKubeConfig(path));

        Assert.Contains((await client.ListAsync(ApiResource.Namespaces, cancellationToken: Token)).Items, n => n.GetName() == "kube-system");
    }

    [Fact]
    public async Task Merged_KUBECONFIG_with_token_file_and_CA_file_reaches_the_cluster_and_a_named_context_switches_user()
    {
        await using var cluster = await TestCluster.StartAsync();
        using var dir = new TempDir();
        dir.File("certs/ca.crt", cluster.Host.CaCertificatePem!);
        dir.File("token", cluster.Host.Token + "\n");
        var users = dir.File("users.yaml", $"""
            apiVersion: v1
            kind: Config
            current-context: sim
            users:
            - name: good
              user:
                tokenFile: token
            - name: bad
              user:
                token: not-the-token
            contexts:
            - name: sim
              context:
                cluster: sim
                user: good
                namespace: team-a
            """);
        var clusters = dir.File("clusters.yaml", $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: sim
              cluster:
                server: {cluster.Host.Url}
                certificate-authority: certs/ca.crt
            contexts:
            - name: sim
              context:
                cluster: sim
                user: bad
            - name: intruder
              context:
                cluster: sim
                user: bad
            """);
        var list = string.Join(Path.PathSeparator, Path.Combine(dir.Path, "missing.yaml"), users, clusters);
        var environment = TestData.Environment(("KUBECONFIG", list));

        using var client = new KubeClient(KubeClientConfig.Load(new KubeConfigOptions { GetEnvironmentVariable = environment }));
        using var intruder = new KubeClient(KubeClientConfig.Load(new KubeConfigOptions { GetEnvironmentVariable = environment, Context = "intruder" }));

        Assert.Equal("team-a", client.DefaultNamespace);
        Assert.NotEmpty((await client.ListAsync(ApiResource.Namespaces, cancellationToken: Token)).Items);
        var error = await Assert.ThrowsAsync<KubeApiException>(() => intruder.ListAsync(ApiResource.Namespaces, cancellationToken: Token));
        Assert.True(error.IsUnauthorized);
    }

    [Fact]
    public async Task A_client_certificate_signed_by_the_cluster_CA_authenticates_without_a_token()
    {
        await using var cluster = await TestCluster.StartAsync();
        using var dir = new TempDir();
        var (certificate, key) = cluster.Host.IssueClientCertificate("alice", "system:masters");
        var path = dir.File("config", $"""
            apiVersion: v1
            kind: Config
            current-context: sim
            clusters:
            - name: sim
              cluster:
                server: {cluster.Host.Url}
                certificate-authority-data: {Base64(cluster.Host.CaCertificatePem!)}
            users:
            - name: alice
              user:
                client-certificate-data: {Base64(certificate)}
                client-key-data: {Base64(key)}
            contexts:
            - name: sim
              context:
                cluster: sim
                user: alice
            """);

        using var client = new KubeClient(KubeClientConfig.FromKubeConfig(path));

        Assert.NotEmpty((await client.ListAsync(ApiResource.Namespaces, cancellationToken: Token)).Items);
    }

    [Fact]
    public async Task An_exec_plugin_script_supplies_the_token_once_for_many_requests()
    {
        await using var cluster = await TestCluster.StartAsync();
        using var plugin = new ExecPlugin();
        plugin.ReturnToken(cluster.Host.Token, DateTimeOffset.UtcNow.AddHours(1));

        using var client = new KubeClient(KubeClientConfig.FromKubeConfig(plugin.KubeConfig(cluster.Host.Url, cluster.Host.CaCertificatePem!)));
        await client.ListAsync(ApiResource.Namespaces, cancellationToken: Token);
        await client.GetAsync(ApiResource.Namespaces, null, "default", Token);

        Assert.Equal(1, plugin.Runs);
        Assert.Equal(cluster.Host.Url.ToString().TrimEnd('/'), ((string?)plugin.ExecInfo["spec"]?["cluster"]?["server"])?.TrimEnd('/'));
    }

    [Fact]
    public void A_missing_CA_file_is_an_error_naming_the_kubeconfig_and_the_field()
    {
        using var dir = new TempDir();
        var path = dir.File("config", """
            apiVersion: v1
            kind: Config
            current-context: sim
            clusters:
            - name: sim
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority: nowhere/ca.crt
            users:
            - name: u
              user:
                token: t
            contexts:
            - name: sim
              context: { cluster: sim, user: u }
            """);

        var error = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("certificate-authority", error.Message, StringComparison.Ordinal);
        Assert.Contains("nowhere", error.Message, StringComparison.Ordinal);
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
