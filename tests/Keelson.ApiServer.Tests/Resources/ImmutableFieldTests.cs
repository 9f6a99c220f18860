using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Resources;

/// <summary>
/// Fields kube-apiserver refuses to change after creation (Job template, StatefulSet spec, PVC spec, Pod spec), through
/// every write path, while status writes and the fields upstream lets move still go through. Controllers are off so
/// only the test writes.
/// </summary>
public sealed class ImmutableFieldTests : IAsyncLifetime
{
    private const string StatefulSetForbidden =
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

    private const string PodForbidden =
        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n";

    private Simulator _sim = null!;

    private HttpClient Client => _sim.Client;

    public async ValueTask InitializeAsync() => _sim = await Simulator.StartAsync(new ApiServerOptions { EnableControllers = false });

    public ValueTask DisposeAsync() => _sim.DisposeAsync();

    private static JsonObject Job(string extraSpec = "") => JsonNode.Parse("""
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi"},
         "spec":{EXTRA"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"main","image":"busybox:1.36"}]}}}}
        """.Replace("EXTRA", extraSpec, StringComparison.Ordinal))!.AsObject();

    private static JsonObject StatefulSet() => JsonNode.Parse("""
        {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db"},
         "spec":{"serviceName":"db","replicas":1,"selector":{"matchLabels":{"app":"db"}},
                 "template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"main","image":"postgres:16"}]}},
                 "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}]}}
        """)!.AsObject();

    private static JsonObject Claim() => JsonNode.Parse("""
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},
         "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}
        """)!.AsObject();

    private static JsonObject Pod() => JsonNode.Parse("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},
         "spec":{"activeDeadlineSeconds":600,"containers":[{"name":"main","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}
        """)!.AsObject();

    private static void AssertInvalid(ApiResponse response, string kind, string name, string field, string messageAfterName)
    {
        response.EnsureStatus(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Invalid", response.Reason);
        Assert.StartsWith($"{kind} \"{name}\" is invalid: {messageAfterName}", response.Message);
        Assert.Contains(response.Object["details"]!["causes"]!.AsArray(), c => c.Field("field") == field);
    }

    /// <summary>The same change sent as PUT, merge, JSON and strategic merge patches, and a server-side apply.</summary>
    private async Task<List<(string Way, ApiResponse Response)>> ChangeEveryWayAsync(string path, Action<JsonObject> change, string jsonPatch, string mergePatch)
    {
        var results = new List<(string, ApiResponse)>();
        var live = (await Client.GetJsonAsync(path)).EnsureStatus(HttpStatusCode.OK).Object;
        change(live);
        results.Add(("PUT", await Client.PutJsonAsync(path, live)));
        results.Add(("merge patch", await Client.PatchJsonAsync(path, JsonNode.Parse(mergePatch)!)));
        results.Add(("JSON patch", await Client.PatchJsonAsync(path, JsonNode.Parse(jsonPatch)!, "application/json-patch+json")));
        results.Add(("strategic merge patch", await Client.PatchJsonAsync(path, JsonNode.Parse(mergePatch)!, "application/strategic-merge-patch+json")));
        var applied = (await Client.GetJsonAsync(path)).Object;
        applied["metadata"] = new JsonObject { ["name"] = applied["metadata"]!["name"]!.GetValue<string>() };
        applied.Remove("status");
        change(applied);
        results.Add(("server-side apply", await Client.ApplyAsync(path, applied, "tester", force: true)));
        return results;
    }

    [Fact]
    public async Task Applying_or_putting_an_unchanged_manifest_again_is_accepted()
    {
        // What a GitOps re-sync does: the server's defaults and generated fields must not count as changes.
        var ns = await _sim.NewNamespaceAsync();
        foreach (var (path, manifest) in new[]
        {
            ($"/apis/batch/v1/namespaces/{ns}/jobs/pi", Job()),
            ($"/apis/apps/v1/namespaces/{ns}/statefulsets/db", StatefulSet()),
            ($"/api/v1/namespaces/{ns}/persistentvolumeclaims/data", Claim()),
            ($"/api/v1/namespaces/{ns}/pods/web", Pod()),
        })
        {
            var created = (await Client.ApplyAsync(path, manifest, "gitops")).EnsureStatus(HttpStatusCode.Created).Object;
            var again = (await Client.ApplyAsync(path, manifest, "gitops")).EnsureStatus(HttpStatusCode.OK).Object;
            Assert.Equal(created.Field("metadata.resourceVersion"), again.Field("metadata.resourceVersion"));
            (await Client.PutJsonAsync(path, again)).EnsureStatus(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task A_job_template_cannot_change_through_any_write_path_but_its_labels_and_status_can()
    {
        var ns = await _sim.NewNamespaceAsync();
        var path = $"/apis/batch/v1/namespaces/{ns}/jobs/pi";
        (await Client.ApplyAsync(path, Job(), "tester")).EnsureStatus(HttpStatusCode.Created);

        var attempts = await ChangeEveryWayAsync(path,
            job => job["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "busybox:1.37",
            """[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"busybox:1.37"}]""",
            """{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}}}""");
        foreach (var (way, response) in attempts)
        {
            Assert.True(response.Status == HttpStatusCode.UnprocessableEntity, $"{way}: {response.Text}");
            AssertInvalid(response, "Job.batch", "pi", "spec.template", "spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable");
        }

        var job = (await Client.GetJsonAsync(path)).Object;
        Assert.Equal("busybox:1.36", job.Field("spec.template.spec.containers.0.image"));

        (await Client.PatchJsonAsync(path, JsonNode.Parse("""{"metadata":{"labels":{"team":"a"}}}""")!)).EnsureStatus(HttpStatusCode.OK);
        job = (await Client.GetJsonAsync(path)).Object;
        job["status"] = JsonNode.Parse("""{"active":1,"startTime":"2026-01-01T00:00:00Z"}""");
        var status = (await Client.PutJsonAsync($"{path}/status", job)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("1", status.Field("status.active"));
    }

    [Fact]
    public async Task Job_completions_are_fixed_unless_an_indexed_job_scales_them_with_parallelism()
    {
        var ns = await _sim.NewNamespaceAsync();
        var path = $"/apis/batch/v1/namespaces/{ns}/jobs/pi";
        (await Client.PostJsonAsync($"/apis/batch/v1/namespaces/{ns}/jobs", Job(extraSpec: "\"completions\":2,"))).EnsureStatus(HttpStatusCode.Created);
        var changed = await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"completions":3}}""")!);
        AssertInvalid(changed, "Job.batch", "pi", "spec.completions", "spec.completions: Invalid value: 3: field is immutable");
        (await Client.DeleteJsonAsync(path)).EnsureStatus(HttpStatusCode.OK);

        (await Client.PostJsonAsync($"/apis/batch/v1/namespaces/{ns}/jobs", Job(extraSpec: "\"completionMode\":\"Indexed\",\"completions\":2,\"parallelism\":2,")))
            .EnsureStatus(HttpStatusCode.Created);
        var alone = await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"completions":3}}""")!);
        AssertInvalid(alone, "Job.batch", "pi", "spec.completions", "spec.completions: Invalid value: 3: can only be modified in tandem with spec.parallelism");
        var together = (await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"completions":4,"parallelism":4}}""")!)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("4", together.Field("spec.completions"));

        var mode = await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"completionMode":"NonIndexed"}}""")!);
        AssertInvalid(mode, "Job.batch", "pi", "spec.completionMode", "spec.completionMode: Invalid value: \"NonIndexed\": field is immutable");
    }

    [Fact]
    public async Task A_suspended_job_that_never_started_may_move_its_pods_but_not_change_their_image()
    {
        var ns = await _sim.NewNamespaceAsync();
        var path = $"/apis/batch/v1/namespaces/{ns}/jobs/pi";
        (await Client.PostJsonAsync($"/apis/batch/v1/namespaces/{ns}/jobs", Job(extraSpec: "\"suspend\":true,"))).EnsureStatus(HttpStatusCode.Created);

        var moved = (await Client.PatchJsonAsync(path, JsonNode.Parse("""
            {"spec":{"template":{"metadata":{"labels":{"queue":"gpu"}},"spec":{"nodeSelector":{"pool":"gpu"},"tolerations":[{"key":"gpu","operator":"Exists"}]}}}}
            """)!)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("gpu", moved.Field("spec.template.spec.nodeSelector.pool"));

        var image = await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}}}""")!,
            "application/strategic-merge-patch+json");
        AssertInvalid(image, "Job.batch", "pi", "spec.template", "spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable");
    }

    [Fact]
    public async Task A_statefulset_may_change_only_replicas_template_strategy_and_retention()
    {
        var ns = await _sim.NewNamespaceAsync();
        var path = $"/apis/apps/v1/namespaces/{ns}/statefulsets/db";
        (await Client.ApplyAsync(path, StatefulSet(), "tester")).EnsureStatus(HttpStatusCode.Created);

        var allowed = (await Client.PatchJsonAsync(path, JsonNode.Parse("""
            {"spec":{"replicas":3,"minReadySeconds":5,"updateStrategy":{"type":"OnDelete","rollingUpdate":null},
                     "persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Delete"},
                     "template":{"spec":{"containers":[{"name":"main","image":"postgres:17"}]}}}}
            """)!, "application/strategic-merge-patch+json")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("3", allowed.Field("spec.replicas"));
        Assert.Equal("postgres:17", allowed.Field("spec.template.spec.containers.0.image"));

        var attempts = await ChangeEveryWayAsync(path,
            sts => sts["spec"]!["serviceName"] = "other",
            """[{"op":"replace","path":"/spec/serviceName","value":"other"}]""",
            """{"spec":{"serviceName":"other"}}""");
        foreach (var (way, response) in attempts)
        {
            Assert.True(response.Status == HttpStatusCode.UnprocessableEntity, $"{way}: {response.Text}");
            AssertInvalid(response, "StatefulSet.apps", "db", "spec", StatefulSetForbidden);
        }

        var claims = await Client.PatchJsonAsync(path, JsonNode.Parse("""[{"op":"replace","path":"/spec/volumeClaimTemplates/0/spec/resources/requests/storage","value":"5Gi"}]""")!,
            "application/json-patch+json");
        AssertInvalid(claims, "StatefulSet.apps", "db", "spec", StatefulSetForbidden);
        var selector = await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"selector":{"matchLabels":{"app":"db2"}},"template":{"metadata":{"labels":{"app":"db2"}}}}}""")!);
        Assert.Equal($"StatefulSet.apps \"db\" is invalid: {StatefulSetForbidden}", selector.EnsureStatus(HttpStatusCode.UnprocessableEntity).Message);

        var live = (await Client.GetJsonAsync(path)).Object;
        Assert.Equal("db", live.Field("spec.serviceName"));
        live["status"] = JsonNode.Parse("""{"replicas":3,"readyReplicas":3,"availableReplicas":3}""");
        (await Client.PutJsonAsync($"{path}/status", live)).EnsureStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_claim_keeps_its_spec_but_a_bound_claim_may_grow_and_change_its_attributes_class()
    {
        var ns = await _sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/persistentvolumeclaims/data";
        (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/persistentvolumeclaims", Claim())).EnsureStatus(HttpStatusCode.Created);

        var modes = await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"accessModes":["ReadWriteMany"]}}""")!);
        AssertInvalid(modes, "PersistentVolumeClaim", "data", "spec",
            "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n  core.PersistentVolumeClaimSpec{\n- \tAccessModes: [\"ReadWriteOnce\"],\n+ \tAccessModes: [\"ReadWriteMany\"],");
        var pendingGrowth = await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}""")!);
        AssertInvalid(pendingGrowth, "PersistentVolumeClaim", "data", "spec", "spec: Forbidden: spec is immutable after creation");

        // What the volume controller does: bind once (volumeName), then report Bound in status.
        (await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"volumeName":"pv-1"}}""")!)).EnsureStatus(HttpStatusCode.OK);
        var live = (await Client.GetJsonAsync(path)).Object;
        live["status"] = JsonNode.Parse("""{"phase":"Bound","capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"]}""");
        (await Client.PutJsonAsync($"{path}/status", live)).EnsureStatus(HttpStatusCode.OK);

        var grown = (await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"resources":{"requests":{"storage":"2Gi"}},"volumeAttributesClassName":"fast"}}""")!))
            .EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("2Gi", grown.Field("spec.resources.requests.storage"));
        (await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"resources":{"requests":{"storage":"1536Mi"}}}}""")!)).EnsureStatus(HttpStatusCode.OK);
        var shrunk = await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"resources":{"requests":{"storage":"1024Mi"}}}}""")!);
        AssertInvalid(shrunk, "PersistentVolumeClaim", "data", "spec.resources.requests.storage",
            "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity");
        var rebound = await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"volumeName":"pv-2"}}""")!);
        AssertInvalid(rebound, "PersistentVolumeClaim", "data", "spec", "spec: Forbidden: spec is immutable after creation");
    }

    [Fact]
    public async Task A_pod_may_change_images_deadline_and_tolerations_but_nothing_else()
    {
        var ns = await _sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/pods/web";
        (await Client.ApplyAsync(path, Pod(), "tester")).EnsureStatus(HttpStatusCode.Created);

        var allowed = (await Client.PatchJsonAsync(path, JsonNode.Parse("""
            {"metadata":{"labels":{"tier":"web"}},"spec":{"activeDeadlineSeconds":300,"containers":[{"name":"main","image":"nginx:1.27"}]}}
            """)!, "application/strategic-merge-patch+json")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("nginx:1.27", allowed.Field("spec.containers.0.image"));
        var tolerated = (await Client.PatchJsonAsync(path, JsonNode.Parse("""[{"op":"add","path":"/spec/tolerations/-","value":{"key":"gpu","operator":"Exists","effect":"NoSchedule"}}]""")!,
            "application/json-patch+json")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Contains(tolerated["spec"]!["tolerations"]!.AsArray(), t => t.Field("key") == "gpu");

        var attempts = await ChangeEveryWayAsync(path,
            pod => pod["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"] = 8080,
            """[{"op":"replace","path":"/spec/containers/0/ports/0/containerPort","value":8080}]""",
            """{"spec":{"containers":[{"name":"main","image":"nginx:1.27","ports":[{"containerPort":8080}]}]}}""");
        foreach (var (way, response) in attempts)
        {
            Assert.True(response.Status == HttpStatusCode.UnprocessableEntity, $"{way}: {response.Text}");
            AssertInvalid(response, "Pod", "web", "spec", PodForbidden + "  core.PodSpec{\n");
        }

        var added = await Client.PatchJsonAsync(path, JsonNode.Parse("""[{"op":"add","path":"/spec/containers/-","value":{"name":"side","image":"busybox"}}]""")!,
            "application/json-patch+json");
        AssertInvalid(added, "Pod", "web", "spec.containers", "spec.containers: Forbidden: pod updates may not add or remove containers");
        var longer = await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"activeDeadlineSeconds":900}}""")!);
        AssertInvalid(longer, "Pod", "web", "spec.activeDeadlineSeconds", "spec.activeDeadlineSeconds: Invalid value: 900: must be less than or equal to previous value");
        var dropped = await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"tolerations":[]}}""")!);
        AssertInvalid(dropped, "Pod", "web", "spec.tolerations", "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds");

        var live = (await Client.GetJsonAsync(path)).Object;
        Assert.Equal("80", live.Field("spec.containers.0.ports.0.containerPort"));
        live["status"] = JsonNode.Parse("""{"phase":"Running"}""");
        (await Client.PutJsonAsync($"{path}/status", live)).EnsureStatus(HttpStatusCode.OK);
    }
}
