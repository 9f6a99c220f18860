using System.Security.Cryptography;
using System.Text;
using Keelson.Testing.Http;

namespace Keelson.Operator.Tests.Scenarios;

/// <summary>An Application whose source is a chart of a Helm HTTP repository served on 127.0.0.1, behind basic auth.</summary>
public sealed class HelmRepositoryTests
{
    private const string User = "charts";
    private const string Password = "s3cret-chart-pass";

    private static byte[] Web(string version) => ChartArchive.Pack("web", new Dictionary<string, string>
    {
        ["Chart.yaml"] = $"apiVersion: v2\nname: web\nversion: {version}\n",
        ["values.yaml"] = "greeting: hello\n",
        ["templates/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-web\ndata:\n  version: {{ .Chart.Version | quote }}\n  greeting: {{ .Values.greeting | quote }}\n",
    });

    private static void Publish(FileServer server, params string[] versions)
    {
        var index = new StringBuilder("apiVersion: v1\nentries:\n  web:\n");
        foreach (var version in versions)
        {
            var data = Web(version);
            server.Files[$"/web-{version}.tgz"] = data;
            index.Append($"  - name: web\n    version: {version}\n    urls: [web-{version}.tgz]\n    digest: {Convert.ToHexStringLower(SHA256.HashData(data))}\n");
        }

        server.Files["/index.yaml"] = Encoding.UTF8.GetBytes(index.ToString());
    }

    private static string App(Uri repo, string range) => $$"""
        apiVersion: keelson.dev/v1alpha1
        kind: Application
        metadata:
          name: site
          namespace: {{Scenario.AppNamespace}}
        spec:
          source:
            repoURL: {{repo.AbsoluteUri}}
            chart: web
            targetRevision: "{{range}}"
            secretRef: {name: chart-creds}
            helm:
              valuesObject: {greeting: hi}
          destination:
            namespace: shop
          syncPolicy:
            automated: {prune: true}
            syncOptions: [CreateNamespace=true]
            retry: {limit: 3, backoff: {duration: 1s, factor: 2, maxDuration: 5s} }
        """;

    [Fact]
    public async Task A_chart_from_a_helm_repository_syncs_at_the_highest_allowed_version_with_basic_auth()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new FileServer { RequiredAuth = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")) };
        Publish(server, "1.0.0", "1.1.0", "1.2.0-rc.1", "2.0.0");
        await using var s = await Scenario.StartAsync(ct);
        await s.KubectlAsync(["create", "secret", "generic", "chart-creds", "-n", Scenario.AppNamespace, $"--from-literal=username={User}", $"--from-literal=password={Password}"]);
        await s.KubectlAsync(["apply", "-f", "-"], App(server.Url, "^1.0.0"));

        await s.WaitForAsync("site", st => st.SyncStatus == "Synced" && st.Revision == "1.1.0", "Synced at chart version 1.1.0", ct);
        var data = (await s.ConfigMapAsync("shop", "site-web", ct))?["data"];
        Assert.Equal("1.1.0", data?["version"]?.GetValue<string>());
        Assert.Equal("hi", data?["greeting"]?.GetValue<string>());

        // A new version in the range is picked up on the next refresh.
        Publish(server, "1.0.0", "1.1.0", "1.3.0", "2.0.0");
        await s.RefreshAsync("site");
        await s.WaitForAsync("site", st => st.SyncStatus == "Synced" && st.Revision == "1.3.0", "Synced at chart version 1.3.0", ct);
        Assert.Equal("1.3.0", (await s.ConfigMapAsync("shop", "site-web", ct))?["data"]?["version"]?.GetValue<string>());

        // The repository's work in /metrics: two charts downloaded, the index read for each.
        var metrics = s.Host.Metrics.Render();
        Assert.Contains("keelson_helm_downloads_total 2\n", metrics, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^keelson_helm_index_requests_total\{result=""read""\} [2-9]$", metrics);
        Assert.Contains("keelson_helm_download_duration_seconds_count 2\n", metrics, StringComparison.Ordinal);

        // A range nothing satisfies is a ComparisonError; what runs stays.
        await s.KubectlAsync(["patch", "-n", Scenario.AppNamespace, "app", "site", "--type=merge", "-p", """{"spec":{"source":{"targetRevision":"^9.0.0"}}}"""]);
        var status = await s.WaitForAsync("site", st => st.Conditions.Any(c => c.Type == "ComparisonError" && c.IsTrue), "a ComparisonError", ct);
        Assert.Contains("^9.0.0", status.Conditions.Single(c => c.Type == "ComparisonError").Message, StringComparison.Ordinal);
        Assert.NotNull(await s.ConfigMapAsync("shop", "site-web", ct));

        var everything = await s.KubectlAsync(["get", "applications,events", "-n", Scenario.AppNamespace, "-o", "yaml"]);
        Assert.DoesNotContain(Password, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chart_in_git_gets_its_dependency_from_a_private_repository_with_the_secret_its_spec_names_for_that_url()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new FileServer { RequiredAuth = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")) };
        Publish(server, "1.0.0", "1.1.0");
        await using var s = await Scenario.StartAsync(ct);
        var commit = await s.Repo
            .Write("chart/Chart.yaml", $"apiVersion: v2\nname: shop\nversion: 0.1.0\ndependencies:\n- name: web\n  version: ^1.0.0\n  repository: {server.Url}\n")
            .Write("chart/values.yaml", "web:\n  greeting: from the parent\n")
            .CommitAsync("A chart with a dependency from a private repository", ct);
        var app = Scenario.AppYaml("shop", s.Repo.FileUrl, path: "chart").Replace(
            "    path: chart\n",
            $"    path: chart\n    helm:\n      repositories:\n      - {{url: \"{server.Url}\", secretRef: {{name: dep-creds}}}}\n",
            StringComparison.Ordinal);
        await s.KubectlAsync(["create", "secret", "generic", "dep-creds", "-n", Scenario.AppNamespace, $"--from-literal=username={User}", "--from-literal=password=not-the-pa55word"]);
        await s.KubectlAsync(["apply", "-f", "-"], app);

        // The wrong password: the error names the dependency and the repository, and nothing is applied.
        var refused = await s.WaitForAsync("shop", st => st.Conditions.Any(c => c.Type == "ComparisonError" && c.IsTrue), "a ComparisonError", ct);
        var message = refused.Conditions.Single(c => c.Type == "ComparisonError").Message;
        Assert.Contains($"dependency \"web\" of chart \"shop\": GET {server.Url}index.yaml: 401", message, StringComparison.Ordinal);
        Assert.Null(await s.ConfigMapAsync("shop", "shop-web", ct));

        await s.KubectlAsync(["delete", "secret", "dep-creds", "-n", Scenario.AppNamespace]);
        await s.KubectlAsync(["create", "secret", "generic", "dep-creds", "-n", Scenario.AppNamespace, $"--from-literal=username={User}", $"--from-literal=password={Password}"]);
        await s.RefreshAsync("shop");
        await s.WaitSyncedAsync("shop", commit, ct);

        var data = (await s.ConfigMapAsync("shop", "shop-web", ct))?["data"];
        Assert.Equal("1.1.0", data?["version"]?.GetValue<string>());
        Assert.Equal("from the parent", data?["greeting"]?.GetValue<string>());
        var everything = await s.KubectlAsync(["get", "applications,events", "-n", Scenario.AppNamespace, "-o", "yaml"]);
        Assert.DoesNotContain(Password, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-pa55word", everything, StringComparison.Ordinal);
    }
}
