using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Api;

public sealed class ResourceTests(Simulator sim) : IClassFixture<Simulator>
{
    private HttpClient Client => sim.Client;

    [Fact]
    public async Task Create_sets_system_metadata_and_get_returns_the_stored_object()
    {
        var ns = await sim.NewNamespaceAsync();
        var created = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("a", new Dictionary<string, string> { ["k"] = "v" })))
            .EnsureStatus(HttpStatusCode.Created).Object;
        var meta = created["metadata"]!;
        Assert.True(Guid.TryParse((string?)meta["uid"], out _));
        Assert.Equal(ns, (string?)meta["namespace"]);
        Assert.Matches("^[0-9]+$", (string?)meta["resourceVersion"]);
        Assert.NotNull(JsonHelpers.ParseTime((string?)meta["creationTimestamp"]));
        Assert.Null(meta["generation"]);

        var fetched = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps/a")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.True(JsonNode.DeepEquals(created, fetched));
    }

    [Fact]
    public async Task Errors_are_status_objects_with_upstream_reasons()
    {
        var ns = await sim.NewNamespaceAsync();
        var missing = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps/missing")).EnsureStatus(HttpStatusCode.NotFound);
        Assert.Equal("NotFound", missing.Reason);
        Assert.Equal("configmaps \"missing\" not found", missing.Message);
        Assert.Equal("missing", missing.Object.Field("details.name"));
        Assert.Equal("configmaps", missing.Object.Field("details.kind"));

        var deploymentMissing = (await Client.GetJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments/nope")).EnsureStatus(HttpStatusCode.NotFound);
        Assert.Equal("deployments.apps \"nope\" not found", deploymentMissing.Message);

        await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("dup"));
        var duplicate = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("dup"))).EnsureStatus(HttpStatusCode.Conflict);
        Assert.Equal("AlreadyExists", duplicate.Reason);
        Assert.Equal("configmaps \"dup\" already exists", duplicate.Message);

        var noNamespace = (await Client.PostJsonAsync("/api/v1/namespaces/does-not-exist/configmaps", Manifests.ConfigMap("x"))).EnsureStatus(HttpStatusCode.NotFound);
        Assert.Equal("namespaces \"does-not-exist\" not found", noNamespace.Message);

        var invalid = (await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "Bad_Name" },
            ["spec"] = new JsonObject(),
        })).EnsureStatus(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Invalid", invalid.Reason);
        Assert.StartsWith("Deployment.apps \"Bad_Name\" is invalid: [metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain", invalid.Message);
        var fields = invalid.Object["details"]!["causes"]!.AsArray().Select(c => (string?)c!["field"]).ToList();
        Assert.Contains("metadata.name", fields);
        Assert.Contains("spec.selector", fields);
        Assert.Contains("spec.template", fields);

        var unsupported = (await Client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/dup", new JsonObject(), "text/plain")).EnsureStatus(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("UnsupportedMediaType", unsupported.Reason);

        var notAllowed = (await Client.SendJsonAsync(HttpMethod.Delete, "/api/v1/namespaces")).EnsureStatus(HttpStatusCode.MethodNotAllowed);
        Assert.Equal("MethodNotAllowed", notAllowed.Reason);

        var unknownResource = (await Client.GetJsonAsync("/api/v1/widgets")).EnsureStatus(HttpStatusCode.NotFound);
        Assert.Equal("the server could not find the requested resource", unknownResource.Message);
    }

    [Fact]
    public async Task Requests_without_the_bearer_token_are_unauthorized()
    {
        using var anonymous = new HttpClient(sim.Host.CreateHandler()) { BaseAddress = sim.Host.Url };
        var denied = (await anonymous.GetJsonAsync("/api/v1/namespaces")).EnsureStatus(HttpStatusCode.Unauthorized);
        Assert.Equal("Unauthorized", denied.Reason);
        anonymous.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong");
        (await anonymous.GetJsonAsync("/api/v1/namespaces")).EnsureStatus(HttpStatusCode.Unauthorized);
        (await anonymous.GetJsonAsync("/healthz")).EnsureStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Generate_name_creates_a_unique_name_with_the_prefix()
    {
        var ns = await sim.NewNamespaceAsync();
        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["generateName"] = "job-" } };
        var first = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", body)).EnsureStatus(HttpStatusCode.Created).Object;
        var second = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", body)).EnsureStatus(HttpStatusCode.Created).Object;
        Assert.Matches("^job-[a-z0-9]{5}$", first.Field("metadata.name"));
        Assert.NotEqual(first.Field("metadata.name"), second.Field("metadata.name"));
        Assert.Equal("job-", first.Field("metadata.generateName"));
    }

    [Fact]
    public async Task Update_with_a_stale_resource_version_conflicts_and_versions_increase_globally()
    {
        var ns = await sim.NewNamespaceAsync();
        var created = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("cm"))).Object;
        var other = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/secrets", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = "s" } })).Object;
        Assert.True(long.Parse(other.Field("metadata.resourceVersion")!) > long.Parse(created.Field("metadata.resourceVersion")!));

        var first = (JsonObject)created.DeepClone();
        first["data"] = new JsonObject { ["v"] = "1" };
        var updated = (await Client.PutJsonAsync($"/api/v1/namespaces/{ns}/configmaps/cm", first)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.True(long.Parse(updated.Field("metadata.resourceVersion")!) > long.Parse(other.Field("metadata.resourceVersion")!));

        var stale = (JsonObject)created.DeepClone();
        stale["data"] = new JsonObject { ["v"] = "2" };
        var conflict = (await Client.PutJsonAsync($"/api/v1/namespaces/{ns}/configmaps/cm", stale)).EnsureStatus(HttpStatusCode.Conflict);
        Assert.Equal("Conflict", conflict.Reason);
        Assert.Equal("Operation cannot be fulfilled on configmaps \"cm\": the object has been modified; please apply your changes to the latest version and try again", conflict.Message);

        // Without a resourceVersion the update is unconditional.
        stale.AsObject()["metadata"]!.AsObject().Remove("resourceVersion");
        (await Client.PutJsonAsync($"/api/v1/namespaces/{ns}/configmaps/cm", stale)).EnsureStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_update_that_changes_nothing_keeps_the_resource_version()
    {
        // A simulator of its own: the store's write count is global, and the shared one may have workload
        // controllers writing status for other tests' objects.
        await using var own = await Simulator.StartAsync(new ApiServerOptions());
        var client = own.Client;
        var ns = await own.NewNamespaceAsync();
        var created = (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("same", new Dictionary<string, string> { ["a"] = "b" }))).Object;
        var changesBefore = own.Host.StoredChanges;
        var again = (await client.PutJsonAsync($"/api/v1/namespaces/{ns}/configmaps/same", created)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal(created.Field("metadata.resourceVersion"), again.Field("metadata.resourceVersion"));
        var patched = (await client.PatchJsonAsync($"/api/v1/namespaces/{ns}/configmaps/same", JsonNode.Parse("""{"data":{"a":"b"}}""")!)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal(created.Field("metadata.resourceVersion"), patched.Field("metadata.resourceVersion"));
        Assert.Equal(changesBefore, own.Host.StoredChanges);
    }

    [Fact]
    public async Task Generation_moves_on_spec_changes_only()
    {
        var ns = await sim.NewNamespaceAsync();
        sim.Host.Controllers.DeploymentsEnabled = true;
        var path = $"/apis/apps/v1/namespaces/{ns}/deployments";
        var created = (await Client.PostJsonAsync(path, Manifests.Deployment("gen"))).EnsureStatus(HttpStatusCode.Created).Object;
        Assert.Equal("1", created.Field("metadata.generation"));

        var labelled = (await Client.PatchJsonAsync($"{path}/gen", JsonNode.Parse("""{"metadata":{"labels":{"team":"a"}}}""")!)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("1", labelled.Field("metadata.generation"));

        var status = (await Client.PatchJsonAsync($"{path}/gen/status", JsonNode.Parse("""{"status":{"observedGeneration":1,"replicas":7}}""")!)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("1", status.Field("metadata.generation"));

        var scaled = (await Client.PatchJsonAsync($"{path}/gen", JsonNode.Parse("""{"spec":{"replicas":3}}""")!)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("2", scaled.Field("metadata.generation"));
    }

    [Fact]
    public async Task Status_is_only_written_through_the_status_subresource()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/services";
        var service = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = "svc" },
            ["spec"] = new JsonObject { ["ports"] = new JsonArray(new JsonObject { ["port"] = 80 }) },
            ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = "1.2.3.4" }) } },
        };
        var created = (await Client.PostJsonAsync(path, service)).EnsureStatus(HttpStatusCode.Created).Object;
        Assert.Equal("{}", created.Field("status.loadBalancer"));

        var viaMain = (await Client.PatchJsonAsync($"{path}/svc", JsonNode.Parse("""{"status":{"loadBalancer":{"ingress":[{"ip":"5.6.7.8"}]}}}""")!)).Object;
        Assert.Equal("{}", viaMain.Field("status.loadBalancer"));

        var viaStatus = (await Client.PatchJsonAsync($"{path}/svc/status", JsonNode.Parse("""{"metadata":{"labels":{"ignored":"yes"}},"spec":{"type":"NodePort"},"status":{"loadBalancer":{"ingress":[{"ip":"5.6.7.8"}]}}}""")!)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("5.6.7.8", viaStatus.Field("status.loadBalancer.ingress.0.ip"));
        Assert.Equal("ClusterIP", viaStatus.Field("spec.type"));
        Assert.Null(viaStatus["metadata"]!["labels"]?["ignored"]);
    }

    [Fact]
    public async Task Dry_run_validates_and_defaults_but_stores_nothing()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/apis/apps/v1/namespaces/{ns}/deployments";
        var dry = (await Client.PostJsonAsync($"{path}?dryRun=All", Manifests.Deployment("dry"))).EnsureStatus(HttpStatusCode.Created).Object;
        Assert.Equal("1", dry.Field("spec.replicas"));
        Assert.Equal("RollingUpdate", dry.Field("spec.strategy.type"));
        Assert.Null(dry["metadata"]!["resourceVersion"]);
        (await Client.GetJsonAsync($"{path}/dry")).EnsureStatus(HttpStatusCode.NotFound);
        var listed = (await Client.GetJsonAsync(path)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Empty(listed["items"]!.AsArray());

        var invalid = Manifests.Deployment("dry");
        invalid["spec"]!["replicas"] = -1;
        (await Client.PostJsonAsync($"{path}?dryRun=All", invalid)).EnsureStatus(HttpStatusCode.UnprocessableEntity);

        await Client.PostJsonAsync($"{path}", Manifests.Deployment("real"));
        (await Client.PatchJsonAsync($"{path}/real?dryRun=All", JsonNode.Parse("""{"spec":{"replicas":5}}""")!)).EnsureStatus(HttpStatusCode.OK);
        (await Client.ApplyAsync($"{path}/real?dryRun=All", Manifests.Deployment("real", replicas: 9), "dry", force: true)).EnsureStatus(HttpStatusCode.OK);
        (await Client.DeleteJsonAsync($"{path}/real?dryRun=All")).EnsureStatus(HttpStatusCode.OK);
        var stored = (await Client.GetJsonAsync($"{path}/real")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("1", stored.Field("spec.replicas"));
        Assert.DoesNotContain("dry", stored.Field("metadata.managedFields") ?? "", StringComparison.Ordinal);
        (await Client.SendJsonAsync(HttpMethod.Post, $"{path}?dryRun=Some", Manifests.Deployment("x"))).EnsureStatus(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Field_validation_strict_rejects_and_warn_reports_unknown_fields()
    {
        var ns = await sim.NewNamespaceAsync();
        var body = Manifests.ConfigMap("fv");
        body["bogus"] = "x";
        var strict = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps?fieldValidation=Strict", body)).EnsureStatus(HttpStatusCode.BadRequest);
        Assert.Equal("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"bogus\"", strict.Message);

        var warned = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps?fieldValidation=Warn", body)).EnsureStatus(HttpStatusCode.Created);
        Assert.Contains("299 - \"unknown field \\\"bogus\\\"\"", warned.Warnings);
        Assert.Null(warned.Object["bogus"]);
    }

    [Fact]
    public async Task Secret_string_data_becomes_base64_data()
    {
        var ns = await sim.NewNamespaceAsync();
        var secret = JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"stringData":{"user":"admin"},"data":{"other":"eA=="}}""")!;
        var created = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/secrets", secret)).EnsureStatus(HttpStatusCode.Created).Object;
        Assert.Equal("YWRtaW4=", created.Field("data.user"));
        Assert.Equal("eA==", created.Field("data.other"));
        Assert.Equal("Opaque", created.Field("type"));
        Assert.Null(created["stringData"]);
    }

    [Fact]
    public async Task Finalizers_keep_a_deleted_object_until_they_are_removed()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var body = Manifests.ConfigMap("held");
        body["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        await Client.PostJsonAsync(path, body);

        var deleting = (await Client.DeleteJsonAsync($"{path}/held")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.NotNull(deleting["metadata"]!["deletionTimestamp"]);
        Assert.Equal("0", deleting.Field("metadata.deletionGracePeriodSeconds"));
        var stillThere = (await Client.GetJsonAsync($"{path}/held")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.NotNull(stillThere["metadata"]!["deletionTimestamp"]);

        // An update cannot clear the deletion timestamp, but it can remove the finalizer.
        (await Client.PatchJsonAsync($"{path}/held", JsonNode.Parse("""{"metadata":{"deletionTimestamp":null,"finalizers":null}}""")!)).EnsureStatus(HttpStatusCode.OK);
        (await Client.GetJsonAsync($"{path}/held")).EnsureStatus(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_preconditions_must_match()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var created = (await Client.PostJsonAsync(path, Manifests.ConfigMap("pre"))).Object;
        var wrong = (await Client.DeleteJsonAsync($"{path}/pre", JsonNode.Parse("""{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}""")!)).EnsureStatus(HttpStatusCode.Conflict);
        Assert.Equal(
            $"Operation cannot be fulfilled on ConfigMap \"pre\": the UID in the precondition (00000000-0000-0000-0000-000000000000) does not match the UID in record ({created.Field("metadata.uid")}). The object might have been deleted and then recreated",
            wrong.Message);
        var stale = (await Client.DeleteJsonAsync($"{path}/pre", JsonNode.Parse("""{"preconditions":{"resourceVersion":"1"}}""")!)).EnsureStatus(HttpStatusCode.Conflict);
        Assert.Equal(
            $"Operation cannot be fulfilled on ConfigMap \"pre\": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record ({created.Field("metadata.resourceVersion")}). The object might have been modified",
            stale.Message);
        var deleted = (await Client.DeleteJsonAsync($"{path}/pre", new JsonObject { ["preconditions"] = new JsonObject { ["uid"] = created.Field("metadata.uid") } })).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("Status", deleted.Field("kind"));
        Assert.Equal("Success", deleted.Field("status"));
        Assert.Equal(created.Field("metadata.uid"), deleted.Field("details.uid"));
    }

    [Fact]
    public async Task Terminating_namespaces_refuse_new_content()
    {
        var ns = await sim.NewNamespaceAsync();
        var body = Manifests.ConfigMap("keep");
        body["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", body);
        (await Client.DeleteJsonAsync($"/api/v1/namespaces/{ns}")).EnsureStatus(HttpStatusCode.OK);
        var space = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("Terminating", space.Field("status.phase"));

        var refused = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("late"))).EnsureStatus(HttpStatusCode.Forbidden);
        Assert.Equal($"configmaps \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", refused.Message);

        (await Client.PatchJsonAsync($"/api/v1/namespaces/{ns}/configmaps/keep", JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!)).EnsureStatus(HttpStatusCode.OK);
        await Until.WaitAsync(async _ => (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}")).Status == HttpStatusCode.NotFound, "the namespace to be deleted once empty");
    }

    [Fact]
    public async Task Scale_subresource_reads_and_writes_replicas()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/apis/apps/v1/namespaces/{ns}/deployments";
        await Client.PostJsonAsync(path, Manifests.Deployment("sc", replicas: 2));
        var scale = (await Client.GetJsonAsync($"{path}/sc/scale")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("Scale", scale.Field("kind"));
        Assert.Equal("autoscaling/v1", scale.Field("apiVersion"));
        Assert.Equal("2", scale.Field("spec.replicas"));

        (await Client.PatchJsonAsync($"{path}/sc/scale", JsonNode.Parse("""{"spec":{"replicas":4}}""")!)).EnsureStatus(HttpStatusCode.OK);
        var deployment = (await Client.GetJsonAsync($"{path}/sc")).Object;
        Assert.Equal("4", deployment.Field("spec.replicas"));
    }

    [Fact]
    public async Task Json_patch_and_its_test_operation_are_applied()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await Client.PostJsonAsync(path, Manifests.ConfigMap("jp", new Dictionary<string, string> { ["a"] = "1" }));
        var patched = (await Client.PatchJsonAsync($"{path}/jp", JsonNode.Parse("""[{"op":"add","path":"/data/b","value":"2"},{"op":"remove","path":"/data/a"}]""")!, "application/json-patch+json"))
            .EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("""{"b":"2"}""", patched.Field("data"));
        var failed = (await Client.PatchJsonAsync($"{path}/jp", JsonNode.Parse("""[{"op":"test","path":"/data/b","value":"nope"}]""")!, "application/json-patch+json"))
            .EnsureStatus(HttpStatusCode.UnprocessableEntity);

        // kube-apiserver answers a failed JSON patch with its generic 422 message, not the patch library's detail.
        Assert.Equal("Invalid", failed.Reason);
        Assert.Equal("the server rejected our request due to an error in our request", failed.Message);
    }

    [Fact]
    public async Task Server_side_apply_conflicts_name_the_other_manager_unless_forced()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/apis/apps/v1/namespaces/{ns}/deployments/ssa";
        (await Client.ApplyAsync(path, Manifests.Deployment("ssa", replicas: 2), "alpha")).EnsureStatus(HttpStatusCode.Created);
        (await Client.PatchJsonAsync(path, JsonNode.Parse("""{"spec":{"replicas":3}}""")!)).EnsureStatus(HttpStatusCode.OK);

        // The merge patch above moved .spec.replicas to an updater, so one conflict is with an Update using apps/v1.
        var conflict = (await Client.ApplyAsync(path, Manifests.Deployment("ssa", image: "nginx:1.27", replicas: 5), "beta")).EnsureStatus(HttpStatusCode.Conflict);
        Assert.Equal("Conflict", conflict.Reason);
        Assert.StartsWith("Apply failed with 2 conflicts: ", conflict.Message, StringComparison.Ordinal);
        var causes = conflict.Object["details"]!["causes"]!.AsArray();
        Assert.Contains(causes, c => c.Field("reason") == "FieldManagerConflict" && c.Field("field") == ".spec.replicas" &&
            c.Field("message")!.StartsWith("conflict with ", StringComparison.Ordinal) && c.Field("message")!.EndsWith(" using apps/v1", StringComparison.Ordinal));
        Assert.Contains(causes, c => c.Field("message") == "conflict with \"alpha\"" &&
            c.Field("field") == ".spec.template.spec.containers[name=\"main\"].image");

        var forced = (await Client.ApplyAsync(path, Manifests.Deployment("ssa", image: "nginx:1.27", replicas: 5), "beta", force: true)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("5", forced.Field("spec.replicas"));
        Assert.Equal("nginx:1.27", forced.Field("spec.template.spec.containers.0.image"));
    }

    [Fact]
    public async Task Events_written_through_events_k8s_io_are_core_events_too()
    {
        var ns = await sim.NewNamespaceAsync();
        var v1 = JsonNode.Parse($$$"""
            {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e1"},
             "eventTime":"2026-01-01T00:00:00.000000Z","reportingController":"keelson.dev/controller","reportingInstance":"keelson-0",
             "action":"Sync","reason":"Synced","type":"Normal","note":"synced revision abc",
             "regarding":{"apiVersion":"v1","kind":"ConfigMap","name":"app","namespace":"{{{ns}}}"}}
            """)!;
        var created = (await Client.PostJsonAsync($"/apis/events.k8s.io/v1/namespaces/{ns}/events", v1)).EnsureStatus(HttpStatusCode.Created).Object;
        Assert.Equal("events.k8s.io/v1", created.Field("apiVersion"));
        Assert.Equal("synced revision abc", created.Field("note"));

        var core = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/events?fieldSelector=involvedObject.name%3Dapp")).Object["items"]!.AsArray();
        var e = Assert.Single(core)!;
        Assert.Equal("v1", e.Field("apiVersion"));
        Assert.Equal("synced revision abc", e.Field("message"));
        Assert.Equal("keelson.dev/controller", e.Field("reportingComponent"));
        Assert.Equal("ConfigMap", e.Field("involvedObject.kind"));

        var byV1Selector = (await Client.GetJsonAsync($"/apis/events.k8s.io/v1/namespaces/{ns}/events?fieldSelector=regarding.name%3Dapp,reportingController%3Dkeelson.dev/controller")).Object["items"]!.AsArray();
        Assert.Equal("synced revision abc", Assert.Single(byV1Selector)!.Field("note"));

        (await Client.PatchJsonAsync($"/apis/events.k8s.io/v1/namespaces/{ns}/events/e1", JsonNode.Parse("""{"series":{"count":2,"lastObservedTime":"2026-01-01T00:01:00.000000Z"}}""")!)).EnsureStatus(HttpStatusCode.OK);
        var patched = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/events/e1")).Object;
        Assert.Equal("2", patched.Field("series.count"));
    }

    [Fact]
    public async Task Yaml_bodies_are_read_with_kubernetes_yaml_rules()
    {
        var ns = await sim.NewNamespaceAsync();
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n  labels:\n    enabled: 'yes'\ndata:\n  count: \"3\"\n";
        var applied = (await Client.SendTextAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/from-yaml?fieldManager=yaml-test", yaml, "application/apply-patch+yaml"))
            .EnsureStatus(HttpStatusCode.Created).Object;
        Assert.Equal("3", applied.Field("data.count"));
        Assert.Equal("yes", applied.Field("metadata.labels.enabled"));

        var created = (await Client.SendTextAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", yaml.Replace("from-yaml", "posted", StringComparison.Ordinal), "application/yaml"))
            .EnsureStatus(HttpStatusCode.Created).Object;
        Assert.Equal("posted", created.Field("metadata.name"));

        var bad = (await Client.SendTextAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/x?fieldManager=y", "a: [unclosed\n", "application/apply-patch+yaml"))
            .EnsureStatus(HttpStatusCode.BadRequest);
        Assert.StartsWith("error converting YAML to JSON: yaml: line", bad.Message);
    }

    [Fact]
    public async Task Repeated_json_keys_keep_the_last_value_and_are_reported()
    {
        var ns = await sim.NewNamespaceAsync();
        const string body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"first","a":"second"}}""";
        var strict = (await Client.SendTextAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps?fieldValidation=Strict", body, "application/json")).EnsureStatus(HttpStatusCode.BadRequest);
        Assert.EndsWith("strict decoding error: duplicate field \"data.a\"", strict.Message);
        var warned = (await Client.SendTextAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", body, "application/json")).EnsureStatus(HttpStatusCode.Created);
        Assert.Equal("second", warned.Object.Field("data.a"));
        Assert.Contains("299 - \"duplicate field \\\"data.a\\\"\"", warned.Warnings);
    }
}
