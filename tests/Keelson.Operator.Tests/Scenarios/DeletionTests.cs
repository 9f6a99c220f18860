namespace Keelson.Operator.Tests.Scenarios;

public sealed class DeletionTests
{
    // A ConfigMap another controller holds with its finalizer (as a PVC in use is held).
    private const string Held = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: held
          finalizers: [example.com/hold]
        data: {greeting: hello}
        """;

    [Fact]
    public async Task Deleting_with_the_finalizer_deletes_the_resources_and_without_it_leaves_them()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        s.Repo.Write("kept/settings.yaml", Scenario.ConfigMap("kept", "hello")).Write("gone/settings.yaml", Scenario.ConfigMap("gone", "bye"));
        var commit = await s.Repo.CommitAsync("Two apps", ct);
        await s.ApplyAppAsync("orphaning", path: "kept");
        await s.ApplyAppAsync("cascading", path: "gone", finalizer: true);
        await s.WaitSyncedAsync("orphaning", commit, ct);
        await s.WaitSyncedAsync("cascading", commit, ct);

        await s.KubectlAsync(["delete", "-n", Scenario.AppNamespace, "app", "orphaning", "cascading", "--wait=true", "--timeout=30s"]);

        Assert.Null(await s.ConfigMapAsync("shop", "gone", ct));
        Assert.NotNull(await s.ConfigMapAsync("shop", "kept", ct));
    }

    [Fact]
    public async Task With_the_finalizer_the_application_goes_only_once_its_objects_are_gone_finalizers_and_all()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await s.Repo.Write("app/settings.yaml", Held).CommitAsync("A ConfigMap another controller holds", ct);
        await s.ApplyAppAsync("shop", finalizer: true);
        await s.WaitSyncedAsync("shop", commit, ct);

        await s.KubectlAsync(["delete", "-n", Scenario.AppNamespace, "app", "shop", "--wait=false"]);

        // Its object is terminating, held by another finalizer: the Application waits for it, saying so.
        var waiting = await s.WaitForAsync(
            "shop", st => st.Resources.Any(r => r.Name == "held") && st.Message?.Contains("ConfigMap shop/held (pruned; waiting for its finalizers)", StringComparison.Ordinal) == true,
            "the Application to wait for its held object", ct);
        Assert.NotNull((await s.ConfigMapAsync("shop", "held", ct))?["metadata"]?["deletionTimestamp"]);
        Assert.Contains(waiting.Inventory, i => i.Id.Contains("held", StringComparison.Ordinal));

        // The other controller lets go: the object goes, then the Application.
        await s.Client.PatchAsync(
            Keelson.Kubernetes.ApiResource.ConfigMaps, "shop", "held", Keelson.Kubernetes.PatchType.Merge,
            System.Text.Json.Nodes.JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!, cancellationToken: ct);
        await Testing.Eventually.WaitAsync(
            async c => await s.Client.TryGetAsync(Keelson.Operator.Applications.ApplicationNames.Resource, Scenario.AppNamespace, "shop", c) is null,
            "the Application to be gone", cancellationToken: ct);
        Assert.Null(await s.ConfigMapAsync("shop", "held", ct));
    }

    [Fact]
    public async Task A_pruned_object_held_by_a_finalizer_stays_listed_as_being_deleted_until_it_is_gone()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var first = await s.Repo
            .Write("app/settings.yaml", Scenario.ConfigMap("settings", "hello"))
            .Write("app/held.yaml", Held)
            .CommitAsync("A ConfigMap another controller holds", ct);
        await s.ApplyAppAsync("shop", prune: true);
        await s.WaitSyncedAsync("shop", first, ct);

        // Removed from Git: pruned, but held by the other controller's finalizer. Argo CD shows such an object as
        // "Progressing: pending deletion" until it goes; it does not vanish from the Application while it still runs.
        var second = await s.Repo.Delete("app/held.yaml").CommitAsync("Remove it", ct);
        await s.RefreshAsync("shop");
        var deleting = await s.WaitForAsync(
            "shop", st => st.Revision == second && st.Resources.Any(r => r.Name == "held" && r.Health == "Progressing"),
            "the held object listed as being deleted", ct);
        Assert.NotNull((await s.ConfigMapAsync("shop", "held", ct))?["metadata"]?["deletionTimestamp"]);
        Assert.Equal("Synced", deleting.SyncStatus);
        Assert.Equal("Progressing", deleting.HealthStatus);
        Assert.Contains("waiting for its finalizers", deleting.Resources.Single(r => r.Name == "held").HealthMessage, StringComparison.Ordinal);
        Assert.Contains(deleting.Inventory, i => i.Id.Contains("_held_", StringComparison.Ordinal));

        // Nothing to do while it waits: later reconciles start no sync (none of them is OutOfSync).
        var operation = deleting.Operation?.StartedAt;
        var reconciles = s.ReconcileCount();
        await s.RefreshAsync("shop");
        await Testing.Eventually.WaitAsync(() => s.ReconcileCount() > reconciles, "the refresh to be reconciled", cancellationToken: ct);
        var after = await s.WaitForAsync("shop", st => st.Resources.Any(r => r.Name == "held"), "the status", ct);
        Assert.Equal(operation, after.Operation?.StartedAt);
        Assert.Equal("Synced", after.SyncStatus);

        // The other controller lets go: the object goes, and so does its entry.
        await s.Client.PatchAsync(
            Keelson.Kubernetes.ApiResource.ConfigMaps, "shop", "held", Keelson.Kubernetes.PatchType.Merge,
            System.Text.Json.Nodes.JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!, cancellationToken: ct);
        var done = await s.WaitForAsync(
            "shop", st => !st.Resources.Any(r => r.Name == "held") && !st.Inventory.Any(i => i.Id.Contains("_held_", StringComparison.Ordinal)),
            "the entry to go with the object", ct);
        Assert.Equal("Healthy", done.HealthStatus);
        Assert.Equal("Synced", done.SyncStatus);
    }

    [Fact]
    public async Task The_operator_serves_health_readiness_and_metrics()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await s.Repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "hello")).CommitAsync("Add settings", ct);
        await s.ApplyAppAsync("shop");
        await s.WaitSyncedAsync("shop", commit, ct);

        using var http = new HttpClient { BaseAddress = s.Host.HttpUrl };
        Assert.Equal("ok\n", await http.GetStringAsync("healthz", ct));
        Assert.Equal("ok\n", await http.GetStringAsync("readyz", ct));
        var metrics = await Testing.Eventually.WaitAsync(
            c => http.GetStringAsync("metrics", c),
            m => m.Contains("health_status=\"Healthy\"", StringComparison.Ordinal),
            "the app in /metrics",
            cancellationToken: ct);
        Assert.Contains("keelson_application_info{namespace=\"keelson\",name=\"shop\",sync_status=\"Synced\",health_status=\"Healthy\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE keelson_reconcile_total counter", metrics, StringComparison.Ordinal);

        // The Git source's work, as Argo CD's repo server reports its git requests.
        Assert.Matches(@"(?m)^keelson_source_ls_remotes_total [1-9]\d*$", metrics);
        Assert.Matches(@"(?m)^keelson_source_fetches_total\{kind=""\w+""\} [1-9]\d*$", metrics);
        Assert.Matches(@"(?m)^keelson_source_fetch_duration_seconds_count\{kind=""\w+""\} [1-9]\d*$", metrics);
        Assert.Matches(@"(?m)^keelson_source_extractions_total [1-9]\d*$", metrics);
        Assert.Equal("", await Metrics.Promtool.CheckAsync(metrics, ct));
    }

    [Fact]
    public async Task With_leader_election_only_the_leader_reconciles()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct, leaderElection: true);
        await Testing.Eventually.WaitAsync(() => s.Host.IsLeader, "the first replica to lead", cancellationToken: ct);
        await using var standby = await Hosting.OperatorHost.StartAsync(
            new Hosting.OperatorHostOptions { Cluster = s.Cluster.Config, LeaderElection = true, Identity = "standby", HttpAddress = "127.0.0.1:0" },
            ct);
        var commit = await s.Repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "hello")).CommitAsync("Add settings", ct);
        await s.ApplyAppAsync("shop");
        await s.WaitSyncedAsync("shop", commit, ct);

        using var http = new HttpClient();
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri(standby.HttpUrl!, "readyz"), ct));
        Assert.DoesNotContain("name=\"shop\"", await http.GetStringAsync(new Uri(standby.HttpUrl!, "metrics"), ct), StringComparison.Ordinal);
        Assert.Contains("name=\"shop\"", await http.GetStringAsync(new Uri(s.Host.HttpUrl!, "metrics"), ct), StringComparison.Ordinal);
    }
}
