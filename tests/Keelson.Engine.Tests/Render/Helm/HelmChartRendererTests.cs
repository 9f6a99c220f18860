using System.Text.Json.Nodes;
using Keelson.Engine.Render;
using Keelson.Engine.Render.Helm;
using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Render.Helm;

/// <summary>A chart directory in a repository rendered through the pipeline (ManifestRenderer) with spec.source.helm.</summary>
public sealed class HelmChartRendererTests : IDisposable
{
    private readonly TempDirectory _repo = new("helmrepo");

    public void Dispose() => _repo.Dispose();

    private void Write(string path, string content)
    {
        var full = _repo.Combine(path.Split('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    private Task<RenderResult> RenderAsync(HelmSourceOptions helm, string path = "apps/web") =>
        new ManifestRenderer().RenderAsync(new RenderRequest { RepoRoot = _repo.Path, Path = path, Helm = helm }, TestContext.Current.CancellationToken);

    private void WriteChart(string values = "replicas: 1\nname: web\nlist: []\n")
    {
        Write("apps/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n");
        Write("apps/web/values.yaml", values);
        Write("apps/web/crds/crd.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n");
        Write("apps/web/templates/deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-{{ .Values.name }}\n  namespace: {{ .Release.Namespace }}\n" +
            "spec:\n  replicas: {{ .Values.replicas }}\n  template:\n    metadata:\n      annotations:\n        list: {{ join \";\" .Values.list | quote }}\n        tag: {{ kindOf .Values.tag }}\n");
        Write("apps/web/templates/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n");
        Write("apps/web/templates/hooks.yaml",
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install\n---\n" +
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: test\n  annotations:\n    helm.sh/hook: test\n");
    }

    private static string Describe(RenderedObject o) =>
        $"{o.SourceFile}#{o.DocumentIndex} {o.Object["kind"]} {o.Object["metadata"]!["name"]}";

    [Fact]
    public async Task A_chart_renders_with_its_crds_manifests_in_install_order_and_sync_hooks()
    {
        WriteChart();
        var result = await RenderAsync(new HelmSourceOptions { ReleaseName = "shop", Namespace = "prod" });

        Assert.Equal("helm", result.Renderer);
        Assert.Equal(
            [
                "apps/web/crds/crd.yaml#0 CustomResourceDefinition widgets.example.com",
                "apps/web/templates/svc.yaml#0 Service a",
                "apps/web/templates/svc.yaml#1 Service b",
                "apps/web/templates/deploy.yaml#0 Deployment shop-web",
                "apps/web/templates/hooks.yaml#0 Job migrate",
            ],
            result.Objects.Select(Describe));
        Assert.Equal("prod", (string?)result.Objects[3].Object["metadata"]!["namespace"]);
    }

    [Fact]
    public async Task Value_files_values_and_parameters_override_in_argo_cds_order()
    {
        WriteChart();
        Write("apps/web/values-prod.yaml", "replicas: 2\nname: prod\n");
        Write("shared/common.yaml", "replicas: 3\n");
        var result = await RenderAsync(new HelmSourceOptions
        {
            ReleaseName = "shop",
            ValueFiles = ["values-prod.yaml", "../../shared/common.yaml", "missing.yaml"],
            IgnoreMissingValueFiles = true,
            Values = "name: from-string\n",
            ValuesObject = new JsonObject { ["replicas"] = 4 },
            Parameters = [new("list", "{a,b}"), new("tag", "1.10", ForceString: true), new("name", "x,y")],
            SkipCrds = true,
        });

        var deploy = result.Objects.Single(o => (string?)o.Object["kind"] == "Deployment").Object;
        Assert.Equal("shop-x,y", (string?)deploy["metadata"]!["name"]);
        Assert.Equal(4, (int)deploy["spec"]!["replicas"]!);
        Assert.Equal("a;b", (string?)deploy["spec"]!["template"]!["metadata"]!["annotations"]!["list"]);
        Assert.Equal("string", (string?)deploy["spec"]!["template"]!["metadata"]!["annotations"]!["tag"]);
        Assert.DoesNotContain(result.Objects, o => (string?)o.Object["kind"] == "CustomResourceDefinition");
    }

    [Theory]
    [InlineData("a,,b", "a,,b")]
    [InlineData(",x", ",x")]
    [InlineData("x,", "x,")]
    [InlineData(",,", ",,")]
    [InlineData("a,b,c", "a,b,c")]
    // A comma the user escaped stays escaped once, so Helm's parser reads it as a comma.
    [InlineData("x\\,y", "x,y")]
    [InlineData("x\\,,y", "x,,y")]
    public async Task Every_comma_in_a_parameter_value_is_data_as_argo_cd_escapes_it(string value, string expected)
    {
        Write("apps/p/Chart.yaml", "apiVersion: v2\nname: p\nversion: 1.0.0\n");
        Write("apps/p/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\ndata:\n  set: {{ .Values.set | quote }}\n  string: {{ .Values.string | quote }}\n");

        var result = await RenderAsync(new HelmSourceOptions { ReleaseName = "p", Parameters = [new("set", value), new("string", value, ForceString: true)] }, "apps/p");

        var data = Assert.Single(result.Objects).Object["data"]!;
        Assert.Equal(expected, (string?)data["set"]);
        Assert.Equal(expected, (string?)data["string"]);
    }

    [Theory]
    [InlineData("missing.yaml", "values file 'apps/web/missing.yaml' does not exist.")]
    [InlineData("../../../outside.yaml", "values file '../../../outside.yaml' is outside the repository.")]
    [InlineData("https://example.com/v.yaml", "values file 'https://example.com/v.yaml': only files in the repository are supported.")]
    public async Task A_value_file_must_exist_inside_the_repository(string file, string message)
    {
        WriteChart();
        var e = await Assert.ThrowsAsync<RenderException>(() => RenderAsync(new HelmSourceOptions { ReleaseName = "shop", ValueFiles = [file] }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task A_failing_template_is_reported_with_the_chart_file_line_and_column()
    {
        WriteChart();
        Write("apps/web/templates/bad.yaml", "a: 1\nb: {{ required \"set b\" .Values.b }}\n");
        var e = await Assert.ThrowsAsync<RenderException>(() => RenderAsync(new HelmSourceOptions { ReleaseName = "shop" }));
        Assert.Equal("execution error at (web/templates/bad.yaml:2:6): set b", e.Message);
        Assert.Equal("apps/web/templates/bad.yaml", e.File);
        Assert.Equal(2, e.Line);
        Assert.Equal(6, e.Column);
    }

    [Fact]
    public async Task Invalid_yaml_out_of_a_template_names_the_template()
    {
        WriteChart();
        Write("apps/web/templates/bad.yaml", "a: [1\n");
        var e = await Assert.ThrowsAsync<RenderException>(() => RenderAsync(new HelmSourceOptions { ReleaseName = "shop" }));
        Assert.StartsWith("YAML parse error on web/templates/bad.yaml:", e.Message, StringComparison.Ordinal);
        Assert.Equal("apps/web/templates/bad.yaml", e.File);
    }

    [Fact]
    public async Task A_yaml_alias_bomb_in_values_is_refused_quickly()
    {
        var bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
            "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n" +
            "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
        WriteChart(bomb);
        var e = await Assert.ThrowsAsync<RenderException>(() => RenderAsync(new HelmSourceOptions { ReleaseName = "shop" }));
        Assert.Contains("excessive aliasing", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("values.yaml", e.File, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_helm_version_is_refused()
    {
        WriteChart();
        var e = await Assert.ThrowsAsync<RenderException>(() => RenderAsync(new HelmSourceOptions { ReleaseName = "shop", Version = "v2" }));
        Assert.Equal("spec.source.helm.version 'v2' is not supported; use v3 or v4.", e.Message);
    }
}
