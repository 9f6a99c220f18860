using Keelson.Kubernetes;
using Keelson.Kubernetes.Runtime;

namespace Keelson.Operator.Tests.Scenarios;

public sealed class FailureTests
{
    [Fact]
    public async Task Invalid_yaml_sets_a_comparison_error_keeps_what_runs_and_a_fix_recovers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var good = await s.Repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "hello")).CommitAsync("Add settings", ct);
        await s.ApplyAppAsync("shop", prune: true);
        await s.WaitSyncedAsync("shop", good, ct);

        await s.Repo.Write("app/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings\ndata: [\n").CommitAsync("Break it", ct);
        await s.RefreshAsync("shop");
        var status = await s.WaitForAsync("shop", st => st.Conditions.Any(c => c.Type == "ComparisonError" && c.IsTrue), "a ComparisonError", ct);
        var error = status.Conditions.Single(c => c.Type == "ComparisonError");
        Assert.Contains("settings.yaml", error.Message, StringComparison.Ordinal);
        Assert.Contains(status.Conditions, c => c.Type == Conditions.Ready && c.Status == "False");
        Assert.Equal("hello", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());
        // `kubectl get events` says so too.
        var events = await Keelson.Testing.Eventually.WaitAsync(
            _ => s.KubectlAsync(["get", "events", "-n", Scenario.AppNamespace, "--field-selector", "type=Warning", "-o", "custom-columns=REASON:.reason,MESSAGE:.message"]),
            text => text.Contains("ComparisonError", StringComparison.Ordinal),
            "a Warning event", cancellationToken: ct);
        Assert.Contains("settings.yaml", events, StringComparison.Ordinal);

        var fixedCommit = await s.Repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "fixed")).CommitAsync("Fix it", ct);
        await s.RefreshAsync("shop");
        status = await s.WaitSyncedAsync("shop", fixedCommit, ct);
        Assert.DoesNotContain(status.Conditions, c => c.Type == "ComparisonError");
        Assert.Equal("fixed", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());
    }

    [Fact]
    public async Task An_unreachable_repository_sets_a_condition_and_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var good = await s.Repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "hello")).CommitAsync("Add settings", ct);
        await s.ApplyAppAsync("shop", prune: true);
        await s.WaitSyncedAsync("shop", good, ct);

        // The repository goes away (the Git server is down); a refresh makes Keelson look.
        var away = s.Repo.Path + ".away";
        Directory.Move(s.Repo.Path, away);
        await s.RefreshAsync("shop");
        var status = await s.WaitForAsync("shop", st => st.Conditions.Any(c => c.Type == "ComparisonError" && c.IsTrue), "a ComparisonError", ct);
        Assert.Equal(good, status.Revision);
        Assert.NotNull(await s.ConfigMapAsync("shop", "settings", ct));
        Assert.Contains(status.Inventory, i => i.Id.Contains("settings", StringComparison.Ordinal));
        // What Keelson last saw stays on show: the object list and the health are not wiped by the outage.
        Assert.Contains(status.Resources, r => r.Name == "settings");
        Assert.Equal("Healthy", status.HealthStatus);

        // Another repository URL on a port nothing listens on: the same, and the objects stay.
        await s.KubectlAsync(["patch", "-n", Scenario.AppNamespace, "app", "shop", "--type=merge", "-p", """{"spec":{"source":{"repoURL":"git://127.0.0.1:1/config"}}}"""]);
        status = await s.WaitForAsync(
            "shop", st => st.ObservedGeneration == 2 && st.Conditions.Any(c => c.Type == "ComparisonError" && c.IsTrue && c.Message.Contains("127.0.0.1:1", StringComparison.Ordinal)),
            "a ComparisonError for the new URL", ct);
        Assert.NotNull(await s.ConfigMapAsync("shop", "settings", ct));
        Assert.Contains(status.Inventory, i => i.Id.Contains("settings", StringComparison.Ordinal));

        // The repository back and the spec restored: in sync again without having changed anything.
        Directory.Move(away, s.Repo.Path);
        await s.KubectlAsync(["patch", "-n", Scenario.AppNamespace, "app", "shop", "--type=merge", "-p", "{\"spec\":{\"source\":{\"repoURL\":\"" + s.Repo.FileUrl + "\"}}}"]);
        status = await s.WaitForAsync("shop", st => st.ObservedGeneration == 3 && st.SyncStatus == "Synced" && !st.Conditions.Any(c => c.Type == "ComparisonError"), "recovery", ct);
        Assert.Equal(good, status.Revision);
    }

    [Fact]
    public async Task A_sync_asked_for_while_the_repository_is_unreachable_runs_once_it_is_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var first = await s.Repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "hello")).CommitAsync("Add settings", ct);
        await s.ApplyAppAsync("shop", automated: false);
        await s.KubectlAsync(["annotate", "-n", Scenario.AppNamespace, "app", "shop", "keelson.dev/sync=1"]);
        await s.WaitSyncedAsync("shop", first, ct);

        var second = await s.Repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "bonjour")).CommitAsync("Say bonjour", ct);
        var away = s.Repo.Path + ".away";
        Directory.Move(s.Repo.Path, away);
        await s.KubectlAsync(["annotate", "-n", Scenario.AppNamespace, "app", "shop", "keelson.dev/sync=2"]);
        await s.WaitForAsync("shop", st => st.Conditions.Any(c => c.Type == "ComparisonError" && c.IsTrue), "a ComparisonError", ct);

        // Not run, so not forgotten: the request stays until the source is back.
        Assert.Equal("2", (await s.AppAsync("shop", ct)).GetAnnotation("keelson.dev/sync"));
        Directory.Move(away, s.Repo.Path);
        var synced = await s.WaitForAsync("shop", st => st.Operation is { Phase: "Succeeded" } op && op.Revision == second, "the requested sync", ct);
        Assert.Equal("Manual", synced.Operation!.Trigger);
        Assert.Equal("bonjour", (await s.ConfigMapAsync("shop", "settings", ct))?["data"]?["greeting"]?.GetValue<string>());
        await Keelson.Testing.Eventually.WaitAsync(
            async c => (await s.AppAsync("shop", c)).GetAnnotation("keelson.dev/sync") is null, "the handled request to be removed", cancellationToken: ct);
    }

    [Theory]
    [InlineData("    repoURL: {repo}\n", "", "repoURL")]
    [InlineData("[CreateNamespace=true]", "[PruneLast=true]", "syncOptions")]
    [InlineData("[CreateNamespace=true]", "[CreateNamespace=yes]", "syncOptions")]
    [InlineData("factor: 2", "factor: 5000", "factor")]
    public async Task An_invalid_spec_is_rejected_by_the_crd_schema(string from, string to, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var valid = Scenario.AppYaml("broken", s.Repo.FileUrl);
        var yaml = valid.Replace(from.Replace("{repo}", s.Repo.FileUrl, StringComparison.Ordinal), to, StringComparison.Ordinal);
        Assert.NotEqual(valid, yaml);

        var (code, _, stderr) = await s.TryKubectlAsync(["apply", "-f", "-"], yaml);
        Assert.NotEqual(0, code);
        Assert.Contains(field, stderr, StringComparison.Ordinal);
        Assert.Contains("invalid", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Null(await s.Client.TryGetAsync(Keelson.Operator.Applications.ApplicationNames.Resource, Scenario.AppNamespace, "broken", ct));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_change_to_an_immutable_field_fails_and_says_so_unless_replace_is_on(bool replace)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        var first = await s.Repo.Write("app/web.yaml", Web("web")).CommitAsync("Add web", ct);
        var yaml = Scenario.AppYaml("shop", s.Repo.FileUrl);
        await s.KubectlAsync(["apply", "-f", "-"], replace ? yaml.Replace("[CreateNamespace=true]", "[CreateNamespace=true, Replace=true]", StringComparison.Ordinal) : yaml);
        await s.WaitSyncedAsync("shop", first, ct);
        var uid = (await s.Client.GetAsync(ApiResource.Deployments, "shop", "web", ct)).GetUid();

        // A Deployment's selector cannot change in place: the API server refuses the apply.
        var second = await s.Repo.Write("app/web.yaml", Web("web-v2")).CommitAsync("Relabel web", ct);
        await s.RefreshAsync("shop");
        if (replace)
        {
            var status = await s.WaitSyncedAsync("shop", second, ct);
            var web = await s.Client.GetAsync(ApiResource.Deployments, "shop", "web", ct);
            Assert.NotEqual(uid, web.GetUid());
            Assert.Equal("web-v2", web["spec"]?["selector"]?["matchLabels"]?["app"]?.GetValue<string>());
            Assert.Contains(status.Operation!.Resources, r => r.Name == "web" && r.Message?.Contains("replaced", StringComparison.Ordinal) == true);
        }
        else
        {
            var status = await s.WaitForAsync(
                "shop", st => st.Operation is { Phase: "Failed" } op && op.Revision == second, "the sync to fail", ct);
            var error = Assert.Single(status.Conditions, c => c.Type == "SyncError" && c.IsTrue);
            Assert.Contains("immutable", error.Message, StringComparison.Ordinal);
            Assert.Contains("Replace=true", error.Message, StringComparison.Ordinal);
            Assert.Equal(uid, (await s.Client.GetAsync(ApiResource.Deployments, "shop", "web", ct)).GetUid());
        }
    }

    private static string Web(string label) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 1
          selector: {matchLabels: {app: {{{label}}}}}
          template:
            metadata: {labels: {app: {{{label}}}}}
            spec:
              containers:
              - {name: web, image: nginx:1.27}
        """;
}
