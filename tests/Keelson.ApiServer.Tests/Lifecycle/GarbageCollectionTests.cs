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

    private async Task<JsonObject> CreateAsync(string ns, string name, JsonObject? owner = null, bool block = false, string[]? finalizers = null)
    {
        var body = Manifests.ConfigMap(name);
        if (owner is not null)
        {
            body["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["name"] = owner.Field("metadata.name"),
                ["uid"] = owner.Field("metadata.uid"),
                ["blockOwnerDeletion"] = block,
            });
        }

        if (finalizers is not null)
        {
            body["metadata"]!["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode?)f).ToArray());
        }

        return (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", body)).EnsureStatus(HttpStatusCode.Created).Object;
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

        var response = (await Client.DeleteJsonAsync($"/api/v1/namespaces/{ns}/configmaps/owner?propagationPolicy=Foreground")).EnsureStatus(HttpStatusCode.Accepted);
        Assert.Contains("foregroundDeletion", response.Object.Field("metadata.finalizers"));

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
