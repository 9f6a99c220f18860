using Keelson.Engine.Apply;
using Keelson.Engine.Health;
using Keelson.Engine.Source;
using Keelson.Kubernetes;

namespace Keelson.Engine.Tests;

public sealed class SyncEngineTests
{
    private static readonly ApiResource Deployments = ApiResource.Deployments;

    [Fact]
    public async Task First_sync_creates_everything_in_kind_order_with_tracking_ids()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("web.yaml", Manifests.Web).Write("namespace.yaml", Manifests.Namespace).Write("settings.yaml", Manifests.ConfigMap("settings"));
        var sha = await h.Repo.CommitAsync("web", TestContext.Current.CancellationToken);

        var result = await h.SyncAsync();

        Assert.Null(result.Error);
        Assert.Equal(SyncStatus.Synced, result.Sync);
        Assert.Equal(sha, result.Revision);
        Assert.Equal("web", result.Commit!.Subject);
        Assert.Equal(5, result.Counts.Created);
        Assert.All(result.Resources, r => Assert.Equal(ResourceAction.Created, r.Action));
        Assert.Equal(5, result.Inventory.Count);

        // resourceVersions count the simulator's writes: Namespace, then Helm's kind order.
        long[] order =
        [
            await h.WrittenAtAsync(ApiResource.Namespaces, null, "shop"),
            await h.WrittenAtAsync(ApiResource.ServiceAccounts, "shop", "web"),
            await h.WrittenAtAsync(ApiResource.ConfigMaps, "shop", "settings"),
            await h.WrittenAtAsync(ApiResource.Services, "shop", "web"),
            await h.WrittenAtAsync(Deployments, "shop", "web"),
        ];
        Assert.Equal(order.Order(), order);

        var deployment = await h.GetAsync(Deployments, "shop", "web");
        Assert.Equal("keelson/guestbook:apps/Deployment:shop/web", deployment!.GetAnnotation(Tracking.Annotation));
        var ns = await h.GetAsync(ApiResource.Namespaces, null, "shop");
        Assert.Equal("keelson/guestbook:/Namespace:/shop", ns!.GetAnnotation(Tracking.Annotation));
    }

    [Fact]
    public async Task A_second_sync_without_changes_makes_no_request_that_writes()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("web.yaml", Manifests.Web).Write("secret.yaml", Manifests.Secret);
        await h.Repo.CommitAsync("web", TestContext.Current.CancellationToken);
        var first = await h.SyncAsync();
        Assert.Null(first.Error);
        var stored = h.Server.StoredChanges;
        var patches = h.EngineRequests("patch");

        var second = await h.SyncAsync(inventory: first.Inventory);

        Assert.Null(second.Error);
        Assert.Equal(SyncStatus.Synced, second.Sync);
        Assert.Equal(0, second.Counts.Changed);
        Assert.Equal(5, second.Counts.Unchanged);
        Assert.All(second.Resources, r => Assert.Equal(ResourceAction.Unchanged, r.Action));
        Assert.Equal(patches, h.EngineRequests("patch"));
        Assert.Equal(0, h.Server.Requests.Writes(fieldManager: "keelson") - patches);
        Assert.Equal(stored, h.Server.StoredChanges);
        Assert.Equal(first.Inventory, second.Inventory);
    }

    [Fact]
    public async Task A_new_commit_on_the_same_branch_is_rendered_and_applied()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("settings.yaml", Manifests.ConfigMap("settings"));
        await h.Repo.CommitAsync("blue", TestContext.Current.CancellationToken);
        var first = await h.SyncAsync();
        h.Repo.Write("settings.yaml", Manifests.ConfigMap("settings", color: "green"));
        var sha = await h.Repo.CommitAsync("green", TestContext.Current.CancellationToken);

        // The branch name is the same; only the resolved commit tells the renders apart.
        var second = await h.SyncAsync(inventory: first.Inventory);

        Assert.Null(second.Error);
        Assert.Equal(sha, second.Revision);
        Assert.Equal(1, second.Counts.Configured);
        var settings = await h.GetAsync(ApiResource.ConfigMaps, "shop", "settings");
        Assert.Equal("green", settings!["data"]!["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task Compare_mode_reports_what_is_missing_and_writes_nothing()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("settings.yaml", Manifests.ConfigMap("settings"));
        await h.Repo.CommitAsync("settings", TestContext.Current.CancellationToken);
        var stored = h.Server.StoredChanges;

        var result = await h.SyncAsync(SyncMode.Compare);

        Assert.Null(result.Error);
        Assert.Equal(SyncStatus.OutOfSync, result.Sync);
        Assert.All(result.Resources, r => Assert.Equal(SyncStatus.OutOfSync, r.Status));
        Assert.All(result.Resources, r => Assert.Equal(HealthStatus.Missing, r.Health!.Status));
        Assert.Equal(HealthStatus.Missing, result.Health.Status);
        Assert.Equal(stored, h.Server.StoredChanges);
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "shop", "settings"));
    }

    [Fact]
    public async Task Invalid_yaml_is_a_comparison_error_and_nothing_is_applied_or_deleted()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("a.yaml", Manifests.ConfigMap("a")).Write("b.yaml", Manifests.ConfigMap("b"));
        await h.Repo.CommitAsync("a and b", TestContext.Current.CancellationToken);
        var first = await h.SyncAsync(prune: true);
        Assert.Null(first.Error);
        h.Repo.Delete("b.yaml").Write("a.yaml", Manifests.ConfigMap("a", color: "red")).Write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\n");
        await h.Repo.CommitAsync("broken", TestContext.Current.CancellationToken);
        var stored = h.Server.StoredChanges;

        var result = await h.SyncAsync(prune: true, inventory: first.Inventory);

        Assert.NotNull(result.Error);
        Assert.Equal(SyncStage.Render, result.Error.Stage);
        Assert.Equal("ComparisonError", result.Error.Condition);
        Assert.Contains("broken.yaml", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(SyncStatus.Unknown, result.Sync);
        Assert.Equal(first.Inventory, result.Inventory);
        Assert.Equal(stored, h.Server.StoredChanges);
        Assert.Equal(0, h.Server.Requests.Count("delete"));
        Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "shop", "b"));
        var a = await h.GetAsync(ApiResource.ConfigMaps, "shop", "a");
        Assert.Equal("blue", a!["data"]!["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unreachable_repository_is_a_comparison_error_and_changes_nothing()
    {
        await using var h = await SyncHarness.StartAsync();
        var stored = h.Server.StoredChanges;
        var request = h.Request(prune: true, inventory: [new InventoryEntry("shop_a__ConfigMap", "v1")]) with
        {
            Source = new SourceRequest { RepoUrl = "file:///nonexistent/keelson-repo" },
        };

        var result = await h.Engine.SyncAsync(request, TestContext.Current.CancellationToken);

        Assert.NotNull(result.Error);
        Assert.Equal(SyncStage.Source, result.Error.Stage);
        Assert.Equal("ComparisonError", result.Error.Condition);
        Assert.Equal(SyncStatus.Unknown, result.Sync);
        Assert.Equal(request.PreviousInventory, result.Inventory);
        Assert.Equal(stored, h.Server.StoredChanges);
    }

    [Fact]
    public async Task A_crd_and_its_custom_object_are_applied_in_one_sync()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("widget.yaml", Manifests.Widget).Write("crd.yaml", Manifests.Crd);
        await h.Repo.CommitAsync("widgets", TestContext.Current.CancellationToken);

        var first = await h.SyncAsync();

        Assert.Null(first.Error);
        Assert.Equal(3, first.Counts.Created);
        var widget = await h.GetAsync(Manifests.Widgets, "shop", "gear");
        Assert.Equal(3, widget!["spec"]!["size"]!.GetValue<int>());
        Assert.True(
            await h.WrittenAtAsync(ApiResource.CustomResourceDefinitions, null, "widgets.example.com")
            < await h.WrittenAtAsync(Manifests.Widgets, "shop", "gear"));

        var second = await h.SyncAsync(inventory: first.Inventory);

        Assert.Null(second.Error);
        Assert.Equal(SyncStatus.Synced, second.Sync);
        Assert.Equal(0, second.Counts.Changed);
    }

    [Fact]
    public async Task Two_owners_of_one_render_each_get_their_own_namespace_and_tracking_id()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("settings.yaml", Manifests.ConfigMap("settings"));
        await h.Repo.CommitAsync("settings", TestContext.Current.CancellationToken);

        var a = await h.Engine.SyncAsync(h.Request(owner: "team/a", destination: "a", createNamespace: true), TestContext.Current.CancellationToken);
        var b = await h.Engine.SyncAsync(h.Request(owner: "team/b", destination: "b", createNamespace: true), TestContext.Current.CancellationToken);

        Assert.Null(a.Error);
        Assert.Null(b.Error);
        var inA = await h.GetAsync(ApiResource.ConfigMaps, "a", "settings");
        var inB = await h.GetAsync(ApiResource.ConfigMaps, "b", "settings");
        Assert.Equal("team/a:/ConfigMap:a/settings", inA!.GetAnnotation(Tracking.Annotation));
        Assert.Equal("team/b:/ConfigMap:b/settings", inB!.GetAnnotation(Tracking.Annotation));
    }

    [Fact]
    public async Task App_health_is_the_worst_of_its_resources()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("namespace.yaml", Manifests.Namespace).Write("web.yaml", Manifests.Web);
        await h.Repo.CommitAsync("web", TestContext.Current.CancellationToken);

        // No workload controllers run: the Deployment never becomes available.
        var result = await h.SyncAsync();

        Assert.Null(result.Error);
        Assert.Equal(HealthStatus.Healthy, Health(result, "Service").Status);
        Assert.Equal(HealthStatus.Progressing, Health(result, "Deployment").Status);
        Assert.Equal(HealthStatus.Progressing, result.Health.Status);
    }

    [Fact]
    public async Task Delete_all_removes_the_owners_objects_and_nothing_else()
    {
        await using var h = await SyncHarness.StartAsync();
        h.Repo.Write("a.yaml", Manifests.ConfigMap("a")).Write("b.yaml", Manifests.ConfigMap("b"));
        await h.Repo.CommitAsync("a and b", TestContext.Current.CancellationToken);
        var synced = await h.Engine.SyncAsync(h.Request(createNamespace: true), TestContext.Current.CancellationToken);
        Assert.Null(synced.Error);
        await h.Client.CreateAsync(
            ApiResource.ConfigMaps,
            ((System.Text.Json.Nodes.JsonObject)Kubernetes.Yaml.KubeYaml.Parse(Manifests.ConfigMap("foreign"))!).SetNamespace("shop"),
            cancellationToken: TestContext.Current.CancellationToken);

        var result = await h.Engine.DeleteAllAsync(SyncHarness.Owner, synced.Inventory, TestContext.Current.CancellationToken);

        Assert.Null(result.Error);
        Assert.Equal(2, result.Counts.Pruned);
        Assert.Empty(result.Inventory);
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "shop", "a"));
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "shop", "b"));
        Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "shop", "foreign"));
        Assert.NotNull(await h.GetAsync(ApiResource.Namespaces, null, "shop"));
    }

    private static HealthResult Health(SyncResult result, string kind) => result.Resources.Single(r => r.Kind == kind).Health!;
}
