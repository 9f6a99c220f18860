using Keelson.ApiServer.Tests.Support;
using static Keelson.ApiServer.Tests.Kubectl.KubectlManifests;

namespace Keelson.ApiServer.Tests.Kubectl;

/// <summary>
/// Workloads driven by kubectl with the simulated controllers on: wait, rollout status, cascading deletion and
/// namespace deletion behave as on a real cluster.
/// </summary>
public sealed class KubectlWorkloadTests(KubectlCluster cluster) : IClassFixture<KubectlCluster>
{
    private KubectlRunner Kubectl => cluster.Kubectl;

    [Fact]
    public async Task Wait_for_available_then_foreground_delete_removes_the_owned_replica_set()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        var waited = (await Kubectl.RunAsync("wait", "--for=condition=Available", "deployment/web", "-n", ns, "--timeout=120s")).EnsureSuccess();
        Assert.Contains("deployment.apps/web condition met", waited.Stdout);

        var replicaSets = (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-l", "app=web", "-o", "jsonpath={.items[*].metadata.ownerReferences[0].name}")).EnsureSuccess().Stdout;
        Assert.Equal("web", replicaSets);

        var deleted = (await Kubectl.RunAsync("delete", "deployment", "web", "-n", ns, "--cascade=foreground", "--timeout=60s")).EnsureSuccess();
        Assert.Contains("deployment.apps \"web\" deleted", deleted.Stdout);

        // kubectl waited for the owner to go, which foreground deletion allows only once the dependents are gone.
        var left = (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-l", "app=web", "-o", "name")).EnsureSuccess().Stdout;
        Assert.Equal("", left.Trim());
    }

    [Fact]
    public async Task Get_pods_lists_a_running_ready_pod_per_replica_until_the_deployment_is_deleted()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        (await Kubectl.RunAsync("scale", "deployment/web", "-n", ns, "--replicas=2")).EnsureSuccess();
        (await Kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=120s")).EnsureSuccess();

        // A rolled-out Deployment has its Pods running: what a newcomer checks first.
        var table = (await Kubectl.RunAsync("get", "pods", "-n", ns, "-l", "app=web")).EnsureSuccess().Stdout;
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE", table);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(table, @"(?m)^web-[a-z0-9]+-[a-z0-9]{5}\s+1/1\s+Running\s+0\s+"));
        var owners = (await Kubectl.RunAsync("get", "pods", "-n", ns, "-l", "app=web", "-o", "jsonpath={range .items[*]}{.metadata.ownerReferences[0].kind} {end}")).EnsureSuccess().Stdout;
        Assert.Equal("ReplicaSet ReplicaSet", owners.Trim());

        (await Kubectl.RunAsync("delete", "deployment", "web", "-n", ns)).EnsureSuccess();
        await Until.WaitAsync(async _ => (await Kubectl.RunAsync("get", "pods", "-n", ns, "-l", "app=web", "-o", "name")).EnsureSuccess().Stdout.Trim().Length == 0,
            "the pods to be garbage collected", TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Background_delete_of_an_owner_removes_its_dependents_and_orphan_keeps_them()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        await Until.WaitAsync(async _ => (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-o", "name")).Stdout.Contains("replicaset.apps/web-", StringComparison.Ordinal),
            "the deployment controller to create a ReplicaSet", TimeSpan.FromSeconds(60));

        (await Kubectl.RunAsync("delete", "deployment", "web", "-n", ns, "--cascade=background")).EnsureSuccess();
        await Until.WaitAsync(async _ => (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-o", "name")).Stdout.Trim().Length == 0,
            "garbage collection of the ReplicaSet", TimeSpan.FromSeconds(60));

        // --cascade=orphan leaves the ReplicaSet without its owner.
        (await Kubectl.RunAsync(["apply", "--server-side", "-f", "-"], Workloads(ns))).EnsureSuccess();
        await Until.WaitAsync(async _ => (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-o", "name")).Stdout.Contains("replicaset.apps/web-", StringComparison.Ordinal),
            "a new ReplicaSet", TimeSpan.FromSeconds(60));
        (await Kubectl.RunAsync("delete", "deployment", "web", "-n", ns, "--cascade=orphan")).EnsureSuccess();
        await Until.WaitAsync(async _ => (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-o", "jsonpath={.items[*].metadata.ownerReferences}")).EnsureSuccess().Stdout.Trim().Length == 0,
            "the orphaned ReplicaSet to lose its owner reference", TimeSpan.FromSeconds(60));
        Assert.Contains("replicaset.apps/web-", (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-o", "name")).EnsureSuccess().Stdout);
    }

    [Fact]
    public async Task Rollout_status_follows_a_deployment_through_an_image_change()
    {
        var ns = await cluster.NewNamespaceAsync();
        (await Kubectl.RunAsync(["apply", "-f", "-"], Workloads(ns))).EnsureSuccess();
        var first = (await Kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=120s")).EnsureSuccess();
        Assert.Contains("deployment \"web\" successfully rolled out", first.Stdout);

        (await Kubectl.RunAsync("set", "image", "deployment/web", "-n", ns, "main=registry.k8s.io/pause:3.10")).EnsureSuccess();
        var second = (await Kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=120s")).EnsureSuccess();
        Assert.Contains("deployment \"web\" successfully rolled out", second.Stdout);

        var history = (await Kubectl.RunAsync("rollout", "history", "deployment/web", "-n", ns)).EnsureSuccess().Stdout;
        Assert.Matches(@"(?m)^1\s+<none>$", history);
        Assert.Matches(@"(?m)^2\s+<none>$", history);
        var images = (await Kubectl.RunAsync("get", "replicasets", "-n", ns, "-l", "app=web", "-o", "jsonpath={range .items[*]}{.spec.template.spec.containers[0].image}={.spec.replicas} {end}")).EnsureSuccess().Stdout;
        Assert.Contains("registry.k8s.io/pause:3.10=1", images);
        Assert.Contains($"{Image}=0", images);

        var all = (await Kubectl.RunAsync("get", "all", "-n", ns, "-o", "name")).EnsureSuccess().Stdout;
        Assert.Contains("deployment.apps/web", all);
        Assert.Contains("service/web", all);
        Assert.Contains("replicaset.apps/web-", all);
    }

    [Fact]
    public async Task Rollout_status_reports_a_deployment_that_exceeds_its_progress_deadline()
    {
        var ns = await cluster.NewNamespaceAsync();

        // The annotation makes the simulated controller fail it; a real cluster fails it because the image cannot be pulled.
        var stuck = $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: stuck
              namespace: {{ns}}
              annotations: {simulator.keelson.dev/fail: "true"}
            spec:
              progressDeadlineSeconds: 3
              selector:
                matchLabels: {app: stuck}
              template:
                metadata:
                  labels: {app: stuck}
                spec:
                  containers:
                  - name: main
                    image: registry.invalid/keelson/never:0
            """;
        (await Kubectl.RunAsync(["apply", "-f", "-"], stuck)).EnsureSuccess();
        var failed = (await Kubectl.RunAsync("rollout", "status", "deployment/stuck", "-n", ns, "--timeout=120s")).EnsureFailure();
        Assert.Contains("deployment \"stuck\" exceeded its progress deadline", failed.Stderr);
        var reason = (await Kubectl.RunAsync("get", "deployment", "stuck", "-n", ns, "-o", "jsonpath={.status.conditions[?(@.type==\"Progressing\")].reason}")).EnsureSuccess().Stdout;
        Assert.Equal("ProgressDeadlineExceeded", reason);
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
        Assert.Contains("NotFound", (await Kubectl.RunAsync("get", "configmap", "gen", "-n", ns)).EnsureFailure().Stderr);
    }

    [Fact]
    public async Task The_system_namespaces_cannot_be_deleted()
    {
        // A server-side dry run: refused the same way (admission runs for dry runs), and harmless on a real cluster.
        var refused = (await Kubectl.RunAsync("delete", "namespace", "kube-public", "--dry-run=server")).EnsureFailure();
        Assert.Contains("Error from server (Forbidden): namespaces \"kube-public\" is forbidden: this namespace may not be deleted", refused.Stderr);
        Assert.Equal("Active", (await Kubectl.RunAsync("get", "namespace", "kube-public", "-o", "jsonpath={.status.phase}")).EnsureSuccess().Stdout);
    }

    [Fact]
    public async Task Apply_cannot_change_a_statefulset_field_other_than_replicas_template_and_strategy()
    {
        var ns = await cluster.NewNamespaceAsync();
        string Db(string serviceName, string image) => $$"""
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: db
              namespace: {{ns}}
            spec:
              serviceName: {{serviceName}}
              selector:
                matchLabels: {app: db}
              template:
                metadata:
                  labels: {app: db}
                spec:
                  containers:
                  - name: main
                    image: {{image}}
            """;
        (await Kubectl.RunAsync(["apply", "-f", "-"], Db("db", Image))).EnsureSuccess();
        (await Kubectl.RunAsync(["apply", "-f", "-"], Db("db", "registry.k8s.io/pause:3.10"))).EnsureSuccess();

        var refused = (await Kubectl.RunAsync(["apply", "-f", "-"], Db("other", "registry.k8s.io/pause:3.10"))).EnsureFailure();
        Assert.Contains("The StatefulSet \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy'", refused.Stderr);
        Assert.Equal("db", (await Kubectl.RunAsync("get", "statefulset", "db", "-n", ns, "-o", "jsonpath={.spec.serviceName}")).EnsureSuccess().Stdout);
    }
}
