using Keelson.Kubernetes;

namespace Keelson.Operator.Tests.Scenarios;

public sealed class OwnershipTests
{
    [Fact]
    public async Task An_object_taken_over_by_another_application_is_not_pruned()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var first = await s.Repo.Write("one/shared.yaml", Scenario.ConfigMap("shared", "one")).CommitAsync("One owns shared", ct);
        await s.ApplyAppAsync("one", path: "one", prune: true);
        await s.WaitSyncedAsync("one", first, ct);

        // A second Application now renders the same object and takes it over (its tracking id wins). It follows a
        // branch of its own: were main to move here, "one" would rightly sync the new commit and, rendering shared
        // too, take it back before the step under test (whether it did depended on timing).
        await s.Repo.BranchAsync("two", cancellationToken: ct);
        await s.Repo.CheckoutAsync("two", ct);
        var second = await s.Repo.Write("two/shared.yaml", Scenario.ConfigMap("shared", "two")).CommitAsync("Two takes shared", ct);
        await s.Repo.CheckoutAsync("main", ct);
        await s.ApplyAppAsync("two", path: "two", prune: true, revision: "two");
        await s.WaitSyncedAsync("two", second, ct);

        // "one" is told its object was taken: it reports the difference but, without self-heal, does not sync again.
        var told = await s.WaitForAsync("one", st => st.SyncStatus == "OutOfSync", "one to notice shared was taken over", ct);
        Assert.Equal(first, told.Operation?.Revision);

        var third = await s.Repo.Delete("one/shared.yaml").Write("one/other.yaml", Scenario.ConfigMap("other", "x")).CommitAsync("One drops shared", ct);
        await s.RefreshAsync("one");
        await s.WaitForAsync("one", st => st.Revision == third && st.Operation?.Revision == third, "one to sync the new commit", ct);

        var shared = await s.ConfigMapAsync("shop", "shared", ct);
        Assert.NotNull(shared);
        Assert.Equal("two", shared["data"]?["greeting"]?.GetValue<string>());
        Assert.Equal("keelson/two:/ConfigMap:shop/shared", shared.GetAnnotation("keelson.dev/tracking-id"));
        Assert.NotNull(await s.ConfigMapAsync("shop", "other", ct));
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
