using System.Text.Json.Nodes;
using Keelson.Engine.Apply;
using Keelson.Engine.Health;
using Keelson.Kubernetes;
using Keelson.Testing;

namespace Keelson.Engine.Tests.Apply;

/// <summary>
/// Helm hooks through the whole pipeline: a chart (or plain manifests carrying hook annotations) in a real Git
/// repository, synced by the engine into the API server simulator, whose Job and Deployment controllers run.
/// </summary>
public sealed class HookTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pre_hooks_complete_before_the_main_set_is_applied_and_post_hooks_run_once_it_is_healthy()
    {
        await using var h = await HookHarness.StartAsync();
        WriteChart(h.Repo);
        await h.Repo.CommitAsync("chart", Token);

        var result = await h.SyncAsync();

        Assert.Null(result.Error);
        Assert.Equal(SyncStatus.Synced, result.Sync);
        Assert.Equal(HealthStatus.Healthy, result.Health.Status);

        // The hooks ran in phase and weight order, each to completion, and are reported as hooks.
        var hooks = result.Resources.Where(r => r.Hook).ToList();
        Assert.Equal(["migrate-config", "migrate", "notify", "smoke"], hooks.Select(r => r.Name));
        Assert.All(hooks, r => Assert.Equal(ResourceAction.Created, r.Action));
        Assert.All(hooks, r => Assert.Equal(SyncStatus.Synced, r.Status));

        // The pre-install Job had completed (its last write is the controller's Complete status) before the first
        // object of the main set was written.
        var migrate = await h.GetAsync(HookHarness.Jobs, "migrate");
        Assert.Equal("Job completed", new HealthAssessor(TimeProvider.System).Assess(migrate).Message);
        var migrateDone = await h.WrittenAtAsync(HookHarness.Jobs, "migrate");
        Assert.True(await h.WrittenAtAsync(ApiResource.ConfigMaps, "migrate-config") < migrateDone);
        Assert.True(migrateDone < await h.WrittenAtAsync(ApiResource.ConfigMaps, "settings"));

        // The post-install hook was written after the Deployment's last write: the controller marking it available.
        Assert.True(await h.WrittenAtAsync(ApiResource.Deployments, "web") < await h.WrittenAtAsync(ApiResource.ConfigMaps, "notify"));

        // hook-succeeded: the smoke test Job is gone; the default policy keeps the others until the next run.
        Assert.Null(await h.GetAsync(HookHarness.Jobs, "smoke"));
        Assert.NotNull(migrate);

        // Test, delete and rollback hooks are never applied by a sync, nor reported.
        Assert.Null(await h.GetAsync(ApiResource.Pods, "shop-test"));
        Assert.Null(await h.GetAsync(HookHarness.Jobs, "cleanup"));
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "rolled-back"));
        Assert.DoesNotContain(result.Resources, r => r.Name is "shop-test" or "cleanup" or "rolled-back");

        // Hooks are not in the inventory (never pruned as removed) and do not count in the counts.
        Assert.Equal(["shop_settings__ConfigMap", "shop_web__Service", "shop_web_apps_Deployment"], result.Inventory.Select(e => e.Id));
        Assert.Equal(3, result.Counts.Created);

        // Hook objects carry the owner's tracking id but not the label the live-state watches select on.
        Assert.Equal("keelson/guestbook:batch/Job:shop/migrate", migrate!.GetAnnotation(Tracking.Annotation));
        Assert.Null(migrate.GetLabel(Tracking.ManagedLabel));
    }

    [Fact]
    public async Task After_the_hooks_ran_the_app_compares_synced_and_a_steady_state_sync_runs_no_hook_and_writes_nothing()
    {
        await using var h = await HookHarness.StartAsync();
        var first = await SyncChartAsync(h);
        var migrateUid = await h.UidAsync(HookHarness.Jobs, "migrate");
        var deletes = h.Server.Requests.Count("delete");

        // The comparison may dry-run the Deployment once: its controller annotated it after the apply.
        var compare = await h.SyncAsync(mode: SyncMode.Compare, inventory: first.Inventory);
        var writes = h.Server.Requests.Writes(fieldManager: "keelson");
        var second = await h.SyncAsync(inventory: first.Inventory);

        Assert.Equal(SyncStatus.Synced, compare.Sync);
        Assert.DoesNotContain(compare.Resources, r => r.Hook || r.Status != SyncStatus.Synced);
        Assert.Null(second.Error);
        Assert.Equal(SyncStatus.Synced, second.Sync);
        Assert.DoesNotContain(second.Resources, r => r.Hook);
        Assert.Equal(0, second.Counts.Changed);
        Assert.Equal(writes, h.Server.Requests.Writes(fieldManager: "keelson"));
        Assert.Equal(deletes, h.Server.Requests.Count("delete"));
        Assert.Equal(migrateUid, await h.UidAsync(HookHarness.Jobs, "migrate"));

        // A new commit is a sync that applies something: the hooks run again.
        WriteChart(h.Repo, color: "green");
        await h.Repo.CommitAsync("green", Token);
        var third = await h.SyncAsync(inventory: second.Inventory);

        Assert.Null(third.Error);
        Assert.Equal(["migrate-config", "migrate", "notify", "smoke"], third.Resources.Where(r => r.Hook).Select(r => r.Name));
        Assert.NotEqual(migrateUid, await h.UidAsync(HookHarness.Jobs, "migrate"));
    }

    [Fact]
    public async Task A_sync_asked_to_run_the_hooks_runs_them_all_though_nothing_drifted()
    {
        await using var h = await HookHarness.StartAsync();
        var first = await SyncChartAsync(h);
        var migrateUid = await h.UidAsync(HookHarness.Jobs, "migrate");
        var notify = await h.WrittenAtAsync(ApiResource.ConfigMaps, "notify");
        var settings = await h.WrittenAtAsync(ApiResource.ConfigMaps, "settings");

        // A manual sync or the retry of a failed one: the sync operation runs its hooks, as Argo CD's does.
        var again = await h.SyncAsync(inventory: first.Inventory, runHooks: true);

        Assert.Null(again.Error);
        Assert.Equal(0, again.Counts.Changed);
        Assert.Equal(["migrate-config", "migrate", "notify", "smoke"], again.Resources.Where(r => r.Hook).Select(r => r.Name));
        Assert.All(again.Resources.Where(r => r.Hook), r => Assert.Equal(ResourceAction.Created, r.Action));
        Assert.NotEqual(migrateUid, await h.UidAsync(HookHarness.Jobs, "migrate"));
        Assert.True(notify < await h.WrittenAtAsync(ApiResource.ConfigMaps, "notify"));
        Assert.Equal(settings, await h.WrittenAtAsync(ApiResource.ConfigMaps, "settings"));
    }

    [Fact]
    public async Task The_waits_for_hooks_are_announced_so_the_caller_can_lend_its_worker_and_each_lease_is_returned()
    {
        await using var h = await HookHarness.StartAsync();
        WriteChart(h.Repo);
        await h.Repo.CommitAsync("chart", Token);
        var leases = new List<Lease>();

        var result = await h.SyncAsync(whileWaiting: () =>
        {
            var lease = new Lease();
            lock (leases)
            {
                leases.Add(lease);
            }

            return lease;
        });

        Assert.Null(result.Error);
        // One around the pre-sync hooks, one around the health wait and the post-sync hooks.
        Assert.Equal(2, leases.Count);
        Assert.All(leases, l => Assert.True(l.Disposed));
    }

    [Fact]
    public async Task A_sync_without_hooks_announces_no_wait()
    {
        await using var h = await HookHarness.StartAsync();
        h.Repo.Write("main.yaml", HookManifests.ConfigMap("main"));
        await h.Repo.CommitAsync("no hooks", Token);
        var announced = 0;

        var result = await h.SyncAsync(whileWaiting: () =>
        {
            Interlocked.Increment(ref announced);
            return new Lease();
        });

        Assert.Null(result.Error);
        Assert.Equal(0, announced);
    }

    private sealed class Lease : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hook_job_deleted_by_its_ttl_as_soon_as_it_finishes_counts_by_how_it_ended(bool fails)
    {
        await using var h = await HookHarness.StartAsync();
        h.Repo
            .Write("main.yaml", HookManifests.ConfigMap("main"))
            .Write("migrate.yaml", HookManifests.Job("migrate", "pre-install", fails: fails, ttl: 0))
            .Write("smoke.yaml", HookManifests.Job("smoke", "post-install", ttl: 0));
        await h.Repo.CommitAsync("hooks whose Jobs the TTL controller deletes at once", Token);

        var result = await h.SyncAsync();

        if (fails)
        {
            var error = Assert.IsType<SyncError>(result.Error);
            Assert.Equal("HookFailed", error.Reason);
            Assert.StartsWith("Job shop/migrate: pre-sync hook failed: Job failed", error.Message, StringComparison.Ordinal);
            Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "main"));
        }
        else
        {
            Assert.Null(result.Error);
            var hooks = result.Resources.Where(r => r.Hook).ToList();
            Assert.Equal(["migrate", "smoke"], hooks.Select(r => r.Name));
            Assert.StartsWith("pre-sync hook succeeded: Job completed", hooks[0].Message, StringComparison.Ordinal);
            Assert.StartsWith("post-sync hook succeeded: Job completed", hooks[1].Message, StringComparison.Ordinal);
            Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "main"));
        }

        // The TTL controller did delete them.
        await Eventually.WaitAsync(
            async ct => await h.Inner.Client.TryGetAsync(HookHarness.Jobs, "shop", "migrate", ct) is null,
            "the migrate Job to be deleted by its TTL", cancellationToken: Token);
    }

    [Fact]
    public async Task A_failing_pre_hook_stops_the_sync_and_leaves_what_runs_untouched()
    {
        await using var h = await HookHarness.StartAsync();
        var first = await SyncChartAsync(h);
        var settings = await h.WrittenAtAsync(ApiResource.ConfigMaps, "settings");
        var web = await h.WrittenAtAsync(ApiResource.Deployments, "web");
        var notify = await h.WrittenAtAsync(ApiResource.ConfigMaps, "notify");

        WriteChart(h.Repo, color: "green", migrateFails: true);
        await h.Repo.CommitAsync("green, but the migration fails", Token);
        var result = await h.SyncAsync(prune: true, inventory: first.Inventory);

        var error = Assert.IsType<SyncError>(result.Error);
        Assert.Equal("SyncError", error.Condition);
        Assert.Equal("HookFailed", error.Reason);
        Assert.StartsWith("Job shop/migrate: pre-sync hook failed: Job failed", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("nothing else was applied", error.Message, StringComparison.Ordinal);
        Assert.Equal(SyncStatus.OutOfSync, result.Sync);
        Assert.Equal(ResourceAction.Failed, Assert.Single(result.Resources, r => r.Hook && r.Name == "migrate").Action);
        Assert.Equal(SyncStatus.OutOfSync, Assert.Single(result.Resources, r => r.Name == "settings").Status);
        Assert.DoesNotContain(result.Resources, r => r.Name is "notify" or "smoke");

        // Nothing after the failed hook was written; the running objects are as they were.
        Assert.Equal(settings, await h.WrittenAtAsync(ApiResource.ConfigMaps, "settings"));
        Assert.Equal("blue", (await h.GetAsync(ApiResource.ConfigMaps, "settings"))!["data"]!["color"]!.GetValue<string>());
        Assert.Equal(web, await h.WrittenAtAsync(ApiResource.Deployments, "web"));
        Assert.Equal(notify, await h.WrittenAtAsync(ApiResource.ConfigMaps, "notify"));
        Assert.Equal(first.Inventory, result.Inventory);

        // The failed Job stays for inspection (its policy is the default, before-hook-creation).
        Assert.Equal(HealthStatus.Degraded, new HealthAssessor(TimeProvider.System).Assess(await h.GetAsync(HookHarness.Jobs, "migrate")).Status);
    }

    [Fact]
    public async Task Hook_weight_orders_hooks_within_a_phase_then_kind_order_then_name()
    {
        await using var h = await HookHarness.StartAsync(controllers: false);
        h.Repo
            .Write("main.yaml", HookManifests.ConfigMap("main"))
            .Write("b.yaml", HookManifests.ConfigMap("b", "pre-upgrade"))
            .Write("a.yaml", HookManifests.ConfigMap("a", "pre-install", weight: "0"))
            .Write("sa.yaml", HookManifests.ServiceAccount("z", "pre-install"))
            .Write("late.yaml", HookManifests.ConfigMap("late", "pre-install", weight: "5"))
            .Write("early.yaml", HookManifests.ConfigMap("early", "PRE-INSTALL", weight: "-3"))
            .Write("junk.yaml", HookManifests.ConfigMap("junk", "pre-install", weight: "x"));
        await h.Repo.CommitAsync("hooks", Token);

        var result = await h.SyncAsync();

        Assert.Null(result.Error);
        string[] expected = ["early", "z", "a", "b", "junk", "late"];
        Assert.Equal(expected, result.Resources.Where(r => r.Hook).Select(r => r.Name));
        var written = new List<long>();
        foreach (var name in expected)
        {
            written.Add(await h.WrittenAtAsync(name == "z" ? ApiResource.ServiceAccounts : ApiResource.ConfigMaps, name));
        }

        Assert.Equal(written.Order(), written);
        Assert.True(written[^1] < await h.WrittenAtAsync(ApiResource.ConfigMaps, "main"));
    }

    [Fact]
    public async Task Before_hook_creation_replaces_the_hook_on_the_next_sync_and_hook_succeeded_deletes_it_after_success()
    {
        await using var h = await HookHarness.StartAsync();
        h.Repo
            .Write("main.yaml", HookManifests.ConfigMap("main"))
            .Write("default.yaml", HookManifests.Job("default", "pre-install"))
            .Write("replace.yaml", HookManifests.Job("replace", "pre-install", deletePolicy: "before-hook-creation"))
            .Write("succeeded.yaml", HookManifests.Job("succeeded", "pre-install", deletePolicy: "hook-succeeded"));
        await h.Repo.CommitAsync("hooks", Token);
        var first = await h.SyncAsync();
        Assert.Null(first.Error);
        var before = (await h.UidAsync(HookHarness.Jobs, "default"), await h.UidAsync(HookHarness.Jobs, "replace"));
        Assert.NotNull(before.Item1);
        Assert.NotNull(before.Item2);
        Assert.Null(await h.GetAsync(HookHarness.Jobs, "succeeded"));

        h.Repo.Write("main.yaml", HookManifests.ConfigMap("main", color: "green"));
        await h.Repo.CommitAsync("green", Token);
        var second = await h.SyncAsync(inventory: first.Inventory);

        Assert.Null(second.Error);
        var after = (await h.UidAsync(HookHarness.Jobs, "default"), await h.UidAsync(HookHarness.Jobs, "replace"));
        Assert.NotNull(after.Item1);
        Assert.NotEqual(before.Item1, after.Item1);
        Assert.NotEqual(before.Item2, after.Item2);
        Assert.Null(await h.GetAsync(HookHarness.Jobs, "succeeded"));
        Assert.Equal(3, second.Resources.Count(r => r.Hook && r.Action == ResourceAction.Created));
    }

    [Theory]
    [InlineData("hook-failed", false)]
    [InlineData("before-hook-creation", true)]
    [InlineData("hook-succeeded", true)]
    public async Task A_failed_hook_is_deleted_only_with_hook_failed(string policy, bool kept)
    {
        await using var h = await HookHarness.StartAsync();
        h.Repo
            .Write("main.yaml", HookManifests.ConfigMap("main"))
            .Write("migrate.yaml", HookManifests.Job("migrate", "pre-install", deletePolicy: policy, fails: true));
        await h.Repo.CommitAsync("hooks", Token);

        var result = await h.SyncAsync();

        Assert.Equal("HookFailed", result.Error?.Reason);
        Assert.Equal(kept, await h.GetAsync(HookHarness.Jobs, "migrate") is not null);
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "main"));
    }

    [Fact]
    public async Task A_named_hook_without_before_hook_creation_is_created_once()
    {
        await using var h = await HookHarness.StartAsync();
        h.Repo
            .Write("main.yaml", HookManifests.ConfigMap("main"))
            .Write("once.yaml", HookManifests.Job("once", "pre-install", deletePolicy: "hook-failed"));
        await h.Repo.CommitAsync("hooks", Token);
        var first = await h.SyncAsync();
        Assert.Null(first.Error);
        var uid = await h.UidAsync(HookHarness.Jobs, "once");

        h.Repo.Write("main.yaml", HookManifests.ConfigMap("main", color: "green"));
        await h.Repo.CommitAsync("green", Token);
        var second = await h.SyncAsync(inventory: first.Inventory);

        Assert.Null(second.Error);
        Assert.Equal(uid, await h.UidAsync(HookHarness.Jobs, "once"));
        var hook = Assert.Single(second.Resources, r => r.Hook);
        Assert.Equal(ResourceAction.Unchanged, hook.Action);
        Assert.Contains("already ran", hook.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hooks_are_never_pruned_even_when_removed_from_git_or_when_an_object_turns_into_a_hook()
    {
        await using var h = await HookHarness.StartAsync();
        h.Repo
            .Write("main.yaml", HookManifests.ConfigMap("main"))
            .Write("seed.yaml", HookManifests.ConfigMap("seed"))
            .Write("migrate.yaml", HookManifests.Job("migrate", "pre-install"));
        await h.Repo.CommitAsync("hooks", Token);
        var first = await h.SyncAsync(prune: true);
        Assert.Null(first.Error);
        Assert.Contains(first.Inventory, e => e.Id == "shop_seed__ConfigMap");

        h.Repo.Delete("migrate.yaml")
            .Write("seed.yaml", HookManifests.ConfigMap("seed", "pre-upgrade"))
            .Write("main.yaml", HookManifests.ConfigMap("main", color: "green"));
        await h.Repo.CommitAsync("drop the hook; seed becomes one", Token);
        var second = await h.SyncAsync(prune: true, inventory: first.Inventory);

        Assert.Null(second.Error);
        Assert.Equal(SyncStatus.Synced, second.Sync);
        Assert.Equal(0, second.Counts.Pruned);
        Assert.NotNull(await h.GetAsync(HookHarness.Jobs, "migrate"));
        Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "seed"));
        Assert.Equal(["shop_main__ConfigMap"], second.Inventory.Select(e => e.Id));
        Assert.Equal(ResourceAction.Created, Assert.Single(second.Resources, r => r.Name == "seed").Action);
    }

    [Fact]
    public async Task A_prune_only_sync_runs_the_hooks()
    {
        await using var h = await HookHarness.StartAsync();
        h.Repo
            .Write("main.yaml", HookManifests.ConfigMap("main"))
            .Write("old.yaml", HookManifests.ConfigMap("old"))
            .Write("notify.yaml", HookManifests.ConfigMap("notify", "post-upgrade"));
        await h.Repo.CommitAsync("hooks", Token);
        var first = await h.SyncAsync(prune: true);
        Assert.Null(first.Error);
        var notify = await h.WrittenAtAsync(ApiResource.ConfigMaps, "notify");

        h.Repo.Delete("old.yaml");
        await h.Repo.CommitAsync("drop old", Token);
        var second = await h.SyncAsync(prune: true, inventory: first.Inventory);

        Assert.Null(second.Error);
        Assert.Equal(1, second.Counts.Pruned);
        Assert.True(notify < await h.WrittenAtAsync(ApiResource.ConfigMaps, "notify"));
    }

    [Fact]
    public async Task A_hook_with_a_pre_and_a_post_event_runs_in_both_phases()
    {
        await using var h = await HookHarness.StartAsync(controllers: false);
        h.Repo
            .Write("main.yaml", HookManifests.ConfigMap("main"))
            .Write("both.yaml", HookManifests.ConfigMap("both", "pre-install,post-install"));
        await h.Repo.CommitAsync("hooks", Token);

        var result = await h.SyncAsync();

        Assert.Null(result.Error);
        Assert.Equal(2, result.Resources.Count(r => r.Hook && r.Name == "both" && r.Action == ResourceAction.Created));
        Assert.True(await h.WrittenAtAsync(ApiResource.ConfigMaps, "main") < await h.WrittenAtAsync(ApiResource.ConfigMaps, "both"));
    }

    [Fact]
    public async Task Post_hooks_do_not_run_when_the_synced_objects_become_degraded()
    {
        await using var h = await HookHarness.StartAsync();
        h.Repo
            .Write("web.yaml", HookManifests.Web.Replace("  name: web\n", "  name: web\n  annotations:\n    simulator.keelson.dev/fail: \"true\"\n", StringComparison.Ordinal))
            .Write("smoke.yaml", HookManifests.Job("smoke", "post-install"));
        await h.Repo.CommitAsync("web never becomes ready", Token);

        var result = await h.SyncAsync();

        var error = Assert.IsType<SyncError>(result.Error);
        Assert.Equal("PostHooksNotRun", error.Reason);
        Assert.StartsWith("post-install/post-upgrade hooks not run: Deployment shop/web is Degraded", error.Message, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Degraded, result.Health.Status);
        Assert.Null(await h.GetAsync(HookHarness.Jobs, "smoke"));
        Assert.NotNull(await h.GetAsync(ApiResource.Deployments, "web"));
    }

    [Fact]
    public async Task A_hook_job_that_never_finishes_fails_the_sync_at_the_hook_time_limit()
    {
        var clock = new FakeTimeProvider();
        await using var h = await HookHarness.StartAsync(options: new SyncEngineOptions { HookTimeout = TimeSpan.FromMinutes(2) }, time: clock);
        h.Server.Controllers.JobsEnabled = false;
        h.Repo
            .Write("main.yaml", HookManifests.ConfigMap("main"))
            .Write("migrate.yaml", HookManifests.Job("migrate", "pre-install"));
        await h.Repo.CommitAsync("hooks", Token);

        var sync = h.SyncAsync();
        await Eventually.WaitAsync(
            async ct => clock.PendingTimers > 0 && await h.Inner.Client.TryGetAsync(HookHarness.Jobs, "shop", "migrate", ct) is not null,
            "the engine to wait on the hook Job", cancellationToken: Token);
        Assert.False(sync.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(2));
        var result = await sync;

        var error = Assert.IsType<SyncError>(result.Error);
        Assert.Equal("HookFailed", error.Reason);
        Assert.StartsWith("Job shop/migrate: pre-sync hook failed: did not finish within 120 s (Job is running", error.Message, StringComparison.Ordinal);
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "main"));
    }

    [Fact]
    public async Task A_hook_pod_is_done_when_it_has_succeeded_not_while_it_runs()
    {
        await using var h = await HookHarness.StartAsync();

        // restartPolicy Always: the simulated kubelet keeps it running (a run-to-completion Pod would finish by itself).
        h.Repo
            .Write("main.yaml", HookManifests.ConfigMap("main"))
            .Write("check.yaml", CheckPod("Always", fails: false));
        await h.Repo.CommitAsync("hooks", Token);

        var sync = h.SyncAsync();

        // The simulated kubelet starts the Pod and reports it running and ready; the hook is not done yet.
        var health = new HealthAssessor(TimeProvider.System);
        await Eventually.WaitAsync(
            async ct => health.Assess(await h.Inner.Client.TryGetAsync(ApiResource.Pods, "shop", "check", ct)).Status == HealthStatus.Healthy,
            "the hook Pod to run", cancellationToken: Token);
        Assert.False(sync.IsCompleted);
        Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "main"));

        // Its container exits successfully, as a kubelet would report it.
        await h.Inner.Client.PatchStatusAsync(
            ApiResource.Pods, "shop", "check", PatchType.Merge, JsonNode.Parse("""{"status":{"phase":"Succeeded"}}""")!,
            new PatchOptions { FieldManager = "kubelet" }, Token);
        var result = await sync;

        Assert.Null(result.Error);
        Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "main"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hook_pod_that_runs_to_completion_passes_or_fails_the_sync_by_its_exit(bool fails)
    {
        await using var h = await HookHarness.StartAsync();
        h.Repo
            .Write("main.yaml", HookManifests.ConfigMap("main"))
            .Write("check.yaml", CheckPod("Never", fails));
        await h.Repo.CommitAsync("hooks", Token);

        var result = await h.SyncAsync();

        if (fails)
        {
            Assert.Equal("HookFailed", result.Error?.Reason);
            Assert.StartsWith("Pod shop/check: pre-sync hook failed", result.Error!.Message, StringComparison.Ordinal);
            Assert.Null(await h.GetAsync(ApiResource.ConfigMaps, "main"));
        }
        else
        {
            Assert.Null(result.Error);
            Assert.NotNull(await h.GetAsync(ApiResource.ConfigMaps, "main"));
        }
    }

    private static string CheckPod(string restartPolicy, bool fails) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: check
          annotations:
            helm.sh/hook: pre-install
        {{(fails ? "    simulator.keelson.dev/fail: \"true\"\n" : "")}}spec:
          restartPolicy: {{restartPolicy}}
          containers:
          - name: check
            image: busybox:1.36
        """;

    /// <summary>
    /// A chart with a weighted pair of pre-install hooks (a ConfigMap the migration Job reads, then the Job), post
    /// hooks (a ConfigMap and a hook-succeeded smoke Job), and test, delete and rollback hooks no sync may apply.
    /// </summary>
    /// <summary>Commits the chart and syncs it once, cleanly: the starting point of most hook tests.</summary>
    private static async Task<SyncResult> SyncChartAsync(HookHarness h)
    {
        WriteChart(h.Repo);
        await h.Repo.CommitAsync("chart", Token);
        var first = await h.SyncAsync();
        Assert.Null(first.Error);
        return first;
    }

    private static void WriteChart(Testing.Git.GitRepo repo, string color = "blue", bool migrateFails = false) => repo
        .Write("Chart.yaml", """
            apiVersion: v2
            name: shop
            version: 1.0.0
            """)
        .Write("values.yaml", $"""
            color: {color}
            migrateFails: {(migrateFails ? "true" : "false")}
            """)
        .Write("templates/settings.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
              color: {{ .Values.color }}
            """)
        .Write("templates/web.yaml", HookManifests.Web + """

            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              selector: {app: web}
              ports:
              - port: 80
            """)
        .Write("templates/migrate.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: migrate-config
              annotations:
                "helm.sh/hook": pre-install,pre-upgrade
                "helm.sh/hook-weight": "-10"
            data:
              color: {{ .Values.color }}
            ---
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: migrate
              annotations:
                "helm.sh/hook": pre-install,pre-upgrade
                "helm.sh/hook-weight": "-5"
                {{- if .Values.migrateFails }}
                simulator.keelson.dev/fail: "true"
                {{- end }}
            spec:
              backoffLimit: 0
              template:
                spec:
                  restartPolicy: Never
                  containers:
                  - name: migrate
                    image: busybox:1.36
            """)
        .Write("templates/post.yaml", """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: smoke
              annotations:
                "helm.sh/hook": post-install,post-upgrade
                "helm.sh/hook-delete-policy": hook-succeeded
            spec:
              backoffLimit: 0
              template:
                spec:
                  restartPolicy: Never
                  containers:
                  - name: smoke
                    image: busybox:1.36
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: notify
              annotations:
                "helm.sh/hook": post-install,post-upgrade
                "helm.sh/hook-weight": "-1"
            data:
              color: {{ .Values.color }}
            """)
        .Write("templates/tests/test.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: shop-test
              annotations:
                "helm.sh/hook": test
            spec:
              restartPolicy: Never
              containers:
              - name: test
                image: busybox:1.36
            """)
        .Write("templates/others.yaml", """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: cleanup
              annotations:
                "helm.sh/hook": pre-delete
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers:
                  - name: cleanup
                    image: busybox:1.36
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: rolled-back
              annotations:
                "helm.sh/hook": post-rollback
            """);
}
