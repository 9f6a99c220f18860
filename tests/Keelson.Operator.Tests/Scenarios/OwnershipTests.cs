using Keelson.Kubernetes;

namespace Keelson.Operator.Tests.Scenarios;

public sealed class OwnershipTests
{
    [Fact]
    public async Task An_object_owned_by_another_application_is_not_pruned()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var first = await s.Repo.Write("one/shared.yaml", Scenario.ConfigMap("shared", "one")).CommitAsync("One owns shared", ct);
        await s.ApplyAppAsync("one", path: "one", prune: true);
        await s.WaitSyncedAsync("one", first, ct);

        // A second Application renders the same object too: it is left to "one" (and listed in two's inventory).
        var second = await s.Repo.Write("two/shared.yaml", Scenario.ConfigMap("shared", "two")).Write("two/own.yaml", Scenario.ConfigMap("own", "two"))
            .CommitAsync("Two renders shared", ct);
        await s.ApplyAppAsync("two", path: "two", prune: true);
        await s.WaitForAsync("two", st => st.Revision == second && st.Conditions.Any(c => c.Type == "SharedResourceWarning"), "the shared-resource warning", ct);

        // "two" drops it (and changes its own object, so it syncs) with prune on: shared is not its own, so it stays.
        var third = await s.Repo.Delete("two/shared.yaml").Write("two/own.yaml", Scenario.ConfigMap("own", "three")).CommitAsync("Two drops shared", ct);
        await s.RefreshAsync("two");
        var two = await s.WaitForAsync("two", st => st.Operation?.Revision == third && st.SyncStatus == "Synced", "two to sync the new commit", ct);
        Assert.Equal(1, two.Operation!.Counts.PruneSkipped);
        Assert.DoesNotContain(two.Conditions, c => c.Type == "SharedResourceWarning");

        var shared = await s.ConfigMapAsync("shop", "shared", ct);
        Assert.NotNull(shared);
        Assert.Equal("one", shared["data"]?["greeting"]?.GetValue<string>());
        Assert.Equal("keelson/one:/ConfigMap:shop/shared", shared.GetAnnotation("keelson.dev/tracking-id"));
        Assert.NotNull(await s.ConfigMapAsync("shop", "own", ct));
    }

    [Fact]
    public async Task A_deployment_past_its_progress_deadline_makes_the_application_degraded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await s.Repo.Write("app/web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              annotations:
                simulator.keelson.dev/fail: "true"
            spec:
              progressDeadlineSeconds: 1
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - {name: web, image: nginx:1.27}
            """).CommitAsync("A deployment that never becomes ready", ct);
        await s.ApplyAppAsync("shop");

        var status = await s.WaitForAsync("shop", st => st.Revision == commit && st.HealthStatus == "Degraded", "Degraded", ct);
        Assert.Equal("Synced", status.SyncStatus);
        Assert.Contains(status.Resources, r => r.Kind == "Deployment" && r.Health == "Degraded");
        Assert.Contains(status.Conditions, c => c.Type == "Ready" && c.Status == "False" && c.Reason == "Degraded");
    }
}
