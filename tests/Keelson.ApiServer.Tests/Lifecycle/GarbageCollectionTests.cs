using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;
using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Lifecycle;

/// <summary>Ownership and deletion without the simulated controllers, so only explicit objects take part.</summary>
public sealed class GarbageCollectionTests() : IAsyncLifetime
{
    private Simulator _sim = null!;

    private HttpClient Client => _sim.Client;

    public async ValueTask InitializeAsync() => _sim = await Simulator.StartAsync(new ApiServerOptions { EnableControllers = false });

    public ValueTask DisposeAsync() => _sim.DisposeAsync();

    private async Task<JsonObject> CreateAsync(string ns, string name, JsonObject? owner = null, bool block = false, string[]? finalizers = null, string ownerKind = "ConfigMap")
    {
        var body = Manifests.ConfigMap(name);
        if (owner is not null)
        {
            body["metadata"]!["ownerReferences"] = new JsonArray(OwnerReference(owner, ownerKind, block));
        }

        if (finalizers is not null)
        {
            body["metadata"]!["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode?)f).ToArray());
        }

        return (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", body)).EnsureStatus(HttpStatusCode.Created).Object;
    }

    private static JsonObject OwnerReference(JsonObject owner, string kind = "ConfigMap", bool block = false) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = kind,
        ["name"] = owner.Field("metadata.name"),
        ["uid"] = owner.Field("metadata.uid"),
        ["blockOwnerDeletion"] = block,
    };

    private async Task<List<JsonObject>> OwnerRefEventsAsync(string ns) =>
        (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/events?fieldSelector=reason%3DOwnerRefInvalidNamespace")).Object["items"]!.AsArray()
            .Select(e => e!.AsObject()).ToList();

    /// <summary>
    /// Garbage collection handles changes in order, so once a later dangling dependent is collected, every earlier
    /// change has been looked at: what lets a test say "this one was kept" without sleeping.
    /// </summary>
    private async Task GarbageCollectorCaughtUpAsync(string ns)
    {
        var ghost = JsonNode.Parse("""{"metadata":{"name":"ghost","uid":"6b3a9b1e-0000-4000-8000-00000000c0de"}}""")!.AsObject();
        var marker = $"marker-{Guid.NewGuid():N}"[..20];
        await CreateAsync(ns, marker, ghost);
        await Until.WaitAsync(async _ => !await ExistsAsync(ns, marker), "the garbage collector to catch up");
    }

    private async Task<bool> ExistsAsync(string ns, string name) =>
        (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps/{name}")).Status == HttpStatusCode.OK;

    [Fact]
    public async Task Background_deletion_collects_dependents_after_the_owner_is_gone()
    {
        var ns = await _sim.NewNamespaceAsync();
        var owner = await CreateAsync(ns, "owner");
        var child = await CreateAsync(ns, "child", owner);
        await CreateAsync(ns, "grandchild", child);

        var response = (await Client.DeleteJsonAsync($"/api/v1/namespaces/{ns}/configmaps/owner", JsonNode.Parse("""{"propagationPolicy":"Background"}""")!)).EnsureStatus(HttpStatusCode.OK);
        Assert.Equal("Success", response.Object.Field("status"));
        Assert.False(await ExistsAsync(ns, "owner"));
        await Until.WaitAsync(async _ => !await ExistsAsync(ns, "child") && !await ExistsAsync(ns, "grandchild"), "the dependents to be collected");
    }

    [Fact]
    public async Task Foreground_deletion_waits_for_blocking_dependents()
    {
        var ns = await _sim.NewNamespaceAsync();
        var owner = await CreateAsync(ns, "owner");
        await CreateAsync(ns, "held-child", owner, block: true, finalizers: ["example.com/hold"]);

        // Upstream answers a foreground delete with 200 and the object, marked for deletion and holding the GC finalizer.
        var response = (await Client.DeleteJsonAsync($"/api/v1/namespaces/{ns}/configmaps/owner?propagationPolicy=Foreground")).EnsureStatus(HttpStatusCode.OK);
        Assert.Contains("foregroundDeletion", response.Object.Field("metadata.finalizers"));
        Assert.NotNull(response.Object["metadata"]!["deletionTimestamp"]);

        // The child is being deleted but its own finalizer holds it; the owner waits for it.
        await Until.WaitAsync(async _ => (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps/held-child")).Object["metadata"]!["deletionTimestamp"] is not null,
            "the child to be marked for deletion");
        Assert.True(await ExistsAsync(ns, "owner"));

        await Client.PatchJsonAsync($"/api/v1/namespaces/{ns}/configmaps/held-child", JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!);
        await Until.WaitAsync(async _ => !await ExistsAsync(ns, "owner"), "the owner to go once the child is gone");
    }

    [Fact]
    public async Task Orphan_deletion_keeps_dependents_and_drops_the_reference()
    {
        var ns = await _sim.NewNamespaceAsync();
        var owner = await CreateAsync(ns, "owner");
        await CreateAsync(ns, "child", owner);
        (await Client.DeleteJsonAsync($"/api/v1/namespaces/{ns}/configmaps/owner", JsonNode.Parse("""{"propagationPolicy":"Orphan"}""")!)).EnsureStatus(HttpStatusCode.OK);
        await Until.WaitAsync(async _ => !await ExistsAsync(ns, "owner"), "the owner to be deleted");
        var child = (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps/child")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Null(child["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public async Task Objects_whose_owner_never_existed_are_collected()
    {
        var ns = await _sim.NewNamespaceAsync();
        var ghost = JsonNode.Parse("""{"metadata":{"name":"ghost","uid":"6b3a9b1e-0000-4000-8000-000000000000"}}""")!.AsObject();
        await CreateAsync(ns, "orphan", ghost);
        await Until.WaitAsync(async _ => !await ExistsAsync(ns, "orphan"), "the dangling dependent to be collected");
    }

    [Fact]
    public async Task An_owner_in_another_namespace_counts_as_absent_and_is_reported()
    {
        var home = await _sim.NewNamespaceAsync();
        var away = await _sim.NewNamespaceAsync();
        var owner = await CreateAsync(home, "owner");
        var dependent = await CreateAsync(away, "dependent", owner);
        await Until.WaitAsync(async _ => !await ExistsAsync(away, "dependent"), "the cross-namespace dependent to be collected");
        Assert.True(await ExistsAsync(home, "owner"));

        var events = await Until.WaitAsync(_ => OwnerRefEventsAsync(away), e => e.Count > 0, "the OwnerRefInvalidNamespace event");
        var reported = Assert.Single(events);
        Assert.Equal("Warning", reported.Field("type"));
        Assert.Equal($"ownerRef [v1/ConfigMap, namespace: {away}, name: owner, uid: {owner.Field("metadata.uid")}] does not exist in namespace \"{away}\"", reported.Field("message"));
        Assert.Equal("garbage-collector-controller", reported.Field("source.component"));
        Assert.Equal("ConfigMap", reported.Field("involvedObject.kind"));
        Assert.Equal(dependent.Field("metadata.uid"), reported.Field("involvedObject.uid"));
    }

    [Fact]
    public async Task An_owner_is_matched_by_kind_and_name_as_well_as_uid()
    {
        var ns = await _sim.NewNamespaceAsync();
        var owner = await CreateAsync(ns, "owner");
        await CreateAsync(ns, "wrong-kind", owner, ownerKind: "Secret");
        var renamed = (JsonObject)owner.DeepClone();
        renamed["metadata"]!["name"] = "someone-else";
        await CreateAsync(ns, "wrong-name", renamed);
        var both = Manifests.ConfigMap("one-right-one-wrong");
        both["metadata"]!["ownerReferences"] = new JsonArray(OwnerReference(owner), WithUid(OwnerReference(owner, kind: "Secret"), "0f0f0f0f-0000-4000-8000-000000000001"));
        (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", both)).EnsureStatus(HttpStatusCode.Created);

        await Until.WaitAsync(async _ => !await ExistsAsync(ns, "wrong-kind") && !await ExistsAsync(ns, "wrong-name"), "dependents of a mismatched owner to be collected");
        var kept = await Until.WaitAsync(async _ => (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}/configmaps/one-right-one-wrong")).Object,
            o => o["metadata"]!["ownerReferences"]!.AsArray().Count == 1, "the absent owner's reference to be dropped");
        Assert.Equal(owner.Field("metadata.uid"), kept.Field("metadata.ownerReferences.0.uid"));
        Assert.True(await ExistsAsync(ns, "owner"));
    }

    private static JsonObject WithUid(JsonObject reference, string uid)
    {
        reference["uid"] = uid;
        return reference;
    }

    [Fact]
    public async Task A_cluster_scoped_dependent_of_a_namespaced_owner_is_reported_and_kept()
    {
        var ns = await _sim.NewNamespaceAsync();
        var owner = await CreateAsync(ns, "owner");
        var role = $"role-{Guid.NewGuid():N}"[..20];
        var clusterRole = JsonNode.Parse($$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"{{role}}"},"rules":[]}""")!.AsObject();
        clusterRole["metadata"]!["ownerReferences"] = new JsonArray(OwnerReference(owner));
        (await Client.PostJsonAsync("/apis/rbac.authorization.k8s.io/v1/clusterroles", clusterRole)).EnsureStatus(HttpStatusCode.Created);

        await GarbageCollectorCaughtUpAsync(ns);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetJsonAsync($"/apis/rbac.authorization.k8s.io/v1/clusterroles/{role}")).Status);
        var events = (await OwnerRefEventsAsync("default")).Where(e => e.Field("involvedObject.name") == role).ToList();
        var reported = Assert.Single(events);
        Assert.Equal($"ownerRef [v1/ConfigMap, namespace: , name: owner, uid: {owner.Field("metadata.uid")}] does not exist in namespace \"\"", reported.Field("message"));
        Assert.Equal("ClusterRole", reported.Field("involvedObject.kind"));

        // Deleting the owner does not collect it either: the reference can never resolve.
        (await Client.DeleteJsonAsync($"/api/v1/namespaces/{ns}/configmaps/owner")).EnsureStatus(HttpStatusCode.OK);
        await GarbageCollectorCaughtUpAsync(ns);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetJsonAsync($"/apis/rbac.authorization.k8s.io/v1/clusterroles/{role}")).Status);
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_its_contents_then_the_namespace()
    {
        var ns = await _sim.NewNamespaceAsync();
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync(ns, $"cm-{i}");
        }

        await Client.PostJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment("web"));
        var deleting = (await Client.DeleteJsonAsync($"/api/v1/namespaces/{ns}")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("Terminating", deleting.Field("status.phase"));
        Assert.Equal("[\"kubernetes\"]", deleting.Field("spec.finalizers"));
        await Until.WaitAsync(async _ => (await Client.GetJsonAsync($"/api/v1/namespaces/{ns}")).Status == HttpStatusCode.NotFound, "the namespace to be removed");
        var leftovers = (await Client.GetJsonAsync($"/api/v1/configmaps?fieldSelector=metadata.namespace%3D{ns}")).Object;
        Assert.Empty(leftovers["items"]!.AsArray());
    }
}
