using System.Text.Json.Nodes;
using Keelson.Engine.Diff;
using Keelson.Engine.Health;
using Keelson.Kubernetes;

namespace Keelson.Engine.Tests;

/// <summary>
/// One call that compares, asks the caller whether to sync, and syncs on that same comparison
/// (<see cref="SyncRequest.SyncIf"/>): what the operator does on every reconcile.
/// </summary>
public sealed class CompareThenSyncTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_initial_sync_applies_each_object_once_without_looking_it_up_or_dry_running_it()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("a.yaml", Manifests.ConfigMap("a")).Write("b.yaml", Manifests.ConfigMap("b"));
        await h.Repo.CommitAsync("two settings", Token);
        var patches = h.EngineRequests("patch");
        var gets = h.Server.Requests.Count("get", "configmaps") + h.Server.Requests.Count("get", "namespaces");
        var asked = 0;

        var result = await h.Engine.SyncAsync(h.Request(SyncMode.Compare) with { SyncIf = c => ++asked > 0 && c.Sync == SyncStatus.OutOfSync }, Token);

        Assert.Equal(1, asked);
        Assert.Null(result.Error);
        Assert.Equal(SyncMode.Sync, result.Mode);
        Assert.Equal(SyncStatus.Synced, result.Sync);
        Assert.Equal(3, result.Counts.Created);
        Assert.NotNull(result.Comparison);
        Assert.Equal(SyncStatus.OutOfSync, result.Comparison.Sync);
        Assert.All(result.Comparison.Resources, r => Assert.Equal(HealthStatus.Missing, r.Health!.Status));
        Assert.Equal(3, h.EngineRequests("patch") - patches);
        Assert.Equal(gets, h.Server.Requests.Count("get", "configmaps") + h.Server.Requests.Count("get", "namespaces"));
        Assert.Equal("blue", (await h.GetAsync(ApiResource.ConfigMaps, "shop", "a"))!["data"]!["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_comparison_that_does_not_sync_finds_an_object_created_by_hand_and_writes_nothing()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("a.yaml", Manifests.ConfigMap("a")).Write("b.yaml", Manifests.ConfigMap("b"));
        await h.Repo.CommitAsync("two settings", Token);
        await h.Client.ApplyAsync(ApiResource.Namespaces, Json("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}"""), new ApplyOptions { FieldManager = "kubectl" }, Token);
        await h.Client.CreateAsync(ApiResource.ConfigMaps, Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"shop"},"data":{"color":"red"}}"""), cancellationToken: Token);
        var stored = h.Server.StoredChanges;

        var result = await h.Engine.SyncAsync(h.Request(SyncMode.Compare) with { SyncIf = _ => false }, Token);

        Assert.Null(result.Error);
        Assert.Null(result.Comparison);
        Assert.Equal(SyncMode.Compare, result.Mode);
        Assert.Equal(SyncStatus.OutOfSync, result.Sync);

        // Not in the cache (no managed label), yet found: it differs (it lacks Keelson's marks) rather than being missing.
        var byHand = Assert.Single(result.Diff, d => d.Resource.Name == "a");
        Assert.Equal(DiffAction.Update, byHand.Action);
        Assert.Contains("metadata.labels", byHand.ChangedFields);
        Assert.NotEqual(HealthStatus.Missing, Assert.Single(result.Resources, r => r.Name == "a").Health!.Status);
        Assert.Equal(DiffAction.Create, Assert.Single(result.Diff, d => d.Resource.Name == "b").Action);
        Assert.Equal(HealthStatus.Missing, Assert.Single(result.Resources, r => r.Name == "b").Health!.Status);
        Assert.Equal(stored, h.Server.StoredChanges);
    }

    [Fact]
    public async Task A_create_into_a_namespace_this_sync_creates_is_checked_when_applied_and_the_others_are_applied()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("a.yaml", Manifests.ConfigMap("a"))
            .Write("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\nspec:\n  color: blue\n");
        await h.Repo.CommitAsync("a typo", Token);

        var result = await h.Engine.SyncAsync(h.Request(SyncMode.Compare) with { SyncIf = _ => true }, Token);

        Assert.NotNull(result.Error);
        Assert.Equal("SyncError", result.Error.Condition);
        Assert.Contains("ConfigMap shop/bad", result.Error.Message, StringComparison.Ordinal);
        var bad = Assert.Single(result.Resources, r => r.Name == "bad");
        Assert.Equal(ResourceAction.Failed, bad.Action);
        Assert.Contains("spec", bad.Message, StringComparison.Ordinal);
        Assert.Equal(SyncStatus.OutOfSync, result.Sync);
        Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "shop", "a"));
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "shop", "bad"));
    }

    [Fact]
    public async Task A_new_object_the_server_would_reject_stops_the_whole_commit_before_anything_is_applied()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("a.yaml", Manifests.ConfigMap("a"));
        await h.Repo.CommitAsync("a", Token);
        var first = await h.SyncAsync();
        Assert.Null(first.Error);

        // A change to a, and a new object with a typo: as the reconciler does, sync only a comparison without error.
        h.Repo.Write("a.yaml", Manifests.ConfigMap("a", color: "red"))
            .Write("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\nspec:\n  color: blue\n");
        await h.Repo.CommitAsync("recolour a, add a typo", Token);
        var result = await h.Engine.SyncAsync(h.Request(SyncMode.Compare, inventory: first.Inventory) with { SyncIf = c => c.Error is null }, Token);

        Assert.NotNull(result.Error);
        Assert.Null(result.Comparison);
        Assert.Contains("ConfigMap shop/bad", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(DiffAction.Failed, Assert.Single(result.Diff, d => d.Resource.Name == "bad").Action);
        Assert.Equal("blue", (await h.GetAsync(ApiResource.ConfigMaps, "shop", "a"))?["data"]?["color"]?.GetValue<string>());
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "shop", "bad"));
    }

    [Fact]
    public async Task Drift_seen_in_the_live_cache_is_compared_once_and_reverted()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("settings.yaml", Manifests.ConfigMap("settings"));
        await h.Repo.CommitAsync("settings", Token);
        var first = await h.SyncAsync();
        Assert.Null(first.Error);
        var edited = await h.EditAsync(ApiResource.ConfigMaps, "shop", "settings", """{"data":{"color":"red"}}""");

        // The comparison must see the edit through the watch, not a lookup: wait until the cache holds it.
        await Testing.Eventually.WaitAsync(
            () => h.Live.TryGet(ApiResource.ConfigMaps, "shop", "settings", out var live) && live?.ResourceVersion == edited.GetResourceVersion(),
            "the edit to reach the live cache",
            cancellationToken: Token);
        var patches = h.EngineRequests("patch");
        var gets = h.Server.Requests.Count("get", "configmaps");

        var result = await h.Engine.SyncAsync(h.Request(SyncMode.Compare, inventory: first.Inventory) with { SyncIf = c => c.Sync == SyncStatus.OutOfSync }, Token);

        Assert.Null(result.Error);
        Assert.Equal(SyncStatus.Synced, result.Sync);
        var drift = Assert.Single(result.Comparison!.Diff, d => d.Resource.Name == "settings");
        Assert.Equal(DiffAction.Update, drift.Action);
        Assert.Contains("data", drift.ChangedFields);
        Assert.Equal(1, result.Counts.Configured);

        // The edit took the field from Keelson's field manager: a dry-run names the conflict, a forced one compares,
        // one apply reverts. Nothing is dry-run a second time for the sync.
        Assert.Equal(3, h.EngineRequests("patch") - patches);
        Assert.Contains(result.Resources, r => r.Name == "settings" && r.Message?.Contains("took over fields", StringComparison.Ordinal) == true);
        Assert.Equal(gets, h.Server.Requests.Count("get", "configmaps"));
        Assert.Equal("blue", (await h.GetAsync(ApiResource.ConfigMaps, "shop", "settings"))!["data"]!["color"]!.GetValue<string>());
    }

    private static JsonObject Json(string text) => (JsonObject)JsonNode.Parse(text)!;
}
