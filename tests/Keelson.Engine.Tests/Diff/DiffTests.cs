using Keelson.Engine.Diff;
using Keelson.Kubernetes;

namespace Keelson.Engine.Tests.Diff;

/// <summary>The comparison through the engine, against the simulator's real defaulting and dry-runs.</summary>
public sealed class DiffTests
{
    [Fact]
    public async Task Fields_the_server_defaults_do_not_make_a_synced_app_out_of_sync()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("web.yaml", Manifests.Web).Write("secret.yaml", Manifests.Secret);
        await h.Repo.CommitAsync("web", TestContext.Current.CancellationToken);
        Assert.Null((await h.SyncAsync()).Error);
        var live = await h.GetAsync(ApiResource.Deployments, "shop", "web");
        Assert.NotNull(live!["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"]);
        var stored = h.Server.StoredChanges;
        var patches = h.EngineRequests("patch");

        // A restarted operator remembers nothing: it must dry-run every object, and find each one in sync.
        var result = await h.SyncAsync(engine: h.FreshEngine());

        Assert.Null(result.Error);
        Assert.Equal(SyncStatus.Synced, result.Sync);
        Assert.All(result.Resources, r => Assert.Equal(SyncStatus.Synced, r.Status));
        Assert.All(result.Diff, d => Assert.Equal(DiffAction.None, d.Action));
        Assert.Equal(0, result.Counts.Changed);
        Assert.True(h.EngineRequests("patch") > patches, "the fresh engine compared with dry-runs");
        Assert.Equal(stored, h.Server.StoredChanges);
        Assert.Equal(live!.GetResourceVersion(), (await h.GetAsync(ApiResource.Deployments, "shop", "web"))!.GetResourceVersion());
    }

    [Fact]
    public async Task A_change_made_in_the_cluster_is_drift_and_a_sync_reverts_it()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("settings.yaml", Manifests.ConfigMap("settings"));
        await h.Repo.CommitAsync("settings", TestContext.Current.CancellationToken);
        var first = await h.SyncAsync();
        Assert.Null(first.Error);

        await h.EditAsync(ApiResource.ConfigMaps, "shop", "settings", """{"data":{"color":"red"}}""");

        // The edit reaches the engine through its watch; compare until it is seen (bounded).
        var compared = await Testing.Eventually.WaitAsync(
            _ => h.SyncAsync(SyncMode.Compare, inventory: first.Inventory),
            r => r.Sync == SyncStatus.OutOfSync,
            "the edit to be reported as drift",
            cancellationToken: TestContext.Current.CancellationToken);
        var entry = Assert.Single(compared.Diff, d => d.Resource.Kind == "ConfigMap");
        Assert.Equal(DiffAction.Update, entry.Action);
        Assert.Contains("data", entry.ChangedFields);
        Assert.Equal("red", (await h.GetAsync(ApiResource.ConfigMaps, "shop", "settings"))!["data"]!["color"]!.GetValue<string>());

        var synced = await h.SyncAsync(inventory: first.Inventory);

        Assert.Null(synced.Error);
        Assert.Equal(SyncStatus.Synced, synced.Sync);
        Assert.Equal(1, synced.Counts.Configured);
        Assert.Equal("blue", (await h.GetAsync(ApiResource.ConfigMaps, "shop", "settings"))!["data"]!["color"]!.GetValue<string>());
    }
}
