using Keelson.Kubernetes;
using Keelson.Operator.Applications;
using Keelson.Testing;

namespace Keelson.Operator.Tests.Scenarios;

/// <summary>Two Applications rendering the same object: the one holding it keeps it, the other warns, neither fights.</summary>
public sealed class SharedResourceTests
{
    [Fact]
    public async Task The_second_application_rendering_an_object_warns_instead_of_fighting_and_adopts_it_once_the_first_is_deleted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await CommitTwoAppsAsync(s, ct);

        // Self-heal on both: the policy under which two owners would take the object from each other fastest.
        await s.ApplyAppAsync("one", path: "one", selfHeal: true);
        await s.WaitSyncedAsync("one", commit, ct);
        await s.ApplyAppAsync("two", path: "two", selfHeal: true);

        var two = await s.WaitForAsync(
            "two", st => st.Revision == commit && Shared(st) is not null && st.Resources.Any(r => r.Name == "own" && r.Status == "Synced"), "a shared-resource warning", ct);
        var warning = Shared(two)!;
        Assert.Equal("SharedResource", warning.Reason);
        Assert.Contains("ConfigMap shop/shared (owned by keelson/one)", warning.Message, StringComparison.Ordinal);
        Assert.Equal("OutOfSync", two.SyncStatus);
        Assert.Equal("OutOfSync", Assert.Single(two.Resources, r => r.Name == "shared").Status);
        Assert.Contains("ConfigMap shop/shared (owned by Application keelson/one)", two.Message ?? "", StringComparison.Ordinal);
        Assert.Equal(OperationPhases.Succeeded, two.Operation?.Phase);
        var wide = await s.KubectlAsync(["get", "applications", "-n", Scenario.AppNamespace, "two", "-o", "wide"]);
        Assert.Contains("owned by Application keelson/one", wide, StringComparison.Ordinal);
        await Eventually.WaitAsync(
            async c => (await s.KubectlAsync(["get", "events", "-n", Scenario.AppNamespace, "-o", "yaml"])).Contains("reason: SharedResource", StringComparison.Ordinal),
            "a SharedResource event on two",
            cancellationToken: ct);

        var shared = (await s.ConfigMapAsync("shop", "shared", ct))!;
        Assert.Equal("keelson/one:/ConfigMap:shop/shared", shared.GetAnnotation("keelson.dev/tracking-id"));
        Assert.Equal("one", shared["data"]?["greeting"]?.GetValue<string>());
        Assert.Equal("Synced", (await s.WaitForAsync("one", st => st.Revision == commit, "its status", ct)).SyncStatus);

        // Settled: more reconciles of both write nothing to the object, and two starts no sync.
        var version = shared.GetResourceVersion();
        var lastSync = two.Operation?.FinishedAt;
        for (var round = 0; round < 2; round++)
        {
            foreach (var app in new[] { "one", "two" })
            {
                await s.RefreshAsync(app);
                await Eventually.WaitAsync(
                    async c => (await s.AppAsync(app, c)).GetAnnotation(ApplicationNames.RefreshAnnotation) is null,
                    $"{app} to handle refresh {round + 1}",
                    cancellationToken: ct);
            }
        }

        Assert.Equal(version, (await s.ConfigMapAsync("shop", "shared", ct))!.GetResourceVersion());
        two = ApplicationStatus.FromObject(await s.AppAsync("two", ct));
        Assert.Equal(lastSync, two.Operation?.FinishedAt);
        Assert.NotNull(Shared(two));

        // The first Application goes without its finalizer, leaving shared behind: the second adopts it.
        await s.KubectlAsync(["delete", "-n", Scenario.AppNamespace, "app", "one", "--wait=true", "--timeout=30s"]);
        two = await s.WaitForAsync("two", st => st.SyncStatus == "Synced" && Shared(st) is null, "to adopt shared", ct);
        Assert.DoesNotContain(two.Conditions, c => c.Type == ConditionTypes.SharedResourceWarning);
        shared = (await s.ConfigMapAsync("shop", "shared", ct))!;
        Assert.Equal("keelson/two:/ConfigMap:shop/shared", shared.GetAnnotation("keelson.dev/tracking-id"));
        Assert.Equal("two", shared["data"]?["greeting"]?.GetValue<string>());
    }

    [Fact]
    public async Task Without_self_heal_the_second_application_still_adopts_what_a_deleted_application_left()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var commit = await CommitTwoAppsAsync(s, ct);
        await s.ApplyAppAsync("one", path: "one");
        await s.WaitSyncedAsync("one", commit, ct);
        await s.ApplyAppAsync("two", path: "two");
        var before = await s.WaitForAsync(
            "two", st => st.Operation?.Revision == commit && Shared(st) is not null, "a sync of own and a shared-resource warning", ct);
        Assert.Equal(1, before.Operation!.Counts.Created);

        // Its one sync of this commit left shared alone, so taking it now is no repeat of that sync.
        await s.KubectlAsync(["delete", "-n", Scenario.AppNamespace, "app", "one", "--wait=true", "--timeout=30s"]);

        var two = await s.WaitForAsync("two", st => st.SyncStatus == "Synced" && Shared(st) is null, "to adopt shared", ct);
        Assert.Equal(commit, two.Operation?.Revision);
        Assert.Equal(1, two.Operation?.Counts.Configured);
        Assert.Equal("two", (await s.ConfigMapAsync("shop", "shared", ct))!["data"]?["greeting"]?.GetValue<string>());
    }

    private static Kubernetes.Runtime.Condition? Shared(ApplicationStatus status) =>
        status.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.SharedResourceWarning && c.IsTrue);

    /// <summary>Paths <c>one</c> and <c>two</c> both render ConfigMap <c>shared</c>; <c>two</c> also its own.</summary>
    private static Task<string> CommitTwoAppsAsync(Scenario s, CancellationToken ct) => s.Repo
        .Write("one/shared.yaml", Scenario.ConfigMap("shared", "one"))
        .Write("two/shared.yaml", Scenario.ConfigMap("shared", "two"))
        .Write("two/own.yaml", Scenario.ConfigMap("own", "two"))
        .CommitAsync("Two apps render shared", ct);
}
