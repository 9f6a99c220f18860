using Keelson.Engine.Render.Helm;

namespace Keelson.Engine.Tests.Render.Helm;

/// <summary>
/// Values as templates see them: defaults ← -f files ← --set, subchart scoping, globals, nulls (Helm 3 and 4),
/// conditions, tags, aliases and import-values. Each chart dumps its .Values with toYaml.
/// </summary>
public sealed class ValuesTests
{
    private const string Dump = "{{ toYaml .Values }}\n";

    private static TestChart ParentWithSub(string parentValues, string subValues, string dependencies = "", string extraParentTemplate = "")
    {
        var chart = new TestChart("parent", new Dictionary<string, string>
        {
            ["Chart.yaml"] = "apiVersion: v2\nname: parent\nversion: 1.0.0\n" + dependencies,
            ["values.yaml"] = parentValues,
            ["templates/values.yaml"] = Dump + extraParentTemplate,
            ["charts/sub/Chart.yaml"] = "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            ["charts/sub/values.yaml"] = subValues,
            ["charts/sub/templates/values.yaml"] = Dump,
        });
        return chart;
    }

    private static async Task<(string Parent, string Sub)> ValuesOfAsync(TestChart chart, HelmRenderOptions? options = null, string subPath = "charts/sub")
    {
        var release = await chart.RenderAsync(options);
        string Of(string source) => release.Manifests.Single(m => m.SourcePath == source).Content.Trim();
        return (Of("parent/templates/values.yaml"), Of($"parent/{subPath}/templates/values.yaml"));
    }

    [Fact]
    public async Task Files_then_sets_override_defaults_in_order_and_maps_merge()
    {
        using var chart = new TestChart("app", new Dictionary<string, string>
        {
            ["values.yaml"] = "image:\n  repo: nginx\n  tag: \"1.0\"\nreplicas: 1\nlist: [a, b]\n",
            ["templates/v.yaml"] = Dump,
        });
        var options = new HelmRenderOptions
        {
            ValuesFiles = [new("one.yaml", "image:\n  tag: \"2.0\"\nreplicas: 2\n"), new("two.yaml", "replicas: 3\nlist: [c]\n")],
            Set = ["image.pullPolicy=Always,replicas=4"],
            SetString = ["tag=5"],
        };
        Assert.Equal("image:\n  pullPolicy: Always\n  repo: nginx\n  tag: \"2.0\"\nlist:\n- c\nreplicas: 4\ntag: \"5\"", await chart.OutputOfAsync("templates/v.yaml", options));
    }

    [Fact]
    public async Task Numbers_from_yaml_are_floats_and_from_set_are_ints()
    {
        using var chart = new TestChart("app", new Dictionary<string, string>
        {
            ["values.yaml"] = "big: 1000000\nsmall: 3\nratio: 0.5\n",
            ["templates/v.yaml"] = "v: {{ .Values.big }} {{ .Values.small }} {{ .Values.ratio }} {{ .Values.set }} {{ printf \"%T %T\" .Values.big .Values.set }} {{ printf \"%T\" .Values }}\n",
        });
        Assert.Equal("v: 1e+06 3 0.5 1000000 float64 int64 chartutil.Values", await chart.OutputOfAsync("templates/v.yaml", new() { Set = ["set=1000000"] }));
        Assert.EndsWith("common.Values\n", await chart.OutputOfAsync("templates/v.yaml", new() { Set = ["set=1"], HelmVersion = HelmVersion.V4 }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subchart_sees_its_own_section_over_its_defaults_and_the_parents_globals()
    {
        using var chart = ParentWithSub(
            "global:\n  region: eu\nsub:\n  port: 8080\n",
            "port: 80\nname: sub-default\nglobal:\n  region: us\n  tier: web\n");
        var (parent, sub) = await ValuesOfAsync(chart);
        Assert.Equal("global:\n  region: eu\n  tier: web\nname: sub-default\nport: 8080", sub);
        Assert.Equal("global:\n  region: eu\nsub:\n  global:\n    region: eu\n    tier: web\n  name: sub-default\n  port: 8080", parent);
    }

    [Fact]
    public async Task A_user_null_deletes_a_default_in_both_helm_versions()
    {
        using var chart = ParentWithSub("keep: 1\ndrop: 2\n", "a: 1\nb: 2\n");
        foreach (var version in new[] { HelmVersion.V3, HelmVersion.V4 })
        {
            var (parent, sub) = await ValuesOfAsync(chart, new() { HelmVersion = version, Set = ["drop=null,sub.b=null"] });
            Assert.Equal("a: 1\nglobal: {}", sub);
            Assert.Equal("keep: 1\nsub:\n  a: 1\n  global: {}", parent);
        }
    }

    [Fact]
    public async Task A_null_in_the_parents_defaults_deletes_a_subchart_default_in_helm_3_but_not_in_helm_4()
    {
        using var chart = ParentWithSub("sub:\n  b: null\n", "a: 1\nb: 2\n");
        Assert.Equal("a: 1\nglobal: {}", (await ValuesOfAsync(chart, new() { HelmVersion = HelmVersion.V3 })).Sub);
        Assert.Equal("a: 1\nb: 2\nglobal: {}", (await ValuesOfAsync(chart, new() { HelmVersion = HelmVersion.V4 })).Sub);
    }

    [Theory]
    [InlineData("sub:\n  enabled: false\n", "", false)]
    [InlineData("sub:\n  enabled: true\n", "", true)]
    [InlineData("", "--set", false)]
    [InlineData("tags:\n  backend: false\n", "", false)]
    [InlineData("tags:\n  backend: false\n  extra: true\n", "", true)]
    [InlineData("tags:\n  backend: false\nsub:\n  enabled: true\n", "", true)]
    public async Task Conditions_win_over_tags_and_tags_need_every_listed_tag_false(string parentValues, string set, bool enabled)
    {
        using var chart = ParentWithSub(parentValues, "a: 1\n", "dependencies:\n- name: sub\n  version: 0.1.0\n  condition: sub.enabled\n  tags: [backend, extra]\n");
        var options = set.Length > 0 ? new HelmRenderOptions { Set = ["sub.enabled=false"] } : null;
        var release = await chart.RenderAsync(options);
        Assert.Equal(enabled, release.Manifests.Any(m => m.SourcePath.StartsWith("parent/charts/sub/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_alias_renders_the_subchart_again_under_its_own_name_and_values()
    {
        using var chart = ParentWithSub(
            "first:\n  a: one\nsecond:\n  a: two\n",
            "a: default\n",
            "dependencies:\n- name: sub\n  version: \">=0.1.0\"\n  alias: first\n- name: sub\n  version: \">=0.1.0\"\n  alias: second\n");
        var release = await chart.RenderAsync();
        Assert.Equal(
            ["parent/charts/first/templates/values.yaml", "parent/charts/second/templates/values.yaml", "parent/templates/values.yaml"],
            release.Manifests.Select(m => m.SourcePath).Order(StringComparer.Ordinal));
        Assert.Equal("a: one\nglobal: {}", release.Manifests.Single(m => m.SourcePath.Contains("/first/", StringComparison.Ordinal)).Content.Trim());
        Assert.Equal("a: two\nglobal: {}", release.Manifests.Single(m => m.SourcePath.Contains("/second/", StringComparison.Ordinal)).Content.Trim());
    }

    [Fact]
    public async Task Import_values_copy_child_tables_below_the_parents_own_values()
    {
        using var chart = ParentWithSub(
            "own:\n  x: parent\n",
            "data:\n  x: child\n  z: child\nexports:\n  shared:\n    s: exported\n",
            "dependencies:\n- name: sub\n  version: 0.1.0\n  import-values:\n  - child: data\n    parent: own\n  - shared\n");
        var (parent, _) = await ValuesOfAsync(chart);
        Assert.StartsWith("own:\n  x: parent\n  z: child\ns: exported\n", parent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subchart_section_that_is_not_a_map_is_an_error()
    {
        using var chart = ParentWithSub("sub: 5\n", "a: 1\n");
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync());
        Assert.StartsWith("type mismatch on sub:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dependency_missing_from_charts_is_reported()
    {
        using var chart = new TestChart("app", new Dictionary<string, string>
        {
            ["Chart.yaml"] = "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: redis\n  version: 1.x\n  repository: https://charts.example.com\n",
            ["templates/a.yaml"] = "a: 1\n",
        });
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync());
        Assert.EndsWith("found in Chart.yaml, but missing in charts/ directory: redis", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V1_charts_take_dependencies_from_requirements_yaml()
    {
        using var chart = new TestChart("app", new Dictionary<string, string>
        {
            ["Chart.yaml"] = "apiVersion: v1\nname: app\nversion: 1.0.0\n",
            ["requirements.yaml"] = "dependencies:\n- name: sub\n  version: 0.1.0\n  condition: sub.enabled\n",
            ["values.yaml"] = "sub:\n  enabled: false\n",
            ["templates/files.yaml"] = "files: {{ range $k, $v := .Files }}{{ $k }} {{ end }}\n",
            ["charts/sub/Chart.yaml"] = "apiVersion: v1\nname: sub\nversion: 0.1.0\n",
            ["charts/sub/templates/a.yaml"] = "a: 1\n",
        });
        var release = await chart.RenderAsync();
        Assert.Equal(["app/templates/files.yaml"], release.Manifests.Select(m => m.SourcePath));
        Assert.Equal("files: requirements.yaml", release.Manifests[0].Content.Trim());
    }

    [Fact]
    public async Task Subcharts_can_be_packaged_archives()
    {
        using var chart = new TestChart("app", new Dictionary<string, string> { ["templates/a.yaml"] = "kind: A\n" });
        chart.WriteSubchartArchive("packed", new Dictionary<string, string>
        {
            ["Chart.yaml"] = "apiVersion: v2\nname: packed\nversion: 0.1.0\n",
            ["values.yaml"] = "greeting: hello\n",
            ["templates/b.yaml"] = "kind: B\ngreeting: {{ .Values.greeting }}\nchart: {{ .Chart.Name }}\n",
        });
        var release = await chart.RenderAsync();
        Assert.Equal("kind: B\ngreeting: hello\nchart: packed", release.Manifests.Single(m => m.SourcePath == "app/charts/packed/templates/b.yaml").Content);
    }

    [Fact]
    public async Task An_archive_entry_outside_the_chart_is_refused()
    {
        using var chart = new TestChart("app", new Dictionary<string, string> { ["templates/a.yaml"] = "kind: A\n" });
        chart.WriteSubchartArchive("evil", new Dictionary<string, string>
        {
            ["Chart.yaml"] = "apiVersion: v2\nname: evil\nversion: 0.1.0\n",
            ["../../escape.yaml"] = "x: 1\n",
        });
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync());
        Assert.Contains("chart illegally references parent directory", e.Message, StringComparison.Ordinal);
    }
}
