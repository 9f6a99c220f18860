using Keelson.Kubernetes.Config;
using Keelson.Kubernetes.Tests.Support;

namespace Keelson.Kubernetes.Tests.Config;

public sealed class KubeConfigLoaderTests
{
    [Fact]
    public void Single_file_uses_current_context_with_its_namespace_and_credentials()
    {
        var config = KubeClientConfig.FromKubeConfig(TestData.KubeConfig("single", "config"));

        Assert.Equal(new Uri("https://dev.example.test:6443"), config.Server);
        Assert.Equal("dev", config.Context);
        Assert.Equal("team-a", config.Namespace);
        Assert.Equal("kubernetes.default.svc", config.TlsServerName);
        Assert.Single(config.CertificateAuthorities);
        Assert.Equal("CN=keelson-test-ca", config.CertificateAuthorities[0].Subject);
        Assert.NotNull(config.ClientCertificate);
        Assert.True(config.ClientCertificate.HasPrivateKey);
        Assert.Contains("CN=alice", config.ClientCertificate.Subject, StringComparison.Ordinal);
        Assert.Equal("bearer token", config.Credentials.Description);
    }

    [Fact]
    public void Named_context_without_namespace_defaults_to_default_and_has_no_user()
    {
        var config = KubeClientConfig.FromKubeConfig(TestData.KubeConfig("single", "config"), "other");

        Assert.Equal("other", config.Context);
        Assert.Equal("default", config.Namespace);
        Assert.Same(KubeCredentials.None, config.Credentials);
        Assert.Null(config.ClientCertificate);
    }

    [Fact]
    public void ToString_never_shows_tokens_or_keys()
    {
        var config = KubeClientConfig.FromKubeConfig(TestData.KubeConfig("single", "config"));

        var text = config.ToString() + config.Credentials;
        Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);
        Assert.Contains("dev.example.test", text, StringComparison.Ordinal);
    }

    [Fact]
    public void KUBECONFIG_list_merges_with_the_first_file_winning_each_name()
    {
        var list = string.Join(Path.PathSeparator, TestData.KubeConfig("merged", "first.yaml"), TestData.KubeConfig("merged", "second.yaml"), TestData.KubeConfig("merged", "third.yaml"));
        var options = new KubeConfigOptions { GetEnvironmentVariable = TestData.Environment(("KUBECONFIG", list)) };

        var config = KubeClientConfig.FromKubeConfig(options);

        // current-context comes from the first file that sets one (second.yaml), the context "shared" from the first
        // file that defines it (first.yaml), and so do its cluster and user.
        Assert.Equal("shared", config.Context);
        Assert.Equal("from-first", config.Namespace);
        Assert.Equal(new Uri("https://first.example.test"), config.Server);
        Assert.True(config.InsecureSkipTlsVerify);
        Assert.Equal("bearer token", config.Credentials.Description);
        Assert.Contains("first.yaml", config.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void KUBECONFIG_list_reaches_names_only_later_files_define()
    {
        var list = string.Join(Path.PathSeparator, TestData.KubeConfig("merged", "first.yaml"), TestData.KubeConfig("merged", "second.yaml"));
        var options = new KubeConfigOptions { GetEnvironmentVariable = TestData.Environment(("KUBECONFIG", list)), Context = "second-only" };

        var config = KubeClientConfig.FromKubeConfig(options);

        Assert.Equal(new Uri("https://only-second.example.test"), config.Server);
        Assert.Equal("basic auth (bob)", config.Credentials.Description);
    }

    [Fact]
    public void KUBECONFIG_list_skips_files_that_do_not_exist()
    {
        var list = string.Join(Path.PathSeparator, "/nonexistent/keelson/config", TestData.KubeConfig("merged", "second.yaml"), "");
        var options = new KubeConfigOptions { GetEnvironmentVariable = TestData.Environment(("KUBECONFIG", list)) };

        var config = KubeClientConfig.FromKubeConfig(options);

        Assert.Equal(new Uri("https://only-second.example.test"), config.Server);
    }

    [Fact]
    public void KUBECONFIG_list_where_no_file_exists_is_an_error_naming_it()
    {
        var options = new KubeConfigOptions { GetEnvironmentVariable = TestData.Environment(("KUBECONFIG", "/nonexistent/a:/nonexistent/b")) };

        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(options));

        Assert.Contains("/nonexistent/a", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_KUBECONFIG_the_home_config_is_used()
    {
        using var home = new TempDir();
        File.Copy(TestData.KubeConfig("single", "config"), home.File(".kube/config", ""), overwrite: true);
        var options = new KubeConfigOptions { GetEnvironmentVariable = TestData.Environment(("HOME", home.Path)) };

        var config = KubeClientConfig.FromKubeConfig(options);

        Assert.Equal("dev", config.Context);
        Assert.Equal(Path.Combine(home.Path, ".kube", "config"), config.Source);
    }

    [Fact]
    public void Relative_paths_resolve_against_the_kubeconfig_folder_not_the_working_directory()
    {
        var config = KubeClientConfig.FromKubeConfig(TestData.KubeConfig("relative-paths", "config"));

        Assert.Equal("CN=keelson-test-ca", Assert.Single(config.CertificateAuthorities).Subject);
        Assert.NotNull(config.ClientCertificate);
        Assert.True(config.ClientCertificate.HasPrivateKey);
        var tokenFile = Assert.IsType<TokenFileCredentials>(config.Credentials);
        Assert.Equal(TestData.KubeConfig("relative-paths", "token"), tokenFile.Path);
    }

    [Fact]
    public void Missing_context_is_an_error_naming_the_context_the_file_and_the_known_contexts()
    {
        var path = TestData.KubeConfig("missing-context", "config");

        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(path));

        Assert.Contains("\"staging\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("production", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_current_context_is_an_error_asking_for_one()
    {
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(TestData.KubeConfig("no-current-context", "config")));

        Assert.Contains("current-context is not set", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_base64_names_file_field_and_line_but_not_the_value()
    {
        var path = TestData.KubeConfig("bad-base64", "config");

        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(path));

        Assert.Equal(path, ex.File);
        Assert.Equal("users[alice].user.client-certificate-data", ex.Field);
        Assert.Contains("line 11", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not valid base64", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("this is not base64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_server_names_the_cluster_field()
    {
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(TestData.KubeConfig("missing-server", "config")));

        Assert.Equal("clusters[broken].cluster.server", ex.Field);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Context_pointing_at_an_unknown_cluster_names_both()
    {
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(TestData.KubeConfig("missing-cluster", "config")));

        Assert.Equal("contexts[c].context.cluster", ex.Field);
        Assert.Contains("\"imaginary\" not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_yaml_names_the_file_and_line()
    {
        var path = TestData.KubeConfig("invalid-yaml", "config");

        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(path));

        Assert.Equal(path, ex.File);
        Assert.Contains("not valid YAML", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_authority_with_insecure_skip_is_rejected_like_kubectl_does()
    {
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(TestData.KubeConfig("ca-and-insecure", "config")));

        Assert.Equal("clusters[c].cluster.insecure-skip-tls-verify", ex.Field);
    }

    [Fact]
    public void Client_certificate_without_key_names_the_missing_field()
    {
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(TestData.KubeConfig("cert-without-key", "config")));

        Assert.Equal("users[half].user.client-key-data", ex.Field);
    }

    [Fact]
    public void Auth_provider_points_to_exec_plugins_and_hides_its_config()
    {
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(TestData.KubeConfig("auth-provider", "config")));

        Assert.Equal("users[gke].user.auth-provider", ex.Field);
        Assert.Contains("gke-gcloud-auth-plugin", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exec_v1_requires_interactive_mode()
    {
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig(TestData.KubeConfig("exec-v1-without-interactive-mode", "config")));

        Assert.Equal("users[u].user.exec.interactiveMode", ex.Field);
    }

    [Fact]
    public void Exec_config_resolves_a_relative_command_against_the_kubeconfig_folder()
    {
        var file = KubeConfigFile.Load(TestData.KubeConfig("exec", "config"));

        var exec = Assert.Single(file.Users).Exec!;
        Assert.Equal(TestData.KubeConfig("exec", "bin", "get-token"), exec.Command);
        Assert.Equal(["eks", "get-token", "--cluster-name", "prod"], exec.Args);
        Assert.Equal(new KeyValuePair<string, string>("AWS_PROFILE", "prod"), Assert.Single(exec.Env));
        Assert.Equal("Never", exec.InteractiveMode);
        Assert.True(exec.ProvideClusterInfo);
        Assert.Equal("Install the AWS CLI.", exec.InstallHint);
        Assert.Equal("keelson-test", Single(file.Clusters).ExecExtension?["audience"]?.GetValue<string>());

        static ClusterEntry Single(List<ClusterEntry> c) => Assert.Single(c);
    }

    [Fact]
    public void Explicit_path_that_does_not_exist_is_an_error()
    {
        var ex = Assert.Throws<KubeConfigException>(() => KubeClientConfig.FromKubeConfig("/nonexistent/keelson/kubeconfig"));

        Assert.Contains("/nonexistent/keelson/kubeconfig does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_prefers_KUBECONFIG_then_in_cluster()
    {
        using var sa = InClusterFolder("ns-from-pod");
        var inCluster = new KubeConfigOptions
        {
            GetEnvironmentVariable = TestData.Environment(("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443")),
            ServiceAccountPath = sa.Path,
        };
        var both = inCluster with
        {
            GetEnvironmentVariable = TestData.Environment(
                ("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443"), ("KUBECONFIG", TestData.KubeConfig("single", "config"))),
        };

        Assert.Equal("in-cluster", KubeClientConfig.Load(inCluster).Source);
        Assert.Equal("dev", KubeClientConfig.Load(both).Context);
    }

    [Fact]
    public void In_cluster_reads_service_environment_token_file_ca_and_namespace()
    {
        using var sa = InClusterFolder("keelson-system");
        var options = new KubeConfigOptions
        {
            GetEnvironmentVariable = TestData.Environment(("KUBERNETES_SERVICE_HOST", "fd00::1"), ("KUBERNETES_SERVICE_PORT", "6443")),
            ServiceAccountPath = sa.Path,
        };

        var config = KubeClientConfig.FromInCluster(options);

        Assert.Equal(new Uri("https://[fd00::1]:6443"), config.Server);
        Assert.Equal("keelson-system", config.Namespace);
        Assert.Equal("CN=keelson-test-ca", Assert.Single(config.CertificateAuthorities).Subject);
        Assert.Equal(Path.Combine(sa.Path, "token"), Assert.IsType<TokenFileCredentials>(config.Credentials).Path);
    }

    [Fact]
    public void In_cluster_outside_a_cluster_says_so()
    {
        var ex = Assert.Throws<KubeConfigException>(() =>
            KubeClientConfig.FromInCluster(new KubeConfigOptions { GetEnvironmentVariable = TestData.Environment() }));

        Assert.Contains("KUBERNETES_SERVICE_HOST", ex.Message, StringComparison.Ordinal);
    }

    private static TempDir InClusterFolder(string ns)
    {
        var dir = new TempDir();
        dir.File("token", "pod-token-s3cr3t\n");
        dir.File("ca.crt", File.ReadAllText(TestData.KubeConfig("relative-paths", "certs", "ca.crt")));
        dir.File("namespace", ns);
        return dir;
    }
}
