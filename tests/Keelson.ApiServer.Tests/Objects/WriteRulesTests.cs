using System.Net;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Tests.Support;

namespace Keelson.ApiServer.Tests.Objects;

/// <summary>Rules every kind's writes follow: uid preconditions, finalizers while deleting, the namespaces a cluster keeps.</summary>
public sealed class WriteRulesTests(Simulator sim) : IClassFixture<Simulator>
{
    private HttpClient Client => sim.Client;

    [Fact]
    public async Task A_put_naming_another_uid_is_a_conflict_and_changes_nothing()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps/settings";
        var live = (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", Manifests.ConfigMap("settings", new Dictionary<string, string> { ["a"] = "1" })))
            .EnsureStatus(HttpStatusCode.Created).Object;
        var uid = live.Field("metadata.uid");
        const string other = "0b6a3d36-1c2b-4d4e-9f00-000000000001";
        live["metadata"]!["uid"] = other;
        live["data"]!["a"] = "2";

        var refused = (await Client.PutJsonAsync(path, live)).EnsureStatus(HttpStatusCode.Conflict);
        Assert.Equal("Conflict", refused.Reason);
        Assert.Equal(
            $"Operation cannot be fulfilled on configmaps \"settings\": StorageError: invalid object, Code: 4, Key: /registry/configmaps/{ns}/settings, " +
            $"ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: {other}, UID in object meta: {uid}",
            refused.Message);
        Assert.Equal("1", (await Client.GetJsonAsync(path)).Object.Field("data.a"));

        live["metadata"]!["uid"] = uid;
        (await Client.PutJsonAsync(path, live)).EnsureStatus(HttpStatusCode.OK);
        Assert.Equal("2", (await Client.GetJsonAsync(path)).Object.Field("data.a"));
    }

    [Fact]
    public async Task An_object_being_deleted_may_lose_finalizers_but_not_gain_any()
    {
        var ns = await sim.NewNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps/held";
        var held = Manifests.ConfigMap("held");
        held["metadata"]!["finalizers"] = new JsonArray("example.com/a");
        (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", held)).EnsureStatus(HttpStatusCode.Created);
        var deleting = (await Client.DeleteJsonAsync(path)).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.NotNull(deleting["metadata"]!["deletionTimestamp"]);

        const string expected =
            "ConfigMap \"held\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/b\", \"example.com/c\"}";
        var merged = (await Client.PatchJsonAsync(path, JsonNode.Parse("""{"metadata":{"finalizers":["example.com/c","example.com/a","example.com/b"]}}""")!))
            .EnsureStatus(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(expected, merged.Message);
        Assert.Equal("metadata.finalizers", merged.Object.Field("details.causes.0.field"));
        Assert.Equal("FieldValueForbidden", merged.Object.Field("details.causes.0.reason"));

        var applied = JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/late"]}}""")!;
        var apply = (await Client.ApplyAsync(path, applied, "late-comer")).EnsureStatus(HttpStatusCode.UnprocessableEntity);
        Assert.EndsWith("found new finalizers []string{\"example.com/late\"}", apply.Message);

        (await Client.PatchJsonAsync(path, JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!)).EnsureStatus(HttpStatusCode.OK);
        await Until.WaitAsync(async _ => (await Client.GetJsonAsync(path)).Status == HttpStatusCode.NotFound, "the object to go once its finalizer is removed");
    }

    [Theory]
    [InlineData("default", "")]
    [InlineData("kube-system", "")]
    [InlineData("kube-public", "?dryRun=All")]
    public async Task The_namespaces_a_cluster_needs_cannot_be_deleted(string name, string query)
    {
        var refused = (await Client.DeleteJsonAsync($"/api/v1/namespaces/{name}{query}")).EnsureStatus(HttpStatusCode.Forbidden);
        Assert.Equal("Forbidden", refused.Reason);
        Assert.Equal($"namespaces \"{name}\" is forbidden: this namespace may not be deleted", refused.Message);
        Assert.Equal(name, refused.Object.Field("details.name"));
        Assert.Equal("namespaces", refused.Object.Field("details.kind"));
        var space = (await Client.GetJsonAsync($"/api/v1/namespaces/{name}")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("Active", space.Field("status.phase"));
        Assert.Null(space["metadata"]!["deletionTimestamp"]);
    }

    [Fact]
    public async Task Other_namespaces_can_still_be_deleted()
    {
        (await Client.DeleteJsonAsync("/api/v1/namespaces/kube-node-lease?dryRun=All")).EnsureStatus(HttpStatusCode.OK);
        var ns = await sim.NewNamespaceAsync();
        var deleting = (await Client.DeleteJsonAsync($"/api/v1/namespaces/{ns}")).EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("Terminating", deleting.Field("status.phase"));
    }

    [Fact]
    public async Task Only_the_legacy_orphanDependents_false_answers_202_for_a_delete_that_waits()
    {
        var ns = await sim.NewNamespaceAsync();
        foreach (var name in new[] { "fg", "legacy" })
        {
            var held = Manifests.ConfigMap(name);
            held["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
            (await Client.PostJsonAsync($"/api/v1/namespaces/{ns}/configmaps", held)).EnsureStatus(HttpStatusCode.Created);
        }

        var foreground = (await Client.DeleteJsonAsync($"/api/v1/namespaces/{ns}/configmaps/fg", JsonNode.Parse("""{"propagationPolicy":"Foreground"}""")!))
            .EnsureStatus(HttpStatusCode.OK).Object;
        Assert.Equal("ConfigMap", foreground.Field("kind"));
        Assert.NotNull(foreground["metadata"]!["deletionTimestamp"]);
        (await Client.DeleteJsonAsync($"/api/v1/namespaces/{ns}/configmaps/legacy", JsonNode.Parse("""{"orphanDependents":false}""")!))
            .EnsureStatus(HttpStatusCode.Accepted);

        foreach (var name in new[] { "fg", "legacy" })
        {
            (await Client.PatchJsonAsync($"/api/v1/namespaces/{ns}/configmaps/{name}", JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!)).EnsureStatus(HttpStatusCode.OK);
        }
    }
}
