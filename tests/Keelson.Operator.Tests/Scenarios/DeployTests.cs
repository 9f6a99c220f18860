using Keelson.Kubernetes;

namespace Keelson.Operator.Tests.Scenarios;

public sealed class DeployTests
{
    [Fact]
    public async Task Commit_deploys_a_change_updates_and_git_revert_rolls_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var first = await s.Repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "hello")).CommitAsync("Add settings", ct);
        await s.ApplyAppAsync("shop");

        var status = await s.WaitSyncedAsync("shop", first, ct);
        Assert.Equal("hello", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());
        Assert.Contains(status.Resources, r => r.Kind == "ConfigMap" && r.Name == "settings" && r.Status == "Synced");
        Assert.Single(status.History);

        var second = await s.Repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "bonjour")).CommitAsync("Say bonjour", ct);
        // An ordinary refresh (not hard) asks the Git server afresh too.
        await s.KubectlAsync(["annotate", "--overwrite", "-n", Scenario.AppNamespace, "app", "shop", "keelson.dev/refresh=now"]);
        status = await s.WaitSyncedAsync("shop", second, ct);
        Assert.Equal("bonjour", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());
        Assert.Equal("Say bonjour", status.History[^1].Subject);

        var reverted = await s.Repo.RevertHeadAsync(ct);
        await s.RefreshAsync("shop");
        status = await s.WaitSyncedAsync("shop", reverted, ct);
        Assert.Equal("hello", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());
        Assert.Equal([first, second, reverted], status.History.Select(h => h.Revision));
        Assert.StartsWith("Revert", status.History[^1].Subject, StringComparison.Ordinal);
        Assert.Equal("Succeeded", status.Operation?.Phase);

        // What a user sees.
        var table = await s.KubectlAsync(["get", "applications", "-n", Scenario.AppNamespace]);
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+SYNC STATUS\s+HEALTH STATUS\s+REVISION\s+AGE\s*$", lines[0]);
        Assert.Matches($@"^shop\s+Synced\s+Healthy\s+{reverted[..7]}\s+\S+\s*$", lines[1]);
        var wide = await s.KubectlAsync(["get", "apps", "-n", Scenario.AppNamespace, "-o", "wide"]);
        Assert.Matches(@"^NAME\s+SYNC STATUS\s+HEALTH STATUS\s+REVISION\s+AGE\s+REPO\s+PATH\s+MESSAGE", wide);
        Assert.Contains(s.Repo.FileUrl, wide, StringComparison.Ordinal);

        // Each sync is an Event on the Application.
        var events = await s.KubectlAsync(["get", "events", "-n", Scenario.AppNamespace, "-o", "custom-columns=REASON:.reason,NOTE:.note,MESSAGE:.message"]);
        Assert.Contains($"synced {second[..7]}", events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_automated_the_app_reports_out_of_sync_until_the_sync_annotation_asks()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await s.Repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "hello")).CommitAsync("Add settings", ct);
        await s.ApplyAppAsync("manual", automated: false);

        await s.WaitForAsync("manual", st => st.SyncStatus == "OutOfSync" && st.Revision == commit, "OutOfSync", ct);
        Assert.Null(await s.ConfigMapAsync("shop", "settings", ct));

        await s.KubectlAsync(["annotate", "-n", Scenario.AppNamespace, "app", "manual", "keelson.dev/sync=now"]);
        await s.WaitSyncedAsync("manual", commit, ct);
        Assert.NotNull(await s.ConfigMapAsync("shop", "settings", ct));
        Assert.Equal("Manual", (await s.WaitForAsync("manual", st => st.Operation is not null, "an operation", ct)).Operation!.Trigger);

        // The handled annotation is removed, so the same value can ask again later.
        var app = await s.AppAsync("manual", ct);
        await Testing.Eventually.WaitAsync(
            async c => (await s.AppAsync("manual", c)).GetAnnotation("keelson.dev/sync") is null,
            "the sync annotation to be removed",
            cancellationToken: ct);
        Assert.NotNull(app);
    }

    [Fact]
    public async Task A_kustomize_overlay_is_rendered_and_applied()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        s.Repo.Write("base/settings.yaml", Scenario.ConfigMap("settings", "hello"))
            .Write("base/kustomization.yaml", "resources: [settings.yaml]\n")
            .Write("app/kustomization.yaml", "resources: [../base]\nnamePrefix: prod-\n");
        var commit = await s.Repo.CommitAsync("Kustomize overlay", ct);
        await s.ApplyAppAsync("overlay");

        var status = await s.WaitSyncedAsync("overlay", commit, ct);
        Assert.NotNull(await s.ConfigMapAsync("shop", "prod-settings", ct));
        Assert.Equal("kustomize", status.SourceType);
    }

    [Fact]
    public async Task The_shipped_install_manifests_are_accepted_by_the_api_server()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);

        var output = await s.KubectlAsync(["apply", "--server-side", "--dry-run=server", "-k", Keelson.Testing.RepoPaths.InRepo("deploy")]);

        Assert.Contains("deployment.apps/keelson serverside-applied (server dry run)", output, StringComparison.Ordinal);
        Assert.Contains("clusterrole.rbac.authorization.k8s.io/keelson", output, StringComparison.Ordinal);
    }
}
