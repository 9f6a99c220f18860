using Keelson.Engine.Apply;
using Keelson.Engine.Diff;
using Keelson.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keelson.Engine.Tests.Apply;

/// <summary>Prune through the engine: a file deleted from Git, with and without prune, and objects that are not ours.</summary>
public sealed class PruneTests
{
    [Fact]
    public async Task Without_prune_a_removed_object_stays_and_is_reported_as_requiring_pruning()
    {
        await using var h = await StartWithTwoConfigMapsAsync();
        var first = await h.SyncAsync();
        Assert.Null(first.Error);
        h.Repo.Delete("b.yaml");
        await h.Repo.CommitAsync("drop b", TestContext.Current.CancellationToken);

        var result = await h.SyncAsync(prune: false, inventory: first.Inventory);

        Assert.Null(result.Error);
        Assert.Equal(SyncStatus.OutOfSync, result.Sync);
        var b = Assert.Single(result.Resources, r => r.Name == "b");
        Assert.True(b.RequiresPruning);
        Assert.Equal(SyncStatus.OutOfSync, b.Status);
        Assert.Equal(0, result.Counts.Pruned);
        Assert.Contains(result.Inventory, e => e.Id == "shop_b__ConfigMap");
        Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "shop", "b"));
        Assert.Equal(0, h.Server.Requests.Count("delete"));
    }

    [Fact]
    public async Task With_prune_a_removed_object_is_deleted_and_leaves_the_inventory()
    {
        await using var h = await StartWithTwoConfigMapsAsync();
        var first = await h.SyncAsync();
        h.Repo.Delete("b.yaml");
        await h.Repo.CommitAsync("drop b", TestContext.Current.CancellationToken);

        var result = await h.SyncAsync(prune: true, inventory: first.Inventory);

        Assert.Null(result.Error);
        Assert.Equal(SyncStatus.Synced, result.Sync);
        Assert.Equal(1, result.Counts.Pruned);
        Assert.Equal(ResourceAction.Pruned, Assert.Single(result.Resources, r => r.Name == "b").Action);
        Assert.DoesNotContain(result.Inventory, e => e.Id == "shop_b__ConfigMap");
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "shop", "b"));
        Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "shop", "a"));
    }

    [Theory]
    [InlineData("""{"metadata":{"annotations":{"keelson.dev/tracking-id":"other/app:/ConfigMap:shop/b"}}}""")]
    [InlineData("""{"metadata":{"annotations":{"keelson.dev/tracking-id":null}}}""")]
    public async Task An_object_that_no_longer_carries_this_owners_tracking_id_is_never_pruned(string takeOver)
    {
        await using var h = await StartWithTwoConfigMapsAsync();
        var first = await h.SyncAsync();
        h.Repo.Delete("b.yaml");
        await h.Repo.CommitAsync("drop b", TestContext.Current.CancellationToken);

        // Right after the edit: the engine's watch may not have delivered it yet, and must not need to.
        await h.EditAsync(ApiResource.ConfigMaps, "shop", "b", takeOver);

        var result = await h.SyncAsync(prune: true, inventory: first.Inventory);

        Assert.Null(result.Error);
        Assert.Equal(0, result.Counts.Pruned);
        Assert.Equal(ResourceAction.PruneSkipped, Assert.Single(result.Resources, r => r.Name == "b").Action);
        Assert.DoesNotContain(result.Inventory, e => e.Id == "shop_b__ConfigMap");
        Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "shop", "b"));
        Assert.Equal(0, h.Server.Requests.Count("delete"));
    }

    [Fact]
    public async Task An_object_taken_over_after_its_tracking_id_was_checked_is_not_deleted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await StartWithTwoConfigMapsAsync();
        var first = await h.SyncAsync();
        var entry = Assert.Single(first.Inventory, e => e.Id == "shop_b__ConfigMap");
        var reference = entry.ToRef()!;
        var pruner = new Pruner(h.Client, h.Live, new Differ(h.Client, h.Live, new VerdictCache(16), new SyncEngineOptions(), NullLogger.Instance), NullLogger.Instance);

        // The prune read b and found this owner's mark; another Application takes b over before the delete is sent.
        var checkedCopy = LiveObject.From(ApiResource.ConfigMaps, (await h.GetAsync(ApiResource.ConfigMaps, "shop", "b"))!);
        Assert.Equal(Tracking.Id(SyncHarness.Owner, reference), checkedCopy.TrackingId);
        await h.EditAsync(ApiResource.ConfigMaps, "shop", "b", """{"metadata":{"annotations":{"keelson.dev/tracking-id":"keelson/other:/ConfigMap:shop/b"}}}""");

        var outcome = await pruner.DeleteCheckedAsync(entry, reference, ApiResource.ConfigMaps, checkedCopy, ct);

        Assert.Equal(PruneState.Kept, outcome.State);
        var b = await h.GetAsync(ApiResource.ConfigMaps, "shop", "b");
        Assert.NotNull(b);
        Assert.Equal("keelson/other:/ConfigMap:shop/b", Tracking.IdOf(b));
        Assert.Equal(1, h.Server.Requests.Count("delete"));
    }

    [Fact]
    public async Task An_object_whose_delete_fails_stays_in_the_inventory_and_is_pruned_on_the_next_run()
    {
        await using var h = await StartWithTwoConfigMapsAsync();
        var first = await h.SyncAsync();
        h.Repo.Delete("b.yaml");
        await h.Repo.CommitAsync("drop b", TestContext.Current.CancellationToken);
        h.Server.Faults.Fail(403, r => r.Verb == "delete" && r.Name == "b");

        var failed = await h.SyncAsync(prune: true, inventory: first.Inventory);

        Assert.NotNull(failed.Error);
        Assert.Equal("SyncError", failed.Error.Condition);
        Assert.Equal(SyncStatus.OutOfSync, failed.Sync);
        Assert.Equal(ResourceAction.Failed, Assert.Single(failed.Resources, r => r.Name == "b").Action);
        Assert.Contains(failed.Inventory, e => e.Id == "shop_b__ConfigMap");
        Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "shop", "b"));

        var retried = await h.SyncAsync(prune: true, inventory: failed.Inventory);

        Assert.Null(retried.Error);
        Assert.Equal(1, retried.Counts.Pruned);
        Assert.DoesNotContain(retried.Inventory, e => e.Id == "shop_b__ConfigMap");
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "shop", "b"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(403)]
    public async Task An_object_whose_lookup_fails_before_its_prune_stays_in_the_inventory(int code)
    {
        await using var h = await StartWithTwoConfigMapsAsync();
        var first = await h.SyncAsync();
        h.Repo.Delete("b.yaml");
        await h.Repo.CommitAsync("drop b", TestContext.Current.CancellationToken);
        // The pruner reads the object afresh before deleting it: that read fails (an outage; RBAC narrowed by hand).
        h.Server.Faults.Fail(code, r => r.Verb == "get" && r.Name == "b", times: 50);

        var failed = await h.SyncAsync(prune: true, inventory: first.Inventory);

        Assert.NotNull(failed.Error);
        Assert.Contains(failed.Inventory, e => e.Id == "shop_b__ConfigMap");
        h.Server.Faults.Clear();
        Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "shop", "b"));

        var retried = await h.SyncAsync(prune: true, inventory: failed.Inventory);

        Assert.Null(retried.Error);
        Assert.Equal(1, retried.Counts.Pruned);
        Assert.DoesNotContain(retried.Inventory, e => e.Id == "shop_b__ConfigMap");
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "shop", "b"));
    }

    [Fact]
    public async Task A_render_with_no_objects_prunes_nothing_unless_empty_syncs_are_allowed()
    {
        await using var h = await StartWithTwoConfigMapsAsync();
        var first = await h.SyncAsync();
        h.Repo.Delete("a.yaml").Delete("b.yaml").Write("README.md", "nothing here\n");
        await h.Repo.CommitAsync("empty", TestContext.Current.CancellationToken);

        var result = await h.SyncAsync(prune: true, inventory: first.Inventory);

        Assert.Equal("PruneRefused", result.Error!.Reason);
        Assert.Equal(SyncStatus.OutOfSync, result.Sync);
        Assert.Equal(0, h.Server.Requests.Count("delete"));
        Assert.Equal(2, result.Inventory.Count);
    }

    private static async Task<SyncHarness> StartWithTwoConfigMapsAsync()
    {
        var h = await SyncHarness.StartAsync();
        h.Repo.Write("a.yaml", Manifests.ConfigMap("a")).Write("b.yaml", Manifests.ConfigMap("b"));
        await h.Repo.CommitAsync("a and b", TestContext.Current.CancellationToken);

        // The namespace is made by hand, so it is not part of the inventory.
        await h.Client.ApplyAsync(
            ApiResource.Namespaces,
            new System.Text.Json.Nodes.JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "shop" } },
            new ApplyOptions { FieldManager = "setup" },
            TestContext.Current.CancellationToken);
        return h;
    }
}
