using System.Text.Json.Nodes;
using Keelson.Testing;

using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Kubectl;

/// <summary>
/// The real kubectl against the simulator (or a real cluster, see <see cref="KubectlCluster"/>): the everyday commands
/// behave and print as they do against kube-apiserver.
/// </summary>
public sealed class KubectlConformanceTests(KubectlCluster cluster) : IClassFixture<KubectlCluster>
{
    private const string Image = "registry.k8s.io/pause:3.9";

    private KubectlRunner Kubectl => cluster.Kubectl;

    private static string Workloads(string ns) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {{ns}}
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: main
                image: {{Image}}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: {{ns}}
        data:
          mode: fast
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: creds
          namespace: {{ns}}
        stringData:
          password: hunter2
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: {{ns}}
        spec:
          selector: {app: web}
          ports:
          - port: 80
            targetPort: 8080
        """;

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
        Assert.Contains("app=web", wide);
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
    }

    [Fact]
    public async Task Patch_merges_with_json_merge_and_strategic_merge_semantics()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();

        (await Kubectl.RunAsync("patch", "deployment", "web", "-n", ns, "--type", "merge", "-p", """{"spec":{"replicas":2}}""")).EnsureSuccess();

        // Strategic merge: the container list merges by name, so the other fields of "main" stay.
        (await Kubectl.RunAsync("patch", "deployment", "web", "-n", ns, "-p",
            """{"spec":{"template":{"spec":{"containers":[{"name":"main","env":[{"name":"MODE","value":"x"}]}]}}}}""")).EnsureSuccess();
        var result = (await Kubectl.RunAsync("get", "deployment", "web", "-n", ns, "-o",
            "jsonpath={.spec.replicas}|{.spec.template.spec.containers[*].name}|{.spec.template.spec.containers[0].image}|{.spec.template.spec.containers[0].env[0].value}")).EnsureSuccess().Stdout;
        Assert.Equal($"2|main|{Image}|x", result);

        // A JSON merge patch replaces lists wholesale.
        (await Kubectl.RunAsync("patch", "configmap", "settings", "-n", ns, "--type", "merge", "-p", """{"data":{"mode":null,"size":"10"}}""")).EnsureSuccess();
        var data = (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data}")).EnsureSuccess().Stdout;
        Assert.Equal("""{"size":"10"}""", data);
    }

    [Fact]
    public async Task Wait_for_available_then_foreground_delete_removes_the_owned_replica_set()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        (await Kubectl.RunAsync("wait", "--for=condition=Available", "deployment/web", "-n", ns, "--timeout=120s")).EnsureSuccess();

        var replicaSets = (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-l", "app=web", "-o", "jsonpath={.items[*].metadata.ownerReferences[0].name}")).EnsureSuccess().Stdout;
        Assert.Equal("web", replicaSets);

        var deleted = (await Kubectl.RunAsync("delete", "deployment", "web", "-n", ns, "--cascade=foreground", "--timeout=60s")).EnsureSuccess();
        Assert.Contains("deployment.apps \"web\" deleted", deleted.Stdout);

        // kubectl waited for the owner to go, which foreground deletion allows only once the dependents are gone.
        var left = (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-l", "app=web", "-o", "name")).EnsureSuccess().Stdout;
        Assert.Equal("", left.Trim());
    }

    [Fact]
    public async Task Background_delete_of_an_owner_removes_its_dependents()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        await Until.WaitAsync(async _ => (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-o", "name")).Stdout.Contains("replicaset.apps/web-", StringComparison.Ordinal),
            "the deployment controller to create a ReplicaSet", TimeSpan.FromSeconds(60));

        (await Kubectl.RunAsync("delete", "deployment", "web", "-n", ns)).EnsureSuccess();
        await Until.WaitAsync(async _ => (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-o", "name")).Stdout.Trim().Length == 0,
            "garbage collection of the ReplicaSet", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Get_watch_streams_a_change()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        await using var watch = Kubectl.Stream("get", "configmap", "settings", "-n", ns, "-w", "-o", "custom-columns=NAME:.metadata.name,MODE:.data.mode", "--request-timeout=0");
        Assert.Matches(@"^NAME\s+MODE", await watch.NextLineAsync("the header"));
        Assert.Matches(@"^settings\s+fast", await watch.NextLineAsync("the current state"));

        (await Kubectl.RunAsync("patch", "configmap", "settings", "-n", ns, "--type", "merge", "-p", """{"data":{"mode":"slow"}}""")).EnsureSuccess();
        Assert.Matches(@"^settings\s+slow", await watch.NextLineAsync("the change"));
    }

    [Fact]
    public async Task Custom_resource_definition_serves_printer_columns_and_short_names()
    {
        var ns = await cluster.NewNamespaceAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var plural = $"gadgets{suffix}";
        var group = "conformance.keelson.dev";
        var crd = $$$"""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: {{{plural}}}.{{{group}}}
            spec:
              group: {{{group}}}
              scope: Namespaced
              names:
                plural: {{{plural}}}
                singular: gadget{{{suffix}}}
                kind: Gadget{{{suffix}}}
                shortNames: [gd{{{suffix}}}]
              versions:
              - name: v1
                served: true
                storage: true
                subresources: {status: {}}
                additionalPrinterColumns:
                - {name: Size, type: integer, jsonPath: .spec.size}
                - {name: Color, type: string, jsonPath: .spec.color}
                - {name: Phase, type: string, jsonPath: .status.phase, priority: 1}
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        required: [size]
                        properties:
                          size: {type: integer, minimum: 1}
                          color: {type: string, default: red}
                      status:
                        type: object
                        properties:
                          phase: {type: string}
            """;
        cluster.CleanUpLater($"customresourcedefinition/{plural}.{group}");
        (await Kubectl.RunAsync(["apply", "-f", "-"], crd)).EnsureSuccess();
        (await Kubectl.RunAsync("wait", "--for=condition=Established", $"crd/{plural}.{group}", "--timeout=60s")).EnsureSuccess();

        var gadget = $$"""
            apiVersion: {{group}}/v1
            kind: Gadget{{suffix}}
            metadata:
              name: g1
              namespace: {{ns}}
            spec:
              size: 3
            """;
        (await Kubectl.RunAsync(["apply", "-f", "-"], gadget)).EnsureSuccess();

        var table = (await Kubectl.RunAsync("get", plural, "-n", ns)).EnsureSuccess().Stdout;
        Assert.Matches(@"^NAME\s+SIZE\s+COLOR\s*$", table.Split('\n')[0]);
        Assert.Matches(@"(?m)^g1\s+3\s+red\s*$", table);

        var byShortName = (await Kubectl.RunAsync("get", $"gd{suffix}", "-n", ns, "-o", "wide")).EnsureSuccess().Stdout;
        Assert.Matches(@"^NAME\s+SIZE\s+COLOR\s+PHASE", byShortName);
        Assert.Matches(@"(?m)^g1\s+3\s+red\s*$", byShortName);

        var invalid = (await Kubectl.RunAsync(["apply", "-f", "-"], gadget.Replace("size: 3", "size: three", StringComparison.Ordinal))).EnsureFailure();
        Assert.Contains("spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"", invalid.Stderr);
    }

    [Fact]
    public async Task Conflicting_field_managers_are_reported_and_force_conflicts_wins()
    {
        var ns = await cluster.NewNamespaceAsync();
        var manifest = $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: shared
              namespace: {{ns}}
            data:
              owner: first
            """;
        (await Kubectl.RunAsync(["apply", "--server-side", "--field-manager=first", "-f", "-"], manifest)).EnsureSuccess();

        var second = manifest.Replace("owner: first", "owner: second", StringComparison.Ordinal);
        var conflict = (await Kubectl.RunAsync(["apply", "--server-side", "--field-manager=second", "-f", "-"], second)).EnsureFailure();
        Assert.Contains("Apply failed with 1 conflict: conflict with \"first\": .data.owner", conflict.Stderr);
        Assert.Contains("--force-conflicts", conflict.Stderr);

        (await Kubectl.RunAsync(["apply", "--server-side", "--field-manager=second", "--force-conflicts", "-f", "-"], second)).EnsureSuccess();
        var owner = (await Kubectl.RunAsync("get", "configmap", "shared", "-n", ns, "-o", "jsonpath={.data.owner}")).EnsureSuccess().Stdout;
        Assert.Equal("second", owner);
        var managers = (await Kubectl.RunAsync("get", "configmap", "shared", "-n", ns, "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}")).EnsureSuccess().Stdout;
        Assert.Contains("second", managers.Split(' '));
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
        (await Kubectl.RunAsync("delete", "configmap", "settings", "-n", ns, "--dry-run=server")).EnsureSuccess();
        (await Kubectl.RunAsync("create", "configmap", "extra", "-n", ns, "--from-literal=a=b", "--dry-run=server")).EnsureSuccess();

        var after = (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion} {.data.mode}")).EnsureSuccess().Stdout;
        Assert.Equal($"{before} fast", after);
        var extra = await Kubectl.RunAsync("get", "configmap", "extra", "-n", ns);
        Assert.Contains("NotFound", extra.EnsureFailure().Stderr);
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
        var first = $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: app
              namespace: {{ns}}
            data:
              a: "1"
              b: "2"
            """;
        Assert.Contains("configmap/app created", (await Kubectl.RunAsync(["apply", "-f", "-"], first)).EnsureSuccess().Stdout);

        // Someone else adds a key; dropping "b" from the manifest removes only "b".
        (await Kubectl.RunAsync("patch", "configmap", "app", "-n", ns, "--type", "merge", "-p", """{"data":{"c":"3"}}""")).EnsureSuccess();
        var second = first.Replace("\n  b: \"2\"", "", StringComparison.Ordinal).Replace("a: \"1\"", "a: \"10\"", StringComparison.Ordinal);
        Assert.Contains("configmap/app configured", (await Kubectl.RunAsync(["apply", "-f", "-"], second)).EnsureSuccess().Stdout);

        var data = (await Kubectl.RunAsync("get", "configmap", "app", "-n", ns, "-o", "jsonpath={.data}")).EnsureSuccess().Stdout;
        Assert.Equal("""{"a":"10","c":"3"}""", data);
        var lastApplied = (await Kubectl.RunAsync("get", "configmap", "app", "-n", ns, "-o", "jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}")).EnsureSuccess().Stdout;
        Assert.Contains("\"a\":\"10\"", lastApplied);
    }

    [Fact]
    public async Task Create_generators_and_namespace_deletion_work()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync("create", "deployment", "gen", "-n", ns, $"--image={Image}", "--replicas=2", "--port=8080")).EnsureSuccess();
        (await Kubectl.RunAsync("create", "configmap", "gen", "-n", ns, "--from-literal=k=v")).EnsureSuccess();
        (await Kubectl.RunAsync("create", "service", "clusterip", "gen", "-n", ns, "--tcp=80:8080")).EnsureSuccess();
        var deployment = (await Kubectl.RunAsync("get", "deployment", "gen", "-n", ns, "-o",
            "jsonpath={.spec.replicas}|{.spec.template.spec.containers[0].ports[0].containerPort}|{.spec.template.spec.containers[0].imagePullPolicy}|{.spec.strategy.type}")).EnsureSuccess().Stdout;
        Assert.Equal("2|8080|IfNotPresent|RollingUpdate", deployment);
        var service = (await Kubectl.RunAsync("get", "service", "gen", "-n", ns, "-o", "jsonpath={.spec.ports[0].port}/{.spec.ports[0].targetPort}/{.spec.type}")).EnsureSuccess().Stdout;
        Assert.Equal("80/8080/ClusterIP", service);
        Assert.Equal("yes", (await Kubectl.RunAsync("auth", "can-i", "create", "deployments", "-n", ns)).EnsureSuccess().Stdout.Trim());

        var deleted = (await Kubectl.RunAsync("delete", "namespace", ns, "--timeout=120s")).EnsureSuccess();
        Assert.Contains($"namespace \"{ns}\" deleted", deleted.Stdout);
        Assert.Contains("NotFound", (await Kubectl.RunAsync("get", "namespace", ns)).EnsureFailure().Stderr);
    }
}
