using System.Text.Json.Nodes;
using Keelson.Kubernetes;
using Keelson.Operator.Applications;
using Keelson.Testing;

namespace Keelson.Operator.Tests.Scenarios;

/// <summary>
/// A chart with Helm hooks, deployed by committing: the hooks run in their phases, a failing one stops the upgrade, a
/// failing post-sync hook is retried with its sync and stays visible, and a manual sync runs them again.
/// </summary>
public sealed class HookScenarioTests
{
    private static readonly ApiResource Jobs = new("batch", "v1", "jobs", "Job", true) { HasStatus = true };

    private const string Chart = """
        apiVersion: v2
        name: shop
        version: 0.1.0
        """;

    // A settings ConfigMap, a hook Job that fails when the value named by `fails` is true, and what follows it.
    private static string HookChart(string job, string hook, string fails, string rest = "") => $$$"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          greeting: {{ .Values.greeting | quote }}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {{{job}}}
          annotations:
            "helm.sh/hook": {{{hook}}}
            {{- if .Values.{{{fails}}} }}
            simulator.keelson.dev/fail: "true"
            {{- end }}
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: {{{job}}}
                image: busybox:1.36
        """ + rest;

    private static readonly string Templates = HookChart("migrate", "pre-install,pre-upgrade", "migrationFails", """

        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: deployed
          annotations:
            "helm.sh/hook": post-install,post-upgrade
        data:
          greeting: {{ .Values.greeting | quote }}
        """);

    [Fact]
    public async Task While_its_hooks_run_the_application_shows_its_sync_as_running()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var revision = await AddChartAsync(s, ct);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var phases = new List<string>();
        var watch = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var change in s.Client.WatchAsync(ApplicationNames.Resource, Scenario.AppNamespace, new WatchOptions { FieldSelector = "metadata.name=shop" }, watching.Token))
                    {
                        if (change.Object?["status"]?["operationState"]?["phase"] is JsonValue phase && phase.GetValue<string>() is var p && (phases.Count == 0 || phases[^1] != p))
                        {
                            lock (phases)
                            {
                                phases.Add(p);
                            }
                        }
                    }
                }
                catch (OperationCanceledException) when (watching.IsCancellationRequested)
                {
                }
            },
            ct);

        await s.KubectlAsync(["apply", "-f", "-"], Scenario.AppYaml("shop", s.Repo.FileUrl, path: "chart"));
        await s.WaitSyncedAsync("shop", revision, ct);
        await Eventually.WaitAsync(
            () =>
            {
                lock (phases)
                {
                    return phases.Contains(OperationPhases.Succeeded);
                }
            },
            "the watch to see the sync succeed",
            cancellationToken: ct);
        await watching.CancelAsync();
        await watch;

        // The pre-install migration Job takes the simulated rollout time: meanwhile the sync shows as Running.
        Assert.Equal([OperationPhases.Running, OperationPhases.Succeeded], phases);
    }

    [Fact]
    public async Task A_failing_pre_upgrade_hook_stops_the_upgrade_with_a_sync_error_naming_it_until_a_fix_is_committed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var first = await AddChartAsync(s, ct);
        await s.KubectlAsync(["apply", "-f", "-"], Scenario.AppYaml("shop", s.Repo.FileUrl, path: "chart"));
        var synced = await s.WaitSyncedAsync("shop", first, ct);

        // The hooks ran (the migration completed, the post-install hook was applied) but are not the app's resources.
        Assert.NotNull(await s.Client.TryGetAsync(Jobs, "shop", "migrate", ct));
        Assert.Equal("hello", (await s.ConfigMapAsync("shop", "deployed", ct))?["data"]?["greeting"]?.GetValue<string>());
        Assert.Equal(["settings"], synced.Resources.Select(r => r.Name));

        await s.Repo.Write("chart/values.yaml", "greeting: bonjour\nmigrationFails: true\n").CommitAsync("Upgrade with a broken migration", ct);
        await s.RefreshAsync("shop");
        var failed = await s.WaitForAsync("shop", st => st.Conditions.Any(c => c.Type == "SyncError" && c.IsTrue), "a SyncError", ct);

        var error = failed.Conditions.Single(c => c.Type == "SyncError");
        Assert.Equal("HookFailed", error.Reason);
        Assert.Contains("Job shop/migrate: pre-sync hook failed", error.Message, StringComparison.Ordinal);
        Assert.Equal("OutOfSync", failed.SyncStatus);
        Assert.Equal("hello", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());
        Assert.Equal("hello", (await s.ConfigMapAsync("shop", "deployed", ct))?["data"]?["greeting"]?.GetValue<string>());

        var fixedRevision = await s.Repo.Write("chart/values.yaml", "greeting: bonjour\nmigrationFails: false\n").CommitAsync("Fix the migration", ct);
        await s.RefreshAsync("shop");
        var recovered = await s.WaitSyncedAsync("shop", fixedRevision, ct);

        Assert.DoesNotContain(recovered.Conditions, c => c.Type == "SyncError");
        Assert.Equal("bonjour", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());
        Assert.Equal("bonjour", (await s.ConfigMapAsync("shop", "deployed", ct))?["data"]?["greeting"]?.GetValue<string>());
    }

    private static readonly string SmokeChart = HookChart("smoke", "post-install,post-upgrade", "smokeFails");

    [Fact]
    public async Task A_failing_post_sync_hook_is_retried_with_its_sync_and_stays_a_sync_error_once_retries_are_used_up()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await AddChartAsync(s, ct, "greeting: hello\nsmokeFails: true\n", SmokeChart, "A chart whose smoke test fails");
        var requests = s.Cluster.Server.Requests;
        var app = Scenario.AppYaml("shop", s.Repo.FileUrl, path: "chart")
            .Replace("retry: {limit: 3, backoff: {duration: 1s, factor: 2, maxDuration: 5s} }", "retry: {limit: 2, backoff: {duration: 1s, factor: 1, maxDuration: 1s} }", StringComparison.Ordinal);
        await s.KubectlAsync(["apply", "-f", "-"], app);

        // Every object is in place after the first sync; the retries run the whole sync again, the hook with it.
        var exhausted = await s.WaitForAsync("shop", st => st.Operation is { RetryCount: 2, Phase: "Failed" }, "the second retry to fail", ct);
        Assert.Equal("hello", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());
        Assert.Equal(3, requests.Count("patch", "jobs", fieldManager: "keelson"));
        var error = exhausted.Conditions.Single(c => c.Type == "SyncError");
        Assert.True(error.IsTrue);
        Assert.Equal("HookFailed", error.Reason);
        Assert.StartsWith($"last sync to {commit[..7]} failed: Job shop/smoke: post-sync hook failed: Job failed", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("; retries exhausted (2)", error.Message, StringComparison.Ordinal);
        Assert.Contains(exhausted.Conditions, c => c.Type == "Stalled" && c.IsTrue);
        Assert.DoesNotContain(exhausted.Conditions, c => c.Type == "Reconciling");

        // A reconcile (a managed object changed by someone else) finds every object in place: no sync, and the failure
        // stays, now beside the Synced comparison.
        var reconciles = s.ReconcileCount();
        await TouchAsync(s, "1", ct);
        var settled = await s.WaitForAsync("shop", st => st.SyncStatus == "Synced", "a reconcile after the label", ct);
        await Eventually.WaitAsync(() => s.ReconcileCount() > reconciles, "the reconcile to finish", cancellationToken: ct);
        Assert.Equal(error.Message, settled.Conditions.Single(c => c.Type == "SyncError" && c.IsTrue).Message);
        Assert.Equal(3, requests.Count("patch", "jobs", fieldManager: "keelson"));

        // The steady state writes nothing.
        var writes = requests.Count("patch", "applications");
        reconciles = s.ReconcileCount();
        await TouchAsync(s, "2", ct);
        await Eventually.WaitAsync(() => s.ReconcileCount() > reconciles, "another reconcile", cancellationToken: ct);
        Assert.Equal(writes, requests.Count("patch", "applications"));
        Assert.Equal(3, requests.Count("patch", "jobs", fieldManager: "keelson"));

        // A fix in Git with an upgrade is a new target: synced, the hook passes and the failure is gone.
        var fixedRevision = await s.Repo.Write("chart/values.yaml", "greeting: bonjour\nsmokeFails: false\n").CommitAsync("Fix the smoke test, upgrade", ct);
        await s.RefreshAsync("shop");
        var recovered = await s.WaitForAsync("shop", st => st.Operation is { Phase: "Succeeded" } op && op.Revision == fixedRevision, "a successful sync of the fix", ct);
        Assert.DoesNotContain(recovered.Conditions, c => c.Type is "SyncError" or "Stalled");
        Assert.Equal("Synced", recovered.SyncStatus);
    }

    [Fact]
    public async Task A_manual_sync_of_an_app_already_in_sync_runs_its_hooks()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await AddChartAsync(s, ct);
        await s.KubectlAsync(["apply", "-f", "-"], Scenario.AppYaml("shop", s.Repo.FileUrl, path: "chart", automated: false));
        await SyncAsync(s, "1");
        var first = await s.WaitForAsync("shop", st => st.Operation is { Phase: "Succeeded" } && st.SyncStatus == "Synced", "the first manual sync", ct);
        var migrate = (await s.Client.GetAsync(Jobs, "shop", "migrate", ct)).GetUid();
        var deployed = (await s.ConfigMapAsync("shop", "deployed", ct))!.GetResourceVersion();

        // Nothing differs, but a sync asked for is a sync operation: Argo CD runs its hooks.
        await SyncAsync(s, "2");
        var second = await s.WaitForAsync("shop", st => st.Operation is { Phase: "Succeeded" } op && op.StartedAt != first.Operation!.StartedAt, "the second manual sync", ct);

        Assert.Equal("Manual", second.Operation!.Trigger);
        Assert.Equal(commit, second.Operation.Revision);
        Assert.Equal(0, second.Operation.Counts.Created + second.Operation.Counts.Configured);
        Assert.NotEqual(migrate, (await s.Client.GetAsync(Jobs, "shop", "migrate", ct)).GetUid());
        Assert.NotEqual(deployed, (await s.ConfigMapAsync("shop", "deployed", ct))!.GetResourceVersion());
    }

    [Fact]
    public async Task A_sync_asked_for_while_another_runs_its_hooks_is_not_lost()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        await AddChartAsync(s, ct);
        await s.KubectlAsync(["apply", "-f", "-"], Scenario.AppYaml("shop", s.Repo.FileUrl, path: "chart", automated: false));
        s.Cluster.Server.Controllers.ReadyDelay = TimeSpan.FromSeconds(3);
        await SyncAsync(s, "1");
        var running = await s.WaitForAsync("shop", st => st.Operation is { Phase: OperationPhases.Running }, "the first sync to wait on its migration", ct);

        // Asked again while the first waits: the first must not remove the new request when it ends.
        await SyncAsync(s, "2");
        var second = await s.WaitForAsync(
            "shop", st => st.Operation is { Phase: "Succeeded" } op && op.StartedAt > running.Operation!.StartedAt,
            "the second sync to run", ct);

        Assert.Equal("Manual", second.Operation!.Trigger);
        await Eventually.WaitAsync(
            async c => (await s.AppAsync("shop", c)).GetAnnotation(ApplicationNames.SyncAnnotation) is null, "the handled request to be removed", cancellationToken: ct);
    }

    [Fact]
    public async Task A_sync_cut_short_by_an_operator_restart_is_run_again_by_the_next_operator()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        // The operator stops while the pre-install migration runs (longer than it waits for work under way when
        // stopping): nothing after the migration was applied, the sync shows Running.
        var commit = await StartSyncThatWaitsAsync(s, ct);
        await s.RestartOperatorAsync(ct, async () =>
        {
            Assert.Null(await s.ConfigMapAsync("shop", "deployed", ct));
            s.Cluster.Server.Controllers.ReadyDelay = TimeSpan.FromMilliseconds(200);
        });

        // The next operator finds the sync Running and runs it again, hooks included, to the end.
        var resumed = await s.WaitSyncedAsync("shop", commit, ct);
        Assert.Equal(OperationPhases.Succeeded, resumed.Operation!.Phase);
        Assert.Equal("Resumed", resumed.Operation.Trigger);
        Assert.Equal("hello", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());
        Assert.Equal("hello", (await s.ConfigMapAsync("shop", "deployed", ct))?["data"]?["greeting"]?.GetValue<string>());
        Assert.Equal(commit, Assert.Single(resumed.History).Revision);
    }

    [Fact]
    public async Task A_sync_cut_short_while_its_repository_is_unreachable_says_why_it_waits_and_runs_once_it_is_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await StartSyncThatWaitsAsync(s, ct);

        // The next operator starts with an empty cache while the repository is gone: it cannot run the sync again yet.
        var away = s.Repo.Path + ".away";
        await s.RestartOperatorAsync(ct, () =>
        {
            Directory.Move(s.Repo.Path, away);
            s.Cluster.Server.Controllers.ReadyDelay = TimeSpan.FromMilliseconds(200);
            return Task.CompletedTask;
        });
        var waiting = await s.WaitForAsync(
            "shop", st => st.Conditions.Any(c => c.Type == "ComparisonError" && c.IsTrue) && st.Operation?.Message?.Contains("runs again", StringComparison.Ordinal) == true,
            "the interrupted sync to say why it waits", ct);
        Assert.Equal(OperationPhases.Running, waiting.Operation!.Phase);
        Assert.Contains("operator restart", waiting.Operation.Message, StringComparison.Ordinal);
        Assert.Null(await s.ConfigMapAsync("shop", "deployed", ct));

        Directory.Move(away, s.Repo.Path);
        await s.RefreshAsync("shop");
        var resumed = await s.WaitSyncedAsync("shop", commit, ct);
        Assert.Equal(OperationPhases.Succeeded, resumed.Operation!.Phase);
        Assert.Equal("Resumed", resumed.Operation.Trigger);
        Assert.Equal("hello", (await s.ConfigMapAsync("shop", "deployed", ct))?["data"]?["greeting"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_sync_whose_end_could_not_be_written_is_recorded_by_the_next_reconcile_not_run_again()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await AddChartAsync(s, ct);
        var requests = s.Cluster.Server.Requests;

        // The first status write marks the sync Running while the migration runs; the second, which would end it, is
        // refused once. The retry must record the sync, not run the migration again.
        var writes = 0;
        var refused = s.Cluster.Server.Faults.Fail(
            403, r => r.Verb == "patch" && r.Resource == "applications" && r.Subresource == "status" && Interlocked.Increment(ref writes) == 2);
        await s.KubectlAsync(["apply", "-f", "-"], Scenario.AppYaml("shop", s.Repo.FileUrl, path: "chart"));
        var synced = await s.WaitSyncedAsync("shop", commit, ct);

        Assert.Equal(1, refused.Hits);
        Assert.Equal(OperationPhases.Succeeded, synced.Operation!.Phase);
        Assert.Equal("Automated", synced.Operation.Trigger);
        Assert.Equal(1, requests.Count("patch", "jobs", fieldManager: "keelson"));
        Assert.Equal(commit, Assert.Single(synced.History).Revision);
    }

    /// <summary>Commits the chart and applies its Application; returns once its sync waits on a migration that takes minutes.</summary>
    private static async Task<string> StartSyncThatWaitsAsync(Scenario s, CancellationToken ct)
    {
        var commit = await AddChartAsync(s, ct);
        s.Cluster.Server.Controllers.ReadyDelay = TimeSpan.FromMinutes(10);
        await s.KubectlAsync(["apply", "-f", "-"], Scenario.AppYaml("shop", s.Repo.FileUrl, path: "chart"));
        await s.WaitForAsync("shop", st => st.Operation is { Phase: OperationPhases.Running }, "the sync to wait on its migration", ct);
        return commit;
    }

    /// <summary>Commits the shop chart: by default with its migration hook (passing) and the post-install ConfigMap.</summary>
    private static Task<string> AddChartAsync(
        Scenario s, CancellationToken ct, string values = "greeting: hello\nmigrationFails: false\n", string? templates = null, string message = "Add the chart") => s.Repo
        .Write("chart/Chart.yaml", Chart)
        .Write("chart/values.yaml", values)
        .Write("chart/templates/all.yaml", templates ?? Templates)
        .CommitAsync(message, ct);

    private static Task<string> SyncAsync(Scenario s, string value) =>
        s.KubectlAsync(["annotate", "--overwrite", "-n", Scenario.AppNamespace, "application", "shop", $"{ApplicationNames.SyncAnnotation}={value}"]);

    /// <summary>A change by someone else to a managed object that is not drift (a label Keelson does not set).</summary>
    private static Task<JsonObject> TouchAsync(Scenario s, string value, CancellationToken ct) =>
        s.Client.PatchAsync(
            Scenario.ConfigMaps, "shop", "settings", PatchType.Merge, new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["touched"] = value } } },
            new PatchOptions { FieldManager = "kubectl-label" }, ct);
}
