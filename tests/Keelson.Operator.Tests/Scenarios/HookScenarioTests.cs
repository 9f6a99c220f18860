using Keelson.Kubernetes;

namespace Keelson.Operator.Tests.Scenarios;

/// <summary>A chart with Helm hooks, deployed by committing: the hooks run in their phases and a failing one stops the upgrade.</summary>
public sealed class HookScenarioTests
{
    private static readonly ApiResource Jobs = new("batch", "v1", "jobs", "Job", true) { HasStatus = true };

    private const string Chart = """
        apiVersion: v2
        name: shop
        version: 0.1.0
        """;

    private const string Templates = """
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
          name: migrate
          annotations:
            "helm.sh/hook": pre-install,pre-upgrade
            {{- if .Values.migrationFails }}
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
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: deployed
          annotations:
            "helm.sh/hook": post-install,post-upgrade
        data:
          greeting: {{ .Values.greeting | quote }}
        """;

    [Fact]
    public async Task A_failing_pre_upgrade_hook_stops_the_upgrade_with_a_sync_error_naming_it_until_a_fix_is_committed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var first = await s.Repo
            .Write("chart/Chart.yaml", Chart)
            .Write("chart/values.yaml", "greeting: hello\nmigrationFails: false\n")
            .Write("chart/templates/all.yaml", Templates)
            .CommitAsync("Add the chart", ct);
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
}
