using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Resources;

/// <summary>Server-side defaults a real kube-apiserver fills in, so a diff against live objects sees them.</summary>
public sealed class DefaultingTests() : IAsyncLifetime
{
    private Simulator _sim = null!;

    private HttpClient Client => _sim.Client;

    public async ValueTask InitializeAsync() => _sim = await Simulator.StartAsync(new ApiServerOptions { EnableControllers = false });

    public ValueTask DisposeAsync() => _sim.DisposeAsync();

    private static void AssertJson(string expected, string? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual is null ? null : JsonNode.Parse(actual)), $"expected {expected} but got {actual}");

    private async Task<JsonObject> CreateAsync(string path, string json) =>
        (await Client.PostJsonAsync(path, JsonNode.Parse(json)!)).EnsureStatus(HttpStatusCode.Created).Object;

    [Fact]
    public async Task Deployments_and_pod_templates()
    {
        var ns = await _sim.NewNamespaceAsync();
        var d = (await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment("web", image: "nginx"))).EnsureStatus(HttpStatusCode.Created).Object;
        Assert.Equal("1", d.Field("spec.replicas"));
        AssertJson("""{"rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"},"type":"RollingUpdate"}""", d.Field("spec.strategy"));
        Assert.Equal("10", d.Field("spec.revisionHistoryLimit"));
        Assert.Equal("600", d.Field("spec.progressDeadlineSeconds"));
        Assert.Equal("null", d["spec"]!["template"]!["metadata"]!["creationTimestamp"]?.ToJsonString() ?? "null");
        Assert.True(d["spec"]!["template"]!["metadata"]!.AsObject().ContainsKey("creationTimestamp"));
        var pod = d["spec"]!["template"]!["spec"]!;
        Assert.Equal("Always", pod.Field("restartPolicy"));
        Assert.Equal("ClusterFirst", pod.Field("dnsPolicy"));
        Assert.Equal("default-scheduler", pod.Field("schedulerName"));
        Assert.Equal("30", pod.Field("terminationGracePeriodSeconds"));
        Assert.Equal("{}", pod.Field("securityContext"));
        var c = pod["containers"]![0]!;
        Assert.Equal("Always", c.Field("imagePullPolicy"));
        Assert.Equal("/dev/termination-log", c.Field("terminationMessagePath"));
        Assert.Equal("File", c.Field("terminationMessagePolicy"));
        Assert.Equal("{}", c.Field("resources"));
        Assert.Equal("TCP", c.Field("ports.0.protocol"));
        Assert.Equal("{}", d.Field("status"));
    }

    [Fact]
    public async Task Image_pull_policy_follows_the_tag()
    {
        Assert.Equal("Always", Keelson.ApiServer.Resources.Kinds.PodTemplates.PullPolicyFor("nginx"));
        Assert.Equal("Always", Keelson.ApiServer.Resources.Kinds.PodTemplates.PullPolicyFor("nginx:latest"));
        Assert.Equal("IfNotPresent", Keelson.ApiServer.Resources.Kinds.PodTemplates.PullPolicyFor("nginx:1.25"));
        Assert.Equal("Always", Keelson.ApiServer.Resources.Kinds.PodTemplates.PullPolicyFor("registry:5000/team/app"));
        Assert.Equal("IfNotPresent", Keelson.ApiServer.Resources.Kinds.PodTemplates.PullPolicyFor("registry:5000/team/app@sha256:abc"));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Services_get_allocated_addresses_and_port_defaults()
    {
        var ns = await _sim.NewNamespaceAsync();
        var svc = await CreateAsync($"/api/v1/namespaces/{ns}/services",
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"type":"NodePort","selector":{"app":"web"},"ports":[{"port":80}]}}""");
        var spec = svc["spec"]!;
        Assert.Matches(@"^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$", spec.Field("clusterIP"));
        Assert.Equal($"[\"{spec.Field("clusterIP")}\"]", spec.Field("clusterIPs"));
        Assert.Equal("[\"IPv4\"]", spec.Field("ipFamilies"));
        Assert.Equal("SingleStack", spec.Field("ipFamilyPolicy"));
        Assert.Equal("None", spec.Field("sessionAffinity"));
        Assert.Equal("Cluster", spec.Field("internalTrafficPolicy"));
        Assert.Equal("Cluster", spec.Field("externalTrafficPolicy"));
        Assert.Equal("TCP", spec.Field("ports.0.protocol"));
        Assert.Equal("80", spec.Field("ports.0.targetPort"));
        Assert.InRange(int.Parse(spec.Field("ports.0.nodePort")!, System.Globalization.CultureInfo.InvariantCulture), 30000, 32767);
        Assert.Equal("{\"loadBalancer\":{}}", svc.Field("status"));

        // An update that leaves the allocated values out keeps them.
        var update = JsonNode.Parse("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"type":"NodePort","selector":{"app":"web"},"ports":[{"port":80}]}}""")!;
        var updated = (await Client.PutJsonAsync($"/api/v1/namespaces/{ns}/services/web", update)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal(spec.Field("clusterIP"), updated.Field("spec.clusterIP"));
        Assert.Equal(spec.Field("ports.0.nodePort"), updated.Field("spec.ports.0.nodePort"));

        var headless = await CreateAsync($"/api/v1/namespaces/{ns}/services",
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"db"},"spec":{"clusterIP":"None","selector":{"app":"db"},"ports":[{"port":5432,"name":"pg"}]}}""");
        Assert.Equal("[\"None\"]", headless.Field("spec.clusterIPs"));
    }

    [Fact]
    public async Task Workloads_jobs_and_cron_jobs()
    {
        var ns = await _sim.NewNamespaceAsync();
        var template = """{"metadata":{"labels":{"app":"x"}},"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox:1"}]}}""";
        var job = await CreateAsync($"/apis/batch/v1/namespaces/{ns}/jobs", """{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{"template":""" + template + "}}");
        Assert.Equal("1", job.Field("spec.completions"));
        Assert.Equal("1", job.Field("spec.parallelism"));
        Assert.Equal("6", job.Field("spec.backoffLimit"));
        Assert.Equal("NonIndexed", job.Field("spec.completionMode"));
        Assert.Equal("false", job.Field("spec.suspend"));
        Assert.Equal("TerminatingOrFailed", job.Field("spec.podReplacementPolicy"));
        Assert.Equal(job.Field("metadata.uid"), job["spec"]!["selector"]!["matchLabels"]!["batch.kubernetes.io/controller-uid"]!.GetValue<string>());
        Assert.Equal("j", job["spec"]!["template"]!["metadata"]!["labels"]!["job-name"]!.GetValue<string>());
        Assert.Equal("x", job["metadata"]!["labels"]!["app"]!.GetValue<string>());

        var cron = await CreateAsync($"/apis/batch/v1/namespaces/{ns}/cronjobs",
            """{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"cj"},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":""" + template + "}}}}");
        Assert.Equal("Allow", cron.Field("spec.concurrencyPolicy"));
        Assert.Equal("3", cron.Field("spec.successfulJobsHistoryLimit"));
        Assert.Equal("1", cron.Field("spec.failedJobsHistoryLimit"));
        Assert.Equal("false", cron.Field("spec.suspend"));

        var sts = Manifests.Deployment("s");
        sts["kind"] = "StatefulSet";
        sts["spec"]!["volumeClaimTemplates"] = JsonNode.Parse("""[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}]""");
        var set = (await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/statefulsets", sts)).EnsureStatus(HttpStatusCode.Created).Object;
        Assert.Equal("OrderedReady", set.Field("spec.podManagementPolicy"));
        AssertJson("""{"rollingUpdate":{"partition":0},"type":"RollingUpdate"}""", set.Field("spec.updateStrategy"));
        AssertJson("""{"whenDeleted":"Retain","whenScaled":"Retain"}""", set.Field("spec.persistentVolumeClaimRetentionPolicy"));
        Assert.Equal("Filesystem", set.Field("spec.volumeClaimTemplates.0.spec.volumeMode"));
        Assert.Equal("Pending", set.Field("spec.volumeClaimTemplates.0.status.phase"));

        var ds = Manifests.Deployment("d");
        ds["kind"] = "DaemonSet";
        var daemon = (await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/daemonsets", ds)).EnsureStatus(HttpStatusCode.Created).Object;
        AssertJson("""{"rollingUpdate":{"maxUnavailable":1,"maxSurge":0},"type":"RollingUpdate"}""", daemon.Field("spec.updateStrategy"));
    }

    [Fact]
    public async Task Pods_namespaces_claims_and_rbac()
    {
        var ns = await _sim.NewNamespaceAsync();
        var pod = await CreateAsync($"/api/v1/namespaces/{ns}/pods",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx:1","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}}""");
        Assert.Equal("default", pod.Field("spec.serviceAccountName"));
        Assert.Equal("true", pod.Field("spec.enableServiceLinks"));
        Assert.Equal("0", pod.Field("spec.priority"));
        Assert.Equal("1", pod.Field("spec.containers.0.resources.requests.cpu"));
        Assert.Equal("Guaranteed", pod.Field("status.qosClass"));
        Assert.Equal("Pending", pod.Field("status.phase"));
        Assert.Contains(pod["spec"]!["tolerations"]!.AsArray(), t => t.Field("key") == "node.kubernetes.io/not-ready");
        Assert.StartsWith("kube-api-access-", pod.Field("spec.volumes.0.name"));

        var space = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}")).Object;
        Assert.Equal(ns, space["metadata"]!["labels"]!["kubernetes.io/metadata.name"]!.GetValue<string>());
        Assert.Equal("[\"kubernetes\"]", space.Field("spec.finalizers"));
        Assert.Equal("Active", space.Field("status.phase"));

        var claim = await CreateAsync($"/api/v1/namespaces/{ns}/persistentvolumeclaims",
            """{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""");
        Assert.Equal("Filesystem", claim.Field("spec.volumeMode"));
        Assert.Equal("Pending", claim.Field("status.phase"));

        var binding = await CreateAsync($"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings",
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"u"},{"kind":"ServiceAccount","name":"sa","namespace":"x"}]}""");
        Assert.Equal("rbac.authorization.k8s.io", binding.Field("subjects.0.apiGroup"));
        Assert.Null(binding["subjects"]![1]!["apiGroup"]);

        var policy = await CreateAsync($"/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies",
            """{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"n"},"spec":{"podSelector":{},"egress":[{"ports":[{"port":53}]}]}}""");
        Assert.Equal("[\"Ingress\",\"Egress\"]", policy.Field("spec.policyTypes"));
        Assert.Equal("TCP", policy.Field("spec.egress.0.ports.0.protocol"));
    }
}
