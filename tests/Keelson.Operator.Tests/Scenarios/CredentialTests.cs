using System.Text.Json.Nodes;
using Keelson.Kubernetes;
using Keelson.Testing;
using Keelson.Testing.Git;

namespace Keelson.Operator.Tests.Scenarios;

public sealed class CredentialTests
{
    [Fact]
    public async Task A_private_repository_is_read_with_the_secret_named_by_secret_ref_and_the_password_never_shows()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.StartAsync(ct);
        await using var server = await GitHttpServer.StartAsync(cancellationToken: ct);
        using var repo = await server.CreateRepoAsync("private-config", ct);
        var commit = await repo.Write("app/settings.yaml", Scenario.ConfigMap("settings", "secret-sauce")).CommitAsync("Private settings", ct);
        var yaml = Scenario.AppYaml("private", server.Url(repo, authenticated: true))
            .Replace("    targetRevision: main\n", "    targetRevision: main\n    secretRef: {name: repo-creds}\n", StringComparison.Ordinal);
        await s.KubectlAsync(["apply", "-f", "-"], yaml);

        var status = await s.WaitForAsync("private", st => st.Conditions.Any(c => c.Type == "ComparisonError" && c.IsTrue), "a ComparisonError without the Secret", ct);
        Assert.Contains("repo-creds", status.Message, StringComparison.Ordinal);

        await s.KubectlAsync(["create", "secret", "generic", "repo-creds", "-n", Scenario.AppNamespace, $"--from-literal=username={server.Username}", $"--from-literal=password={server.Password}"]);
        await s.RefreshAsync("private");
        await s.WaitSyncedAsync("private", commit, ct);

        // Reconciles that find nothing new reuse the credentials read a moment ago: no Secret read each time.
        var requests = s.Cluster.Server.Requests;
        var reads = requests.Count("get", "secrets");
        for (var i = 0; i < 3; i++)
        {
            var reconciles = s.ReconcileCount();
            await s.Client.PatchAsync(
                Scenario.ConfigMaps, "shop", "settings", PatchType.Merge, new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["touched"] = $"{i}" } } },
                new PatchOptions { FieldManager = "kubectl-label" }, ct);
            await Eventually.WaitAsync(() => s.ReconcileCount() > reconciles, "a reconcile after the label", cancellationToken: ct);
        }

        Assert.Equal(reads, requests.Count("get", "secrets"));

        // A refresh reads the Secret again (a password just rotated).
        var refreshed = s.ReconcileCount();
        await s.RefreshAsync("private");
        await Eventually.WaitAsync(() => s.ReconcileCount() > refreshed, "the refresh", cancellationToken: ct);
        Assert.Equal(reads + 1, requests.Count("get", "secrets"));

        var everything = await s.KubectlAsync(["get", "applications,events", "-n", Scenario.AppNamespace, "-o", "yaml"]);
        Assert.DoesNotContain(server.Password, everything, StringComparison.Ordinal);
    }
}
