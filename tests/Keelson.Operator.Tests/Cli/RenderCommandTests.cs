using System.Text.Json.Nodes;
using Keelson.Operator.Cli;
using Keelson.Testing;
using Keelson.Testing.Git;

namespace Keelson.Operator.Tests.Cli;

/// <summary>
/// <c>keelson render</c> run in-process: Helm's own golden cases (../shared/fixtures/helm) through the verb, byte for
/// byte, for Helm 3 (the default) and Helm 4; plain and Kustomize directories; single templates; errors.
/// </summary>
public sealed class RenderCommandTests
{
    private static string FixtureRoot => Path.Combine(RepoPaths.Shared, "fixtures", "helm");

    private static JsonArray Cases() => (JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(FixtureRoot, "cases.json")))!;

    public static TheoryData<string, int> GoldenCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var c in Cases().OfType<JsonObject>())
        {
            var name = (string)c["name"]!;
            data.Add(name, 4);
            if (Helm3Golden(c) is not null)
            {
                data.Add(name, 3);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public async Task A_helm_golden_case_prints_what_helm_template_prints(string name, int helmVersion)
    {
        var c = Cases().OfType<JsonObject>().Single(x => (string)x["name"]! == name);
        var expected = File.ReadAllText(Path.Combine(FixtureRoot, helmVersion == 4 ? (string)c["expected"]! : Helm3Golden(c)!));

        var (code, stdout, stderr) = await RunAsync(ArgsOf(c, helmVersion));

        if ((bool)c["expectError"]!)
        {
            // Helm's hint belongs to its --debug flag, which render does not have.
            Assert.Equal(expected.Replace("\n\nUse --debug flag to render out invalid YAML\n", "\n", StringComparison.Ordinal), stderr);
            Assert.Equal("", stdout);
            Assert.NotEqual(0, code);
            return;
        }

        Assert.Equal(expected, stdout);
        Assert.Equal(0, code);
    }

    private static string? Helm3Golden(JsonObject c) =>
        (string?)c["alternates"]!.AsArray().OfType<JsonObject>().FirstOrDefault(a => ((string)a["helmVersion"]!).StartsWith('3'))?["expected"];

    private static List<string> ArgsOf(JsonObject c, int helmVersion)
    {
        var flags = (JsonObject)c["flags"]!;
        var args = new List<string> { "render", Path.Combine(FixtureRoot, (string)c["chart"]!), "--release-name", (string)c["releaseName"]!, "--namespace", (string)c["namespace"]! };
        foreach (var f in c["valuesFiles"]!.AsArray())
        {
            args.AddRange(["-f", Path.Combine(FixtureRoot, (string)f!)]);
        }

        foreach (var s in c["set"]!.AsArray())
        {
            args.AddRange(["--set", (string)s!]);
        }

        foreach (var s in c["setString"]!.AsArray())
        {
            args.AddRange(["--set-string", (string)s!]);
        }

        // Helm's tests run with a built-in Kubernetes version a released binary does not have; pass it explicitly.
        args.AddRange(["--kube-version", (string?)flags["kubeVersion"] ?? (string)c["capabilities"]!["kubeVersion"]!]);
        foreach (var a in flags["apiVersions"]?.AsArray() ?? [])
        {
            args.AddRange(["--api-versions", (string)a!]);
        }

        foreach (var s in flags["showOnly"]?.AsArray() ?? [])
        {
            args.AddRange(["--show-only", (string)s!]);
        }

        if ((bool?)flags["includeCrds"] == true)
        {
            args.Add("--include-crds");
        }

        if ((bool?)flags["skipTests"] == true)
        {
            args.Add("--skip-tests");
        }

        if ((string?)flags["nameTemplate"] is { } nameTemplate)
        {
            args.AddRange(["--name-template", nameTemplate]);
        }

        if (helmVersion == 4)
        {
            args.AddRange(["--helm-version", "4"]);
        }

        return args;
    }

    [Fact]
    public async Task Output_dir_writes_one_file_per_template_and_says_so()
    {
        using var dir = new TempDirectory("render-out");
        var (code, stdout, _) = await RunAsync(["render", Path.Combine(FixtureRoot, "charts", "subchart"), "--kube-version", "1.20.0", "--output-dir", dir.Path]);

        Assert.Equal(0, code);
        var service = Path.Combine(dir.Path, "subchart", "templates", "service.yaml");
        Assert.Contains("wrote " + service + "\n", stdout, StringComparison.Ordinal);
        Assert.StartsWith("---\n# Source: subchart/templates/service.yaml\napiVersion: v1\nkind: Service\n", File.ReadAllText(service), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir.Path, "subchart", "charts", "subcharta", "templates", "service.yaml")));
    }

    [Fact]
    public async Task Output_dir_with_crds_and_hooks_holds_helm_3s_output_split_by_source()
    {
        // Helm writes each document as "---\n# Source: PATH\nCONTENT\n" to DIR/PATH (CRDs, then manifests, then
        // hooks, appending to a file already written) and prints "wrote FILE" per write: the Helm 3 golden of the
        // same flags without --output-dir, cut at its "# Source:" lines, is what the files must hold.
        var golden = File.ReadAllText(Path.Combine(FixtureRoot, "expected-helm3", "template-with-crds.txt"));
        var documents = Documents(golden);
        using var dir = new TempDirectory("render-out");

        var (code, stdout, stderr) = await RunAsync(["render", Path.Combine(FixtureRoot, "charts", "subchart"), "--kube-version", "1.20.0", "--include-crds", "--output-dir", dir.Path]);

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Contains(documents, d => d.Path.Contains("/crds/", StringComparison.Ordinal));
        Assert.Contains(documents, d => d.Text.Contains("helm.sh/hook", StringComparison.Ordinal));
        Assert.Equal(string.Concat(documents.Select(d => "wrote " + dir.Path + "/" + d.Path + "\n")) + "\n", stdout);
        foreach (var file in documents.GroupBy(d => d.Path))
        {
            Assert.Equal(string.Concat(file.Select(d => d.Text)), File.ReadAllText(Path.Combine(dir.Path, file.Key)));
        }
    }

    [Fact]
    public async Task Output_dir_appends_a_hook_to_the_file_of_its_template()
    {
        using var chart = new TempDirectory("render-chart");
        Directory.CreateDirectory(Path.Combine(chart.Path, "templates"));
        File.WriteAllText(Path.Combine(chart.Path, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 0.1.0\n");
        File.WriteAllText(Path.Combine(chart.Path, "templates", "app.yaml"),
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n");
        using var dir = new TempDirectory("render-out");

        var (code, stdout, _) = await RunAsync(["render", chart.Path, "--output-dir", dir.Path]);

        var file = dir.Path + "/demo/templates/app.yaml";
        Assert.Equal(0, code);
        Assert.Equal("wrote " + file + "\nwrote " + file + "\n\n", stdout);
        Assert.Equal(
            "---\n# Source: demo/templates/app.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
            + "---\n# Source: demo/templates/app.yaml\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install\n",
            File.ReadAllText(file));
    }

    [Fact]
    public async Task Output_dir_with_show_only_writes_every_file_then_fails_as_helm_does()
    {
        // helm template looks for --show-only's templates in what it would print, which --output-dir leaves empty
        // (helm/helm#9722, closed unfixed): the files are all written, then the first pattern is not found.
        using var dir = new TempDirectory("render-out");

        var (code, stdout, stderr) = await RunAsync(["render", Path.Combine(FixtureRoot, "charts", "subchart"), "--kube-version", "1.20.0", "--output-dir", dir.Path, "--show-only", "templates/service.yaml", "--show-only", "templates/nothing.yaml"]);

        Assert.Equal("Error: could not find template templates/service.yaml in chart\n", stderr);
        Assert.Equal(1, code);
        Assert.StartsWith("wrote " + dir.Path + "/subchart/", stdout, StringComparison.Ordinal);
        Assert.EndsWith("yaml\n", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir.Path, "subchart", "templates", "service.yaml")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "subchart", "templates", "subdir", "role.yaml")));
    }

    [Fact]
    public async Task A_single_template_named_as_a_partial_is_rendered()
    {
        using var dir = new TempDirectory("render-tpl");
        var template = Path.Combine(dir.Path, "_helpers.tpl");
        File.WriteAllText(template, "{{- define \"app.name\" -}}{{ .Values.name | default \"app\" }}-{{ .Chart.Name }}{{- end -}}\nname: {{ include \"app.name\" . }}\ntemplate: {{ .Template.Name }}\n");

        var (code, stdout, stderr) = await RunAsync(["render", "--template", template, "--set", "name=web"]);

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Equal("name: web-chart\ntemplate: chart/templates/_helpers.tpl\n", stdout);
    }

    /// <summary>The documents of helm template's output, each with the "# Source:" path it names.</summary>
    private static List<(string Path, string Text)> Documents(string output)
    {
        const string marker = "---\n# Source: ";
        var starts = new List<int>();
        for (var i = output.IndexOf(marker, StringComparison.Ordinal); i >= 0; i = output.IndexOf(marker, i + 1, StringComparison.Ordinal))
        {
            if (i == 0 || output[i - 1] == '\n')
            {
                starts.Add(i);
            }
        }

        return starts.Select((start, n) =>
        {
            var end = n + 1 < starts.Count ? starts[n + 1] : output.Length;
            var path = output[(start + marker.Length)..output.IndexOf('\n', start + marker.Length)];
            return (path, output[start..end]);
        }).ToList();
    }

    [Fact]
    public async Task A_single_template_renders_with_values_files_set_flags_and_helms_functions()
    {
        using var dir = new TempDirectory("render-tpl");
        var template = Path.Combine(dir.Path, "snippet.yaml");
        var values = Path.Combine(dir.Path, "values.yaml");
        File.WriteAllText(template, "name: {{ .Values.name | upper }}\nrelease: {{ .Release.Name }}\nreplicas: {{ .Values.replicas }}\n{{- include \"x\" . }}\n{{- define \"x\" }}\nlist:\n{{ toYaml .Values.list | indent 2 }}{{ end }}\nmissing: {{ .Values.nope }}\n");
        File.WriteAllText(values, "name: web\nreplicas: 1\nlist: [a, b]\n");

        var (code, stdout, stderr) = await RunAsync(["render", "--template", template, "--values", values, "--set", "replicas=3"]);

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Equal("name: WEB\nrelease: release-name\nreplicas: 3\nlist:\n  - a\n  - b\nmissing: \n", stdout);
    }

    [Fact]
    public async Task Set_file_reads_a_value_from_a_file_and_set_string_keeps_text()
    {
        using var chart = new TempDirectory("render-chart");
        Directory.CreateDirectory(Path.Combine(chart.Path, "templates"));
        File.WriteAllText(Path.Combine(chart.Path, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 0.1.0\n");
        File.WriteAllText(Path.Combine(chart.Path, "templates", "cm.yaml"), "kind: ConfigMap\ndata:\n  script: {{ .Values.script | quote }}\n  tag: {{ kindOf .Values.tag }}\n");
        var script = Path.Combine(chart.Path, "script.sh");
        File.WriteAllText(script, "echo hi\n");

        var (code, stdout, _) = await RunAsync(["render", chart.Path, "--set-file", "script=" + script, "--set-string", "tag=1.10"]);

        Assert.Equal(0, code);
        Assert.Equal("---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\ndata:\n  script: \"echo hi\\n\"\n  tag: string\n", stdout);
    }

    [Fact]
    public async Task A_plain_directory_prints_the_objects_keelson_would_apply()
    {
        using var dir = new TempDirectory("render-plain");
        File.WriteAllText(Path.Combine(dir.Path, "b.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: \"1\"\n---\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\n");
        File.WriteAllText(Path.Combine(dir.Path, "a.json"), "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"a\"}}\n");
        File.WriteAllText(Path.Combine(dir.Path, "notes.txt"), "not a manifest\n");

        var (code, stdout, stderr) = await RunAsync(["render", dir.Path]);

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Equal(
            "---\n# Source: a.json\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n" +
            "---\n# Source: b.yaml\napiVersion: v1\ndata:\n  k: \"1\"\nkind: ConfigMap\nmetadata:\n  name: b\n" +
            "---\n# Source: b.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n",
            stdout);
    }

    [Fact]
    public async Task A_kustomize_overlay_in_a_git_work_tree_is_built_with_its_bases()
    {
        Tools.Require("kubectl", "apt-get install kubectl (or put kubectl 1.32 on PATH)");
        using var repo = await GitRepo.CreateAsync(cancellationToken: TestContext.Current.CancellationToken);
        repo.Write("base/kustomization.yaml", "resources:\n- cm.yaml\n")
            .Write("base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: base\n")
            .Write("overlay/kustomization.yaml", "resources:\n- ../base\nnamePrefix: prod-\n");

        var (code, stdout, stderr) = await RunAsync(["render", Path.Combine(repo.Path, "overlay")]);

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Equal("---\n# Source: overlay/kustomization.yaml\napiVersion: v1\ndata:\n  mode: base\nkind: ConfigMap\nmetadata:\n  name: prod-settings\n", stdout);
    }

    [Theory]
    [InlineData("missing-chart", "Error: path \"{dir}/missing-chart\" not found\n")]
    [InlineData("bad-template", "Error: parse error at (bad/templates/x.yaml:2): unexpected \"}\" in operand\n")]
    [InlineData("failing-template", "Error: execution error at (bad/templates/x.yaml:1:3): need a name\n")]
    public async Task Errors_go_to_stderr_with_a_non_zero_exit(string what, string message)
    {
        using var dir = new TempDirectory("render-err");
        var chart = Path.Combine(dir.Path, what == "missing-chart" ? "missing-chart" : "bad");
        if (what != "missing-chart")
        {
            Directory.CreateDirectory(Path.Combine(chart, "templates"));
            File.WriteAllText(Path.Combine(chart, "Chart.yaml"), "apiVersion: v2\nname: bad\nversion: 0.1.0\n");
            File.WriteAllText(Path.Combine(chart, "templates", "x.yaml"), what == "bad-template" ? "a: 1\nb: {{ .Values.x } }\n" : "{{ required \"need a name\" .Values.name }}\n");
        }

        var (code, stdout, stderr) = await RunAsync(["render", chart]);

        Assert.Equal(message.Replace("{dir}", dir.Path, StringComparison.Ordinal), stderr);
        Assert.Equal("", stdout);
        Assert.Equal(1, code);
    }

    [Fact]
    public async Task A_show_only_pattern_that_matches_nothing_is_an_error()
    {
        var (code, stdout, stderr) = await RunAsync(["render", Path.Combine(FixtureRoot, "charts", "subchart"), "--show-only", "templates/nothing.yaml"]);

        Assert.Equal("Error: could not find template templates/nothing.yaml in chart\n", stderr);
        Assert.Equal("", stdout);
        Assert.Equal(1, code);
    }

    [Fact]
    public async Task Only_helm_3_and_4_can_be_reproduced()
    {
        var (code, _, stderr) = await RunAsync(["render", Path.Combine(FixtureRoot, "charts", "subchart"), "--helm-version", "5"]);

        Assert.Contains("--helm-version must be 3 or 4", stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, code);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await KeelsonCli.RunAsync([.. args], stdout, stderr, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
