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
}
