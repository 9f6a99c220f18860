using Keelson.Engine.Render.Helm;
using Keelson.Testing;

namespace Keelson.Engine.Tests.Render.Helm;

/// <summary>What templates see and what Helm does around them: built-in objects, Files, include/tpl, errors, limits.</summary>
public sealed class TemplateTests
{
    private static TestChart Chart(params (string Path, string Content)[] files) =>
        new("app", files.ToDictionary(f => f.Path, f => f.Content));

    [Fact]
    public async Task Built_in_objects_read_as_in_helm()
    {
        using var chart = Chart(
            ("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.2.3\nappVersion: \"4.5\"\ndescription: demo\nannotations:\n  a: b\n"),
            ("templates/o.yaml",
                "release: {{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.IsInstall }} {{ .Release.IsUpgrade }} {{ .Release.Revision }} {{ .Release.Service }}\n" +
                "chart: {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.Description }} {{ .Chart.APIVersion }} {{ .Chart.IsRoot }} {{ .Chart.Annotations.a }}\n" +
                "kube: {{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.Major }} {{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.KubeVersion.GitVersion }}\n" +
                "apis: {{ .Capabilities.APIVersions.Has \"apps/v1\" }} {{ .Capabilities.APIVersions.Has \"example.com/v1\" }} {{ .Capabilities.APIVersions.Has \"extra.io/v2\" }}\n" +
                "helm: {{ .Capabilities.HelmVersion.Version }}\n" +
                "template: {{ .Template.Name }} {{ .Template.BasePath }}\n"));
        var output = await chart.OutputOfAsync("templates/o.yaml", new() { ReleaseName = "rel", Namespace = "ns", KubeVersion = "1.29.3", ApiVersions = ["extra.io/v2"] });
        Assert.Equal(
            "release: rel ns true false 1 Helm\n" +
            "chart: app 1.2.3 4.5 demo v2 true b\n" +
            "kube: v1.29.3 v1.29.3 1 29 v1.29.3\n" +
            "apis: true false true\n" +
            "helm: v3.21.4\n" +
            "template: app/templates/o.yaml app/templates",
            output);
    }

    [Fact]
    public async Task Helm_4_keeps_the_kube_version_text_and_checks_against_its_numeric_part()
    {
        using var chart = Chart(("templates/o.yaml", "kube: {{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.HelmVersion.Version }}\n"));
        Assert.Equal("kube: v1.33.4 v1.33.4-gke.1245000 v4.2.4\n", await chart.OutputOfAsync("templates/o.yaml", new() { KubeVersion = "v1.33.4-gke.1245000", HelmVersion = HelmVersion.V4 }));
    }

    [Fact]
    public async Task A_chart_kube_version_constraint_is_checked()
    {
        using var chart = Chart(("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\nkubeVersion: \">=1.30.0-0\"\n"), ("templates/a.yaml", "a: 1\n"));
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync(new() { KubeVersion = "1.29.0" }));
        Assert.Equal("chart requires kubeVersion: >=1.30.0-0 which is incompatible with Kubernetes v1.29.0", e.Message);
        Assert.NotEmpty((await chart.RenderAsync(new() { KubeVersion = "1.31.2" })).Manifests);
    }

    [Fact]
    public async Task Subcharts_expose_each_subcharts_scope_by_name_as_helm_documents()
    {
        // Helm's docs: .Subcharts gives the parent its subcharts' scope (.Values, .Chart, ...), keyed by the name
        // each subchart renders under (its alias when it has one).
        using var chart = Chart(
            ("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: 0.2.0\n- name: sub\n  alias: twin\n  version: 0.2.0\n"),
            ("values.yaml", "sub:\n  x: from-parent\ntwin:\n  x: twin-x\nglobal:\n  g: G\n"),
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.2.0\n"),
            ("charts/sub/values.yaml", "x: default\nyy: sub-default\n"),
            ("charts/sub/data.txt", "sub data"),
            ("charts/sub/charts/leaf/Chart.yaml", "apiVersion: v2\nname: leaf\nversion: 0.3.0\n"),
            ("charts/sub/charts/leaf/values.yaml", "z: leaf-z\n"),
            ("templates/t.yaml",
                "a: {{ .Subcharts.sub.Values.x }} {{ .Subcharts.sub.Values.yy }} {{ .Subcharts.sub.Values.global.g }}\n" +
                "b: {{ .Subcharts.sub.Chart.Name }} {{ .Subcharts.sub.Chart.Version }} {{ .Subcharts.sub.Chart.IsRoot }}\n" +
                "c: {{ .Subcharts.twin.Chart.Name }} {{ .Subcharts.twin.Values.x }}\n" +
                "d: {{ .Subcharts.sub.Subcharts.leaf.Values.z }} {{ .Subcharts.sub.Subcharts.leaf.Chart.Name }}\n" +
                "e: {{ .Subcharts.sub.Release.Name }} {{ .Subcharts.sub.Files.Get \"data.txt\" }}\n" +
                "f: {{ keys .Subcharts | sortAlpha | join \",\" }}\n"));

        Assert.Equal(
            "a: from-parent sub-default G\n" +
            "b: sub 0.2.0 false\n" +
            "c: twin twin-x\n" +
            "d: leaf-z leaf\n" +
            "e: rel sub data\n" +
            "f: sub,twin",
            await chart.OutputOfAsync("templates/t.yaml", new() { ReleaseName = "rel" }));
    }

    [Fact]
    public async Task Files_expose_the_non_template_files_minus_helmignore()
    {
        using var chart = Chart(
            (".helmignore", "# comment\n*.bak\nsecret/\n"),
            ("config/a.conf", "alpha\n"),
            ("config/b.conf", "beta"),
            ("config/sub/c.conf", "gamma"),
            ("config/old.bak", "ignored"),
            ("secret/key", "ignored"),
            ("lines.txt", "one\ntwo\nthree\n"),
            ("templates/f.yaml",
                "get: {{ .Files.Get \"config/b.conf\" }}|{{ .Files.Get \"missing\" }}|{{ len (.Files.GetBytes \"config/b.conf\") }}\n" +
                "glob: {{ range $k, $v := .Files.Glob \"config/*.conf\" }}{{ $k }} {{ end }}\n" +
                "deep: {{ range $k, $v := .Files.Glob \"config/**\" }}{{ $k }} {{ end }}\n" +
                "lines: {{ range .Files.Lines \"lines.txt\" }}<{{ . }}>{{ end }}\n" +
                "all: {{ range $k, $v := .Files }}{{ $k }} {{ end }}\n"),
            ("templates/config.yaml", "{{ (.Files.Glob \"config/*.conf\").AsConfig }}\n"),
            ("templates/secrets.yaml", "{{ (.Files.Glob \"config/b.conf\").AsSecrets }}\n"));
        Assert.Equal(
            "get: beta||4\n" +
            "glob: config/a.conf config/b.conf \n" +
            "deep: config/a.conf config/b.conf config/sub/c.conf \n" +
            "lines: <one><two><three>\n" +
            "all: .helmignore config/a.conf config/b.conf config/sub/c.conf lines.txt",
            await chart.OutputOfAsync("templates/f.yaml"));
        Assert.Equal("a.conf: |\n  alpha\nb.conf: beta", await chart.OutputOfAsync("templates/config.yaml"));
        Assert.Equal("b.conf: YmV0YQ==", await chart.OutputOfAsync("templates/secrets.yaml"));
    }

    [Fact]
    public async Task Include_returns_text_tpl_renders_strings_and_the_parents_define_wins()
    {
        using var chart = Chart(
            ("values.yaml", "greeting: \"hi {{ .Release.Name }}\"\nnested: '{{ include \"app.name\" . }}-{{ tpl \"{{ .Values.suffix }}\" . }}'\nsuffix: x\n"),
            ("templates/_helpers.tpl", "{{- define \"app.name\" -}}top{{- end -}}"),
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            ("charts/sub/templates/_helpers.tpl", "{{- define \"app.name\" -}}sub{{- end -}}{{- define \"sub.only\" -}}from-sub{{- end -}}"),
            ("templates/t.yaml",
                "a: {{ include \"app.name\" . | printf \"%s!\" }}\n" +
                "b: {{ include \"sub.only\" . }}\n" +
                "c: {{ tpl .Values.greeting . }}\n" +
                "d: {{ tpl .Values.nested . }}\n" +
                "e: {{ tpl \"{{ define \\\"inline\\\" }}in{{ end }}{{ include \\\"inline\\\" . }}\" . }}\n" +
                "f: {{ tpl \"plain {{ .Values.missing }}\" . }}\n"));
        Assert.Equal("a: top!\nb: from-sub\nc: hi release-name\nd: top-x\ne: in\nf: plain", await chart.OutputOfAsync("templates/t.yaml"));
    }

    [Fact]
    public async Task Missing_values_render_as_empty_and_partials_and_notes_are_not_printed()
    {
        using var chart = Chart(
            ("templates/_partial.yaml", "kind: Partial\n"),
            ("templates/NOTES.txt", "Thanks for installing {{ .Chart.Name }}"),
            ("templates/a.yaml", "kind: A\nmissing: \"{{ .Values.nope }}{{ index .Values \"nope\" }}\"\n"),
            ("templates/empty.yaml", "{{- if .Values.off }}kind: Never{{ end }}\n---\n  \n"));
        var release = await chart.RenderAsync();
        Assert.Equal("---\n# Source: app/templates/a.yaml\nkind: A\nmissing: \"\"\n", HelmTemplateOutput.Format(release));
        Assert.Equal("Thanks for installing app", release.Notes);
    }

    [Fact]
    public async Task A_failing_notes_file_fails_the_render()
    {
        using var chart = Chart(("templates/NOTES.txt", "{{ required \"notes need a url\" .Values.url }}"), ("templates/a.yaml", "a: 1\n"));
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync());
        Assert.Equal("execution error at (app/templates/NOTES.txt:1:3): notes need a url", e.Message);
        Assert.Equal("app/templates/NOTES.txt", e.File);
    }

    [Theory]
    [InlineData("{{ required \"need a name\" .Values.name }}", "execution error at (app/templates/x.yaml:1:3): need a name")]
    [InlineData("{{ required \"need a name\" \"\" }}", "execution error at (app/templates/x.yaml:1:3): need a name")]
    [InlineData("{{ fail \"stop\\nhere\" }}", "execution error at (app/templates/x.yaml:1:3): stop\nhere")]
    [InlineData("{{ include \"nothing\" . }}", "template: app/templates/x.yaml:1:3: executing \"app/templates/x.yaml\" at <include \"nothing\" .>: error calling include: template: no template \"nothing\" associated with template \"gotpl\"")]
    // missingkey=zero makes .Values.x a nil interface, so the next field fails (Helm's well-known message).
    [InlineData("a: {{ .Values.x.y.z }}", "template: app/templates/x.yaml:1:13: executing \"app/templates/x.yaml\" at <.Values.x.y.z>: nil pointer evaluating interface {}.y")]
    [InlineData("{{ tpl \"{{ fail \\\"deep\\\" }}\" . }}", "execution error at (app/templates/x.yaml:1:3): deep")]
    [InlineData("{{ env \"HOME\" }}", "parse error at (app/templates/x.yaml:1): function \"env\" not defined")]
    [InlineData("{{ if }}", "parse error at (app/templates/x.yaml:1): missing value for if")]
    public async Task Template_errors_name_the_file_and_position_as_helm_does(string template, string message)
    {
        using var chart = Chart(("templates/x.yaml", template));
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync());
        Assert.Equal(message, e.Message);
        Assert.Equal("app/templates/x.yaml", e.File);
    }

    [Theory]
    [InlineData("toToml (list 1 2)", "toml: top-level values must be Go maps or structs")]
    [InlineData("toToml (dict \"a\" (list 1 nil))", "toml: cannot encode array with nil element")]
    [InlineData("toToml (dict \"a\" 1)", "a = 1")]
    [InlineData("mustToToml (dict \"a\" \"b\")", "a = \"b\"")]
    public async Task ToToml_prints_the_encoders_error_in_place_of_the_toml(string call, string output)
    {
        // Helm's toTOML returns err.Error() as its result.
        using var chart = Chart(("templates/x.yaml", "x: |\n{{ " + call + " | indent 2 }}"));
        Assert.Equal("x: |\n  " + output, await chart.OutputOfAsync("templates/x.yaml"));
    }

    [Theory]
    [InlineData("a: {{ mustToToml (list 1 2) }}", "at <mustToToml (list 1 2)>: error calling mustToToml: toml: top-level values must be Go maps or structs")]
    [InlineData("a: {{ mustToToml (dict \"a\" (list 1 nil)) }}", "at <mustToToml (dict \"a\" (list 1 nil))>: error calling mustToToml: toml: cannot encode array with nil element")]
    public async Task MustToToml_fails_the_render_with_the_encoders_error(string template, string message)
    {
        using var chart = Chart(("templates/x.yaml", template));
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync());
        Assert.Equal("template: app/templates/x.yaml:1:6: executing \"app/templates/x.yaml\" " + message, e.Message);
    }

    [Fact]
    public async Task Helm_4_prints_execution_errors_over_several_lines()
    {
        using var chart = Chart(("templates/x.yaml", "a: {{ len 3 }}\n"));
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync(new() { HelmVersion = HelmVersion.V4 }));
        Assert.Equal("app/templates/x.yaml:1:6\n  executing \"app/templates/x.yaml\" at <len 3>:\n    error calling len: len of type int", e.Message);
    }

    [Fact]
    public async Task Include_stops_after_a_thousand_nested_calls_of_one_name()
    {
        using var chart = Chart(
            ("templates/_loop.tpl", "{{- define \"loop\" }}{{ include \"loop\" . }}{{ end -}}"),
            ("templates/x.yaml", "{{ include \"loop\" . }}"));
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync());
        Assert.EndsWith("error calling include: rendering template has a nested reference name: loop: unable to execute template", e.Message, StringComparison.Ordinal);
        Assert.Contains("[the frame above repeats 1000 more times]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_recursion_without_include_hits_the_depth_limit()
    {
        using var chart = Chart(
            ("templates/_loop.tpl", "{{- define \"loop\" }}{{ template \"loop\" . }}{{ end -}}"),
            ("templates/x.yaml", "{{ template \"loop\" . }}"));
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync());
        Assert.Contains("exceeded maximum template depth", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_library_dependency_contributes_only_its_defines_and_cannot_be_rendered_itself()
    {
        using var chart = Chart(
            ("templates/a.yaml", "kind: A\nname: {{ include \"lib.name\" . }}\n"),
            ("charts/lib/Chart.yaml", "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n"),
            ("charts/lib/templates/_names.tpl", "{{- define \"lib.name\" -}}{{ .Chart.Name }}-lib{{- end -}}"),
            ("charts/lib/templates/cm.yaml", "kind: ConfigMap\n"));
        var release = await chart.RenderAsync();
        Assert.Equal(["app/templates/a.yaml"], release.Manifests.Select(m => m.SourcePath));
        Assert.Equal("kind: A\nname: app-lib", release.Manifests[0].Content);

        using var lib = new TestChart("lib", new Dictionary<string, string> { ["Chart.yaml"] = "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n" });
        var e = await Assert.ThrowsAsync<HelmException>(() => lib.RenderAsync());
        Assert.Equal("library charts are not installable", e.Message);
    }

    [Theory]
    [InlineData("apiVersion: v2\nversion: 1.0.0\n", "validation: chart.metadata.name is required")]
    [InlineData("apiVersion: v2\nname: app\n", "validation: chart.metadata.version is required")]
    [InlineData("apiVersion: v2\nname: app\nversion: one\n", "validation: chart.metadata.version \"one\" is invalid")]
    [InlineData("apiVersion: v2\nname: app\nversion: 1.0.0\ntype: Library\n", "validation: chart.metadata.type must be application or library")]
    [InlineData("apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: a\n  alias: bad.alias\n", "validation: dependency \"a\" has disallowed characters in the alias")]
    [InlineData("name: [x\n", "cannot load Chart.yaml: error converting YAML to JSON: yaml: line 2: did not find expected ',' or ']'")]
    public async Task Invalid_chart_metadata_is_refused(string chartYaml, string message)
    {
        using var chart = Chart(("Chart.yaml", chartYaml), ("templates/a.yaml", "a: 1\n"));
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync());
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task Numeric_chart_versions_are_read_as_strings()
    {
        using var chart = Chart(("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0\nappVersion: 2\n"), ("templates/a.yaml", "v: {{ .Chart.Version }} {{ .Chart.AppVersion }}\n"));
        Assert.Equal("v: 1 2", await chart.OutputOfAsync("templates/a.yaml"));
    }

    [Theory]
    [InlineData("Bad_Name", "release name \"Bad_Name\": invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53")]
    [InlineData("", "release name \"\": no name provided")]
    public async Task Release_names_are_checked(string name, string message)
    {
        using var chart = Chart(("templates/a.yaml", "a: 1\n"));
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync(new() { ReleaseName = name }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task A_name_template_names_the_release()
    {
        using var chart = Chart(("templates/a.yaml", "name: {{ .Release.Name }}\n"));
        Assert.Equal("name: app-7", await chart.OutputOfAsync("templates/a.yaml", new() { NameTemplate = "{{ printf \"app-%d\" 7 }}" }));
    }

    [Fact]
    public async Task Caller_cancellation_stops_a_long_render()
    {
        using var chart = SlowChart();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var render = new HelmRenderer().RenderAsync(chart.Path, new HelmRenderOptions(), cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => render);
    }

    [Fact]
    public async Task The_render_time_limit_stops_a_long_render()
    {
        using var chart = SlowChart();
        var time = new FakeTimeProvider();
        var render = new HelmRenderer(time).RenderAsync(chart.Path, new HelmRenderOptions { Limits = new() { Timeout = TimeSpan.FromSeconds(30) } }, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(31));
        var e = await Assert.ThrowsAsync<HelmException>(() => render);
        Assert.Equal("rendering the chart took longer than the limit of 30s", e.Message);
    }

    [Fact]
    public async Task Output_beyond_the_size_limit_is_refused()
    {
        using var chart = Chart(
            ("values.yaml", "items: [" + string.Join(",", Enumerable.Range(0, 200)) + "]\n"),
            ("templates/a.yaml", "{{ range .Values.items }}{{ range $.Values.items }}0123456789{{ end }}{{ end }}"));
        var e = await Assert.ThrowsAsync<HelmException>(() => chart.RenderAsync(new() { Limits = new() { MaxOutputBytes = 100_000 } }));
        Assert.Equal("the chart's rendered output is larger than the limit of 100000 bytes", e.Message);
    }

    // A billion iterations: never finishes within a test's lifetime unless stopped.
    private static TestChart SlowChart() => Chart(
        ("values.yaml", "l: [" + string.Join(",", Enumerable.Range(0, 1000)) + "]\n"),
        ("templates/a.yaml", "{{ range .Values.l }}{{ range $.Values.l }}{{ range $.Values.l }}{{ end }}{{ end }}{{ end }}"));
}
