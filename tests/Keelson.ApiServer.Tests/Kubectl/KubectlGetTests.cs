using static Keelson.ApiServer.Tests.Kubectl.KubectlManifests;

namespace Keelson.ApiServer.Tests.Kubectl;

/// <summary>
/// kubectl's read paths and patches: discovery, output formats, label and field selectors, bounded watches, and the
/// three patch types.
/// </summary>
public sealed class KubectlGetTests(KubectlCluster cluster) : IClassFixture<KubectlCluster>
{
    private KubectlRunner Kubectl => cluster.Kubectl;

    [Fact]
    public async Task Discovery_lists_the_served_groups_and_resources()
    {
        var versions = (await Kubectl.RunAsync("api-versions")).EnsureSuccess().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var expected in new[] { "v1", "apps/v1", "batch/v1", "apiextensions.k8s.io/v1", "rbac.authorization.k8s.io/v1", "coordination.k8s.io/v1", "networking.k8s.io/v1", "policy/v1", "autoscaling/v2", "events.k8s.io/v1" })
        {
            Assert.Contains(expected, versions);
        }

        var resources = (await Kubectl.RunAsync("api-resources")).EnsureSuccess().Stdout;
        Assert.Matches(@"^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND", resources);
        Assert.Matches(@"(?m)^deployments\s+deploy\s+apps/v1\s+true\s+Deployment$", resources);
        Assert.Matches(@"(?m)^namespaces\s+ns\s+v1\s+false\s+Namespace$", resources);
        Assert.Matches(@"(?m)^configmaps\s+cm\s+v1\s+true\s+ConfigMap$", resources);
        Assert.Matches(@"(?m)^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io/v1\s+false\s+CustomResourceDefinition$", resources);
        Assert.Matches(@"(?m)^leases\s+coordination\.k8s\.io/v1\s+true\s+Lease$", resources);

        var apps = (await Kubectl.RunAsync("api-resources", "--api-group=apps", "-o", "wide")).EnsureSuccess().Stdout;
        Assert.Matches(@"(?m)^deployments\s+deploy\s+apps/v1\s+true\s+Deployment\s+create,delete,deletecollection,get,list,patch,update,watch\s+all$", apps);
        var clusterScoped = (await Kubectl.RunAsync("api-resources", "--namespaced=false", "-o", "name")).EnsureSuccess().Stdout.Split('\n');
        Assert.Contains("namespaces", clusterScoped);
        Assert.DoesNotContain("configmaps", clusterScoped);
    }

    [Fact]
    public async Task Label_and_field_selectors_pick_objects_in_every_output_format()
    {
        var ns = await cluster.NewNamespaceAsync();
        var manifests = string.Join("\n---\n",
            ConfigMap(ns, "alpha", "{k: a}", "{app: sel, tier: web}"),
            ConfigMap(ns, "beta", "{k: b, l: b}", "{app: sel, tier: db}"),
            ConfigMap(ns, "gamma", "{}", "{app: sel}"));
        (await Kubectl.RunAsync(["apply", "-f", "-"], manifests)).EnsureSuccess();

        async Task<string> Names(params string[] selector) =>
            (await Kubectl.RunAsync(["get", "configmaps", "-n", ns, "-o", "name", .. selector])).EnsureSuccess().Stdout.Trim().Replace('\n', ' ');
        Assert.Equal("configmap/alpha", await Names("-l", "tier=web"));
        Assert.Equal("configmap/alpha configmap/beta", await Names("-l", "tier in (web,db)"));
        Assert.Equal("configmap/gamma", await Names("-l", "app=sel,!tier"));
        Assert.Equal("configmap/beta configmap/gamma", await Names("-l", "app=sel,tier notin (web)"));
        Assert.Equal("configmap/beta", await Names("-l", "app=sel", "--field-selector", "metadata.name=beta"));
        Assert.Equal("configmap/alpha configmap/gamma", await Names("-l", "app=sel", "--field-selector", "metadata.name!=beta"));

        var table = (await Kubectl.RunAsync("get", "configmaps", "-n", ns, "-l", "app=sel", "--show-labels")).EnsureSuccess().Stdout;
        Assert.Matches(@"^NAME\s+DATA\s+AGE\s+LABELS", table);
        Assert.Matches(@"(?m)^alpha\s+1\s+\S+\s+app=sel,tier=web$", table);
        Assert.Matches(@"(?m)^beta\s+2\s+\S+\s+app=sel,tier=db$", table);
        Assert.Matches(@"(?m)^gamma\s+0\s+\S+\s+app=sel$", table);

        var columns = (await Kubectl.RunAsync("get", "configmaps", "-n", ns, "-l", "app=sel", "-L", "tier")).EnsureSuccess().Stdout;
        Assert.Matches(@"^NAME\s+DATA\s+AGE\s+TIER", columns);
        Assert.Matches(@"(?m)^beta\s+2\s+\S+\s+db$", columns);

        var yaml = (await Kubectl.RunAsync("get", "configmaps", "-n", ns, "-l", "tier=db", "-o", "yaml")).EnsureSuccess().Stdout;
        Assert.StartsWith("apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    k: b\n    l: b\n  kind: ConfigMap\n", yaml, StringComparison.Ordinal);
        Assert.Contains("\n    name: beta\n", yaml);
        Assert.EndsWith("kind: List\nmetadata:\n  resourceVersion: \"\"\n", yaml, StringComparison.Ordinal);

        var single = (await Kubectl.RunAsync("get", "configmap", "alpha", "-n", ns, "-o", "yaml")).EnsureSuccess().Stdout;
        Assert.StartsWith("apiVersion: v1\ndata:\n  k: a\nkind: ConfigMap\nmetadata:\n", single, StringComparison.Ordinal);

        var none = (await Kubectl.RunAsync("get", "configmaps", "-n", ns, "-l", "tier=none")).EnsureSuccess();
        Assert.Equal("", none.Stdout);
        Assert.Contains($"No resources found in {ns} namespace.", none.Stderr);
    }

    [Fact]
    public async Task Get_watch_streams_changes_until_the_request_timeout()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "-f", "-"], ConfigMap(ns, "settings", "{mode: fast}"))).EnsureSuccess();
        await using var watch = Kubectl.Stream("get", "configmap", "settings", "-n", ns, "-w", "-o", "custom-columns=NAME:.metadata.name,MODE:.data.mode", "--request-timeout=8s");
        Assert.Matches(@"^NAME\s+MODE", await watch.NextLineAsync("the header"));
        Assert.Matches(@"^settings\s+fast", await watch.NextLineAsync("the current state"));

        (await Kubectl.RunAsync("patch", "configmap", "settings", "-n", ns, "--type", "merge", "-p", """{"data":{"mode":"slow"}}""")).EnsureSuccess();
        Assert.Matches(@"^settings\s+slow", await watch.NextLineAsync("the change"));

        // The watch is bounded: kubectl ends by itself, successfully, once the request timeout has passed.
        Assert.Equal(0, await watch.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Patch_merges_with_json_merge_json_patch_and_strategic_merge_semantics()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();

        var merged = (await Kubectl.RunAsync("patch", "deployment", "web", "-n", ns, "--type", "merge", "-p", """{"spec":{"replicas":2}}""")).EnsureSuccess();
        Assert.Contains("deployment.apps/web patched", merged.Stdout);

        // Strategic merge: the container list merges by name, so the other fields of "main" stay.
        (await Kubectl.RunAsync("patch", "deployment", "web", "-n", ns, "-p",
            """{"spec":{"template":{"spec":{"containers":[{"name":"main","env":[{"name":"MODE","value":"x"},{"name":"KEEP","value":"y"}]}]}}}}""")).EnsureSuccess();
        var result = (await Kubectl.RunAsync("get", "deployment", "web", "-n", ns, "-o",
            "jsonpath={.spec.replicas}|{.spec.template.spec.containers[*].name}|{.spec.template.spec.containers[0].image}|{.spec.template.spec.containers[0].env[0].value}")).EnsureSuccess().Stdout;
        Assert.Equal($"2|main|{Image}|x", result);

        // Strategic merge with a $patch directive removes one list item by its key.
        (await Kubectl.RunAsync("patch", "deployment", "web", "-n", ns, "-p",
            """{"spec":{"template":{"spec":{"containers":[{"name":"main","env":[{"name":"MODE","$patch":"delete"}]}]}}}}""")).EnsureSuccess();
        Assert.Equal("KEEP", (await Kubectl.RunAsync("get", "deployment", "web", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].env[*].name}")).EnsureSuccess().Stdout);

        // A JSON merge patch deletes keys with null.
        (await Kubectl.RunAsync("patch", "configmap", "settings", "-n", ns, "--type", "merge", "-p", """{"data":{"mode":null,"size":"10"}}""")).EnsureSuccess();
        Assert.Equal("""{"size":"10"}""", (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data}")).EnsureSuccess().Stdout);

        // A JSON patch applies its operations in order, and a failed test operation changes nothing.
        (await Kubectl.RunAsync("patch", "configmap", "settings", "-n", ns, "--type", "json", "-p",
            """[{"op":"add","path":"/data/color","value":"blue"},{"op":"replace","path":"/data/size","value":"20"},{"op":"remove","path":"/data/color"}]""")).EnsureSuccess();
        Assert.Equal("""{"size":"20"}""", (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data}")).EnsureSuccess().Stdout);
        var failed = (await Kubectl.RunAsync("patch", "configmap", "settings", "-n", ns, "--type", "json", "-p",
            """[{"op":"replace","path":"/data/size","value":"30"},{"op":"test","path":"/data/size","value":"40"}]""")).EnsureFailure();
        Assert.Contains("The request is invalid", failed.Stderr);
        Assert.Equal("""{"size":"20"}""", (await Kubectl.RunAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data}")).EnsureSuccess().Stdout);

        // Custom columns read the patched object.
        var custom = (await Kubectl.RunAsync("get", "deployment", "web", "-n", ns, "-o", "custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas,IMAGE:.spec.template.spec.containers[0].image")).EnsureSuccess().Stdout;
        Assert.Matches($@"(?m)^web\s+2\s+{System.Text.RegularExpressions.Regex.Escape(Image)}$", custom);
    }
}
