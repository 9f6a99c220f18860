namespace Keelson.Operator.Tests.Scenarios;

public sealed class DriftTests
{
    [Fact]
    public async Task A_deleted_file_is_listed_for_pruning_without_prune_and_deleted_with_prune()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        s.Repo.Write("app/a.yaml", Scenario.ConfigMap("a", "one")).Write("app/b.yaml", Scenario.ConfigMap("b", "two"));
        var first = await s.Repo.CommitAsync("Two settings", ct);
        await s.ApplyAppAsync("shop", prune: false);
        await s.WaitSyncedAsync("shop", first, ct);

        var second = await s.Repo.Delete("app/b.yaml").CommitAsync("Drop b", ct);
        await s.RefreshAsync("shop");
        var status = await s.WaitForAsync("shop", st => st.Revision == second && st.SyncStatus == "OutOfSync", "OutOfSync at the new commit", ct);
        Assert.Contains(status.Resources, r => r.Name == "b" && r.RequiresPruning);
        Assert.NotNull(await s.ConfigMapAsync("shop", "b", ct));

        await s.ApplyAppAsync("shop", prune: true);
        await s.WaitSyncedAsync("shop", second, ct);
        await Testing.Eventually.WaitAsync(async c => await s.ConfigMapAsync("shop", "b", c) is null, "b to be pruned", cancellationToken: ct);
        Assert.NotNull(await s.ConfigMapAsync("shop", "a", ct));
    }

    [Fact]
    public async Task A_kubectl_edit_turns_the_app_out_of_sync_and_self_heal_reverts_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await s.Repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "hello")).CommitAsync("Add settings", ct);
        await s.ApplyAppAsync("shop", selfHeal: false);
        await s.WaitSyncedAsync("shop", commit, ct);

        await s.KubectlAsync(["patch", "-n", "shop", "configmap", "settings", "--type=merge", "-p", """{"data":{"greeting":"edited"}}"""]);
        var status = await s.WaitForAsync("shop", st => st.SyncStatus == "OutOfSync", "OutOfSync after the edit", ct);
        Assert.Contains(status.Resources, r => r.Name == "settings" && r.Status == "OutOfSync");
        Assert.Equal("edited", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());

        await s.ApplyAppAsync("shop", selfHeal: true);
        await s.WaitSyncedAsync("shop", commit, ct);
        Assert.Equal("hello", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());

        // With self-heal on, a later edit is reverted within seconds.
        await s.KubectlAsync(["patch", "-n", "shop", "configmap", "settings", "--type=merge", "-p", """{"data":{"greeting":"again"}}"""]);
        await Testing.Eventually.WaitAsync(
            async c => (await s.ConfigMapAsync("shop", "settings", c))?["data"]?["greeting"]?.GetValue<string>() == "hello",
            "the edit to be reverted",
            TimeSpan.FromSeconds(5),
            ct);
    }
}
