using System.Text.Json.Nodes;
using Keelson.Testing;
using static Keelson.ApiServer.Tests.Kubectl.KubectlManifests;

namespace Keelson.ApiServer.Tests.Kubectl;

/// <summary>
/// kubectl's write paths against the simulator (or a real cluster, see <see cref="KubectlCluster"/>): client-side and
/// server-side apply, replace, edit, diff and server dry runs behave and print as they do against kube-apiserver.
/// </summary>
public sealed class KubectlApplyTests(KubectlCluster cluster) : IClassFixture<KubectlCluster>
{
    private KubectlRunner Kubectl => cluster.Kubectl;

    [Fact]
    public async Task Server_side_apply_creates_workloads_and_get_prints_tables()
    {
        var ns = await cluster.NewNamespaceAsync();
        var applied = (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        Assert.Contains("deployment.apps/web serverside-applied", applied.Stdout);
        Assert.Contains("configmap/settings serverside-applied", applied.Stdout);
        Assert.Contains("secret/creds serverside-applied", applied.Stdout);
        Assert.Contains("service/web serverside-applied", applied.Stdout);

        var deployments = (await Kubectl.RunAsync("get", "deployments", "-n", ns)).EnsureSuccess().Stdout;
        var header = deployments.Split('\n')[0];
        Assert.Matches(@"^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$", header.TrimEnd());
        Assert.Matches(@"(?m)^web\s+\d/1\s+\d\s+\d\s+\S+$", deployments);

        var services = (await Kubectl.RunAsync("get", "service", "web", "-n", ns)).EnsureSuccess().Stdout;
        Assert.Matches(@"^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE", services);
        Assert.Matches(@"(?m)^web\s+ClusterIP\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+80/TCP\s+\S+$", services);

        var secret = JsonNode.Parse((await Kubectl.RunAsync("get", "secret", "creds", "-n", ns, "-o", "json")).EnsureSuccess().Stdout)!;
        Assert.Equal("Opaque", (string?)secret["type"]);
        Assert.Equal(Convert.ToBase64String("hunter2"u8), (string?)secret["data"]!["password"]);
        Assert.Null(secret["stringData"]);

        var wide = (await Kubectl.RunAsync("get", "deployment", "web", "-n", ns, "-o", "wide")).EnsureSuccess().Stdout;
        Assert.Matches(@"^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR", wide);
        Assert.Matches($@"(?m)^web\s+\d/1\s+\d\s+\d\s+\S+\s+main\s+{System.Text.RegularExpressions.Regex.Escape(Image)}\s+app=web$", wide);

        // Applying the same manifests again changes nothing.
        var before = (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}")).EnsureSuccess().Stdout;
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        var after = (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}")).EnsureSuccess().Stdout;
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Get_output_json_round_trips_through_replace_without_a_change()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        var json = (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "json")).EnsureSuccess().Stdout;
        var before = JsonNode.Parse(json)!;
        Assert.Equal("fast", (string?)before["data"]!["mode"]);
        Assert.False(string.IsNullOrEmpty((string?)before["metadata"]!["uid"]));

        (await Kubectl.RunAsync(["replace", "-f", "-"], json)).EnsureSuccess();
        var after = JsonNode.Parse((await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "json")).EnsureSuccess().Stdout)!;
        Assert.Equal((string?)before["metadata"]!["resourceVersion"], (string?)after["metadata"]!["resourceVersion"]);
        Assert.True(JsonNode.DeepEquals(before["data"], after["data"]));

        // An edit-style replace of what `get -o yaml` printed: the change lands, and replaying the stale copy conflicts.
        var yaml = (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "yaml")).EnsureSuccess().Stdout;
        Assert.Contains("  mode: fast\n", yaml);
        var replaced = (await Kubectl.RunAsync(["replace", "-f", "-"], yaml.Replace("  mode: fast\n", "  mode: replaced\n", StringComparison.Ordinal))).EnsureSuccess();
        Assert.Contains("configmap/settings replaced", replaced.Stdout);
        Assert.Equal("replaced", (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.mode}")).EnsureSuccess().Stdout);
        var stale = (await Kubectl.RunAsync(["replace", "-f", "-"], yaml)).EnsureFailure();
        Assert.Contains("Operation cannot be fulfilled on configmaps \"settings\": the object has been modified; please apply your changes to the latest version and try again", stale.Stderr);
    }

    [Fact]
    public async Task Conflicting_field_managers_are_reported_and_force_conflicts_wins()
    {
        var ns = await cluster.NewNamespaceAsync();
        var manifest = ConfigMap(ns, "shared", "{owner: first}");
        (await Kubectl.RunAsync(["apply", "--server-side", "--field-manager=first", "-f", "-"], manifest)).EnsureSuccess();

        var second = ConfigMap(ns, "shared", "{owner: second}");
        var conflict = (await Kubectl.RunAsync(["apply", "--server-side", "--field-manager=second", "-f", "-"], second)).EnsureFailure();
        Assert.Contains("Apply failed with 1 conflict: conflict with \"first\": .data.owner", conflict.Stderr);
        Assert.Contains("--force-conflicts", conflict.Stderr);
        Assert.Equal("first", (await Kubectl.RunAsync("get", "configmap", "shared", "-n", ns, "-o", "jsonpath={.data.owner}")).EnsureSuccess().Stdout);

        (await Kubectl.RunAsync(["apply", "--server-side", "--field-manager=second", "--force-conflicts", "-f", "-"], second)).EnsureSuccess();
        var owner = (await Kubectl.RunAsync("get", "configmap", "shared", "-n", ns, "-o", "jsonpath={.data.owner}")).EnsureSuccess().Stdout;
        Assert.Equal("second", owner);
        var managers = (await Kubectl.RunAsync("get", "configmap", "shared", "-n", ns, "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}")).EnsureSuccess().Stdout;
        Assert.Contains("second", managers.Split(' '));

        // The forced apply took .data.owner away from "first" (which still owns the empty labels it applied).
        var firstFields = (await Kubectl.RunAsync("get", "configmap", "shared", "-n", ns, "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[?(@.manager==\"first\")].fieldsV1}")).EnsureSuccess().Stdout;
        Assert.DoesNotContain("f:owner", firstFields);

        // A manager that stops applying a field it alone owns removes it.
        (await Kubectl.RunAsync(["apply", "--server-side", "--field-manager=second", "-f", "-"], ConfigMap(ns, "shared", "{other: x}"))).EnsureSuccess();
        Assert.Equal("""{"other":"x"}""", (await Kubectl.RunAsync("get", "configmap", "shared", "-n", ns, "-o", "jsonpath={.data}")).EnsureSuccess().Stdout);
    }

    [Fact]
    public async Task Server_dry_run_changes_nothing()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        var before = (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}")).EnsureSuccess().Stdout;

        var changed = Workloads(ns).Replace("mode: fast", "mode: dry", StringComparison.Ordinal);
        var dryApply = (await Kubectl.RunAsync(["apply", "--server-side", "--dry-run=server", "-f", "-"], changed)).EnsureSuccess();
        Assert.Contains("configmap/settings serverside-applied (server dry run)", dryApply.Stdout);
        var dryPrinted = (await Kubectl.RunAsync(["apply", "--dry-run=server", "-o", "jsonpath={.data.mode}", "-f", "-"], ConfigMap(ns, "settings", "{mode: printed}"))).EnsureSuccess();
        Assert.Equal("printed", dryPrinted.Stdout);
        (await Kubectl.RunAsync("delete", "configmap", "settings", "-n", ns, "--dry-run=server")).EnsureSuccess();
        var dryCreate = (await Kubectl.RunAsync("create", "configmap", "extra", "-n", ns, "--from-literal=a=b", "--dry-run=server")).EnsureSuccess();
        Assert.Contains("configmap/extra created (server dry run)", dryCreate.Stdout);
        (await Kubectl.RunAsync("patch", "configmap", "settings", "-n", ns, "--type", "merge", "-p", """{"data":{"mode":"patched"}}""", "--dry-run=server")).EnsureSuccess();

        var after = (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion} {.data.mode}")).EnsureSuccess().Stdout;
        Assert.Equal($"{before} fast", after);
        var extra = await Kubectl.RunAsync("get", "configmap", "extra", "-n", ns);
        Assert.Contains("NotFound", extra.EnsureFailure().Stderr);
    }

    [Fact]
    public async Task Diff_shows_what_apply_would_change_and_exits_one()
    {
        Tools.Require("diff", "apt-get install diffutils");
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "-f", "-"], Workloads(ns))).EnsureSuccess();

        var same = await Kubectl.RunAsync(["diff", "-f", "-"], Workloads(ns));
        Assert.True(same.ExitCode == 0, $"kubectl diff of unchanged manifests exited {same.ExitCode}: {same.Stdout}{same.Stderr}");
        Assert.Equal("", same.Stdout);

        var changed = Workloads(ns).Replace("mode: fast", "mode: slow", StringComparison.Ordinal).Replace("replicas: 1", "replicas: 3", StringComparison.Ordinal);
        var different = await Kubectl.RunAsync(["diff", "-f", "-"], changed);
        Assert.True(different.ExitCode == 1, $"kubectl diff exited {different.ExitCode}: {different.Stderr}");
        Assert.Contains("\n-  mode: fast\n+  mode: slow\n", different.Stdout);
        Assert.Contains("\n-  replicas: 1\n+  replicas: 3\n", different.Stdout);
        Assert.DoesNotContain("Secret", different.Stdout);

        var serverSide = await Kubectl.RunAsync(["diff", "--server-side", "--force-conflicts", "-f", "-"], changed);
        Assert.True(serverSide.ExitCode == 1, $"kubectl diff --server-side exited {serverSide.ExitCode}: {serverSide.Stderr}");
        Assert.Contains("\n-  mode: fast\n+  mode: slow\n", serverSide.Stdout);

        // diff runs as a server dry run: nothing changed.
        Assert.Equal("fast", (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.mode}")).EnsureSuccess().Stdout);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Edit_with_an_editor_script_updates_the_object()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        var dir = Directory.CreateTempSubdirectory("keelson-editor-");
        try
        {
            var editor = Path.Combine(dir.FullName, "editor.sh");
            await File.WriteAllTextAsync(editor, "#!/bin/sh\nsed -i 's/mode: fast/mode: edited/' \"$1\"\n", TestContext.Current.CancellationToken);
            File.SetUnixFileMode(editor, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var edited = (await Kubectl.RunAsync(["edit", "configmap", "settings", "-n", ns], environment: new Dictionary<string, string> { ["KUBE_EDITOR"] = editor })).EnsureSuccess();
            Assert.Contains("configmap/settings edited", edited.Stdout);
            var mode = (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.mode}")).EnsureSuccess().Stdout;
            Assert.Equal("edited", mode);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Client_side_apply_creates_then_three_way_merges()
    {
        var ns = await cluster.NewNamespaceAsync();
        Assert.Contains("configmap/app created", (await Kubectl.RunAsync(["apply", "-f", "-"], ConfigMap(ns, "app", "{a: '1', b: '2'}"))).EnsureSuccess().Stdout);
        Assert.Contains("configmap/app unchanged", (await Kubectl.RunAsync(["apply", "-f", "-"], ConfigMap(ns, "app", "{a: '1', b: '2'}"))).EnsureSuccess().Stdout);

        // Someone else adds a key; dropping "b" from the manifest removes only "b".
        (await Kubectl.RunAsync("patch", "configmap", "app", "-n", ns, "--type", "merge", "-p", """{"data":{"c":"3"}}""")).EnsureSuccess();
        Assert.Contains("configmap/app configured", (await Kubectl.RunAsync(["apply", "-f", "-"], ConfigMap(ns, "app", "{a: '10'}"))).EnsureSuccess().Stdout);

        var data = (await Kubectl.RunAsync("get", "configmap", "app", "-n", ns, "-o", "jsonpath={.data}")).EnsureSuccess().Stdout;
        Assert.Equal("""{"a":"10","c":"3"}""", data);
        var lastApplied = (await Kubectl.RunAsync("get", "configmap", "app", "-n", ns, "-o", "jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}")).EnsureSuccess().Stdout;
        Assert.Contains("\"a\":\"10\"", lastApplied);

        // Moving the same manifests to server-side apply takes over without conflicts.
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], ConfigMap(ns, "app", "{a: '11'}"))).EnsureSuccess();
        Assert.Equal("11", (await Kubectl.RunAsync("get", "configmap", "app", "-n", ns, "-o", "jsonpath={.data.a}")).EnsureSuccess().Stdout);
    }
}
