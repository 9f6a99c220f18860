using System.Text.Json.Nodes;
using Keelson.Engine.Health;

namespace Keelson.Engine.Tests.Health;

public sealed class AppHealthTests
{
    [Theory]
    [InlineData(HealthStatus.Healthy, new HealthStatus[0])]
    [InlineData(HealthStatus.Healthy, new[] { HealthStatus.Healthy, HealthStatus.Healthy })]
    [InlineData(HealthStatus.Suspended, new[] { HealthStatus.Healthy, HealthStatus.Suspended })]
    [InlineData(HealthStatus.Progressing, new[] { HealthStatus.Suspended, HealthStatus.Progressing, HealthStatus.Healthy })]
    [InlineData(HealthStatus.Unknown, new[] { HealthStatus.Progressing, HealthStatus.Unknown })]
    [InlineData(HealthStatus.Missing, new[] { HealthStatus.Unknown, HealthStatus.Missing, HealthStatus.Progressing })]
    [InlineData(HealthStatus.Degraded, new[] { HealthStatus.Missing, HealthStatus.Degraded, HealthStatus.Healthy })]
    public void Worst_follows_the_documented_ranking(HealthStatus expected, HealthStatus[] statuses) =>
        Assert.Equal(expected, HealthAssessor.Worst(statuses));

    [Fact]
    public void App_health_names_the_first_resource_with_the_worst_status()
    {
        var result = HealthAssessor.Aggregate(
        [
            new("ConfigMap", "shop", "settings", new HealthResult(HealthStatus.Healthy, null)),
            new("Deployment", "shop", "web", new HealthResult(HealthStatus.Progressing, "Waiting for rollout: 1 of 3 updated replicas are available")),
            new("Deployment", "shop", "api", new HealthResult(HealthStatus.Degraded, "Progress deadline exceeded: ReplicaSet \"api-1\" has timed out progressing.")),
            new("StatefulSet", "shop", "db", new HealthResult(HealthStatus.Degraded, "Waiting for pods: 0 of 1 ready")),
        ]);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal("Deployment shop/api: Progress deadline exceeded: ReplicaSet \"api-1\" has timed out progressing. (and 1 more Degraded)", result.Message);
    }

    [Fact]
    public void App_health_skips_hooks()
    {
        var result = HealthAssessor.Aggregate(
        [
            new("Deployment", "shop", "web", new HealthResult(HealthStatus.Healthy, null)),
            new("Job", "shop", "smoke-test", new HealthResult(HealthStatus.Degraded, "Job failed: BackoffLimitExceeded"), IsHook: true),
        ]);

        Assert.Equal(new HealthResult(HealthStatus.Healthy, null), result);
    }

    [Fact]
    public void Cluster_scoped_resources_are_named_without_a_namespace()
    {
        var result = HealthAssessor.Aggregate([new("CustomResourceDefinition", null, "widgets.example.com", new HealthResult(HealthStatus.Missing, null))]);

        Assert.Equal(new HealthResult(HealthStatus.Missing, "CustomResourceDefinition widgets.example.com is Missing"), result);
    }

    [Fact]
    public void An_object_that_does_not_exist_is_missing()
    {
        var result = new HealthAssessor(TimeProvider.System).Assess(null);

        Assert.Equal(HealthStatus.Missing, result.Status);
    }

    [Theory]
    [InlineData("helm.sh/hook", true)]
    [InlineData("argocd.argoproj.io/hook", true)]
    [InlineData("keelson.dev/hook", true)]
    [InlineData("helm.sh/resource-policy", false)]
    public void Hooks_are_recognised_by_their_annotation(string annotation, bool hook)
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new JsonObject { ["name"] = "migrate", ["annotations"] = new JsonObject { [annotation] = "pre-install" } },
        };

        Assert.Equal(hook, HealthAssessor.IsHook(obj));
    }
}
