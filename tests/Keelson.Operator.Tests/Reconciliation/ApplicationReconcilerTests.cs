using Keelson.Operator.Tests.Scenarios;

namespace Keelson.Operator.Tests.Reconciliation;

/// <summary>What one reconcile costs the API server: each object applied once, nothing looked up that the caches know.</summary>
public sealed class ApplicationReconcilerTests
{
    [Fact]
    public async Task An_initial_sync_applies_each_object_once_and_looks_none_of_them_up()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await s.Repo.Write("app/a.yaml", Scenario.ConfigMap("a", "hello")).Write("app/b.yaml", Scenario.ConfigMap("b", "hello")).CommitAsync("two settings", ct);
        var requests = s.Cluster.Server.Requests;

        await s.ApplyAppAsync("shop");
        var status = await s.WaitSyncedAsync("shop", commit, ct);

        Assert.All(status.Resources.Where(r => r.Kind == "ConfigMap"), r => Assert.Equal("Synced", r.Status));
        Assert.Equal(2, requests.Count("patch", "configmaps", fieldManager: "keelson"));
        Assert.Equal(0, requests.Count("get", "configmaps"));
    }
}
