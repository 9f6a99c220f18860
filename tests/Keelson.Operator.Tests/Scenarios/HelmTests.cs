namespace Keelson.Operator.Tests.Scenarios;

public sealed class HelmTests
{
    private const string Chart = """
        apiVersion: v2
        name: shop
        version: 0.1.0
        """;

    private const string Template = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ .Release.Name }}-settings
        data:
          greeting: {{ .Values.greeting | quote }}
          color: {{ .Values.color | quote }}
          kube: {{ .Capabilities.KubeVersion.Version | quote }}
          namespace: {{ .Release.Namespace | quote }}
        """;

    private static string HelmApp(string repoUrl) => Scenario.AppYaml("shop", repoUrl).Replace(
        "    path: app\n",
        """
            path: chart
            helm:
              valueFiles: [values-prod.yaml]
              parameters:
              - {name: color, value: blue}

        """,
        StringComparison.Ordinal);

    [Fact]
    public async Task A_chart_in_git_renders_with_value_files_and_parameters_follows_git_and_a_broken_template_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var first = await s.Repo
            .Write("chart/Chart.yaml", Chart)
            .Write("chart/values.yaml", "greeting: default\ncolor: red\n")
            .Write("chart/values-prod.yaml", "greeting: hello\n")
            .Write("chart/templates/configmap.yaml", Template)
            .CommitAsync("Add the chart", ct);
        await s.KubectlAsync(["apply", "-f", "-"], HelmApp(s.Repo.FileUrl));
        await s.WaitSyncedAsync("shop", first, ct);

        // Release name defaults to the app's; value file over values.yaml; parameter over both; the cluster's version.
        var data = (await s.ConfigMapAsync("shop", "shop-settings", ct))?["data"];
        Assert.Equal("hello", data?["greeting"]?.GetValue<string>());
        Assert.Equal("blue", data?["color"]?.GetValue<string>());
        Assert.Equal("v1.32.0", data?["kube"]?.GetValue<string>());
        Assert.Equal("shop", data?["namespace"]?.GetValue<string>());

        var second = await s.Repo.Write("chart/values-prod.yaml", "greeting: bonjour\n").CommitAsync("Say it in French", ct);
        await s.RefreshAsync("shop");
        await s.WaitSyncedAsync("shop", second, ct);
        Assert.Equal("bonjour", (await s.ConfigMapAsync("shop", "shop-settings", ct))?["data"]?["greeting"]?.GetValue<string>());

        await s.Repo.Write("chart/templates/configmap.yaml", Template.Replace("{{ .Values.color | quote }}", "{{ .Values.color | nosuchfunction }}", StringComparison.Ordinal)).CommitAsync("Break the template", ct);
        await s.RefreshAsync("shop");
        var status = await s.WaitForAsync("shop", st => st.Conditions.Any(c => c.Type == "ComparisonError" && c.IsTrue), "a ComparisonError", ct);
        var error = status.Conditions.Single(c => c.Type == "ComparisonError");
        Assert.Contains("templates/configmap.yaml:7", error.Message, StringComparison.Ordinal);
        Assert.Equal("bonjour", (await s.ConfigMapAsync("shop", "shop-settings", ct))?["data"]?["greeting"]?.GetValue<string>());
    }

    [Fact]
    public async Task Capabilities_list_every_version_the_cluster_serves()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        // A CRD served at two versions: the older one is not the preferred one, yet charts may test for it.
        await s.KubectlAsync(["apply", "-f", "-"], """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec:
              group: example.com
              scope: Namespaced
              names: {plural: widgets, singular: widget, kind: Widget}
              versions:
              - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
              - {name: v1beta1, served: true, storage: false, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
            """);
        await s.KubectlAsync(["wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=30s"]);
        var commit = await s.Repo
            .Write("chart/Chart.yaml", Chart)
            .Write("chart/templates/configmap.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: capabilities
                data:
                  beta: {{ .Capabilities.APIVersions.Has "example.com/v1beta1" | quote }}
                  betaKind: {{ .Capabilities.APIVersions.Has "example.com/v1beta1/Widget" | quote }}
                  v1: {{ .Capabilities.APIVersions.Has "example.com/v1" | quote }}
                  deployments: {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" | quote }}
                  missing: {{ .Capabilities.APIVersions.Has "example.com/v2" | quote }}
                """)
            .CommitAsync("A chart that looks at the cluster", ct);
        await s.KubectlAsync(["apply", "-f", "-"], Scenario.AppYaml("shop", s.Repo.FileUrl, path: "chart"));
        await s.WaitSyncedAsync("shop", commit, ct);

        var data = (await s.ConfigMapAsync("shop", "capabilities", ct))?["data"];
        Assert.Equal("true", data?["beta"]?.GetValue<string>());
        Assert.Equal("true", data?["betaKind"]?.GetValue<string>());
        Assert.Equal("true", data?["v1"]?.GetValue<string>());
        Assert.Equal("true", data?["deployments"]?.GetValue<string>());
        Assert.Equal("false", data?["missing"]?.GetValue<string>());
    }
}
