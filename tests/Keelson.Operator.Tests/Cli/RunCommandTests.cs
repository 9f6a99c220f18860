using Keelson.Operator.Applications;
using Keelson.Testing;
using Keelson.Operator.Cli;

namespace Keelson.Operator.Tests.Cli;

public sealed class RunCommandTests
{
    [Theory]
    [InlineData("--repo-cache-size", "big", "--repo-cache-size: 'big' is not a size")]
    [InlineData("--repo-cache-size", "0", "--repo-cache-size: '0' is not a size")]
    [InlineData("--repo-cache-size", "-2Gi", "--repo-cache-size: '-2Gi' is not a size")]
    [InlineData("--reconcile-interval", "often", "--reconcile-interval: 'often' is not a duration")]
    [InlineData("--shutdown-grace", "soon", "--shutdown-grace: 'soon' is not a duration")]
    [InlineData("--shutdown-grace", "0s", "--shutdown-grace: '0s' is not a duration")]
    public async Task A_bad_duration_or_size_is_refused_with_the_flag_named_before_anything_starts(string flag, string value, string message)
    {
        using var output = new StringWriter();
        var code = await KeelsonCli.RunAsync(["run", "--kubeconfig", "/nonexistent/kubeconfig", flag, value], output, output, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains(message, output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_deployment_passes_only_flags_run_accepts()
    {
        // The args of deploy/deployment.yaml, with a kubeconfig that cannot load: parsing passes, loading fails.
        var deployment = Keelson.Kubernetes.Yaml.KubeYaml.ParseDocuments(await File.ReadAllTextAsync(RepoPaths.InRepo("deploy", "deployment.yaml"), TestContext.Current.CancellationToken))
            .OfType<System.Text.Json.Nodes.JsonObject>()
            .Single(d => d["kind"]?.GetValue<string>() == "Deployment");
        var args = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal("run", args[0]);
        Assert.Contains("--namespace=keelson", args);

        using var output = new StringWriter();
        var code = await KeelsonCli.RunAsync([.. args, "--kubeconfig", "/nonexistent/kubeconfig"], output, output, TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.Contains("cannot load the cluster configuration", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_reconciles_applications_of_its_namespace_with_the_kustomize_it_is_given()
    {
        var ct = TestContext.Current.CancellationToken;
        Tools.Require("kubectl", "install kubectl 1.32 (https://kubernetes.io/docs/tasks/tools/)");
        using var dir = new Keelson.Testing.Git.TempDirectory("keelson-run");
        await using var cluster = await Keelson.Operator.Local.LocalCluster.StartAsync(dir.Combine("kubeconfig"), cancellationToken: ct);
        var repo = await Keelson.Testing.Git.GitRepo.CreateAsync(dir.Path, "config", cancellationToken: ct);
        await repo.Write("plain/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {greeting: hello}\n")
            .Write("kustomized/kustomization.yaml", "resources: [settings.yaml]\n")
            .Write("kustomized/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n")
            .CommitAsync("Two apps", ct);
        var client = new Keelson.Kubernetes.KubeClient(cluster.Config);
        foreach (var (name, path) in new[] { ("plain", "plain"), ("kustomized", "kustomized") })
        {
            await client.ApplyAsync(ApplicationNames.Resource, App(name, repo.FileUrl, path), new Keelson.Kubernetes.ApplyOptions { FieldManager = "test" }, ct);
        }

        var elsewhere = App("elsewhere", repo.FileUrl, "plain");
        elsewhere["metadata"]!["namespace"] = "default";
        await client.ApplyAsync(ApplicationNames.Resource, elsewhere, new Keelson.Kubernetes.ApplyOptions { FieldManager = "test" }, ct);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var output = TextWriter.Synchronized(new StringWriter());
        var run = KeelsonCli.RunAsync(
            ["run", "--kubeconfig", cluster.KubeconfigPath, "--namespace", "keelson", "--leader-elect=false", "--metrics-address", "127.0.0.1:0",
             "--allow-file-urls", "--cache-dir", dir.Combine("cache"), "--kustomize", "/nonexistent/kustomize"],
            output, output, stop.Token);
        try
        {
            // The plain app syncs; the kustomized one fails naming the binary it was told to use.
            await Eventually.WaitAsync(
                async c => (await client.TryGetAsync(Keelson.Kubernetes.ApiResource.ConfigMaps, "shop", "settings", c)) is not null, "the plain app to be applied", cancellationToken: ct);
            await Eventually.WaitAsync(
                async c => ApplicationStatus.FromObject(await client.GetAsync(ApplicationNames.Resource, "keelson", "kustomized", c))
                    .Conditions.Any(x => x.Type == "ComparisonError" && x.Message.Contains("/nonexistent/kustomize", StringComparison.Ordinal)),
                "the kustomized app to name the missing binary", cancellationToken: ct);
            Assert.False(run.IsCompleted);

            // An Application outside --namespace is not acted on.
            Assert.Null((await client.GetAsync(ApplicationNames.Resource, "default", "elsewhere", ct))["status"]);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None));
        }
    }

    private static System.Text.Json.Nodes.JsonObject App(string name, string repoUrl, string path) => new()
    {
        ["apiVersion"] = $"{ApplicationNames.Group}/{ApplicationNames.Version}",
        ["kind"] = ApplicationNames.Kind,
        ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name, ["namespace"] = "keelson" },
        ["spec"] = new System.Text.Json.Nodes.JsonObject
        {
            ["source"] = new System.Text.Json.Nodes.JsonObject { ["repoURL"] = repoUrl, ["path"] = path },
            ["destination"] = new System.Text.Json.Nodes.JsonObject { ["namespace"] = "shop" },
            ["syncPolicy"] = new System.Text.Json.Nodes.JsonObject
            {
                ["automated"] = new System.Text.Json.Nodes.JsonObject(),
                ["syncOptions"] = new System.Text.Json.Nodes.JsonArray("CreateNamespace=true"),
            },
        },
    };
}
