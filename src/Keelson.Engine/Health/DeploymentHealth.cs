using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>Deployments: all replicas updated, ready and available (the counts kubectl rollout status waits for).</summary>
internal static class DeploymentHealth
{
    public static HealthResult Assess(JsonObject obj)
    {
        if (Fields.Bool(obj, "spec", "paused"))
        {
            return HealthResult.Suspended("Deployment is paused");
        }

        var progressing = Fields.Condition(obj, "Progressing");
        if (progressing is { Reason: "ProgressDeadlineExceeded" })
        {
            return HealthResult.Degraded($"Progress deadline exceeded: {progressing.Message ?? "the rollout made no progress"}");
        }

        var desired = Fields.Int(obj, "spec", "replicas") ?? 1;
        var current = Fields.Int(obj, "status", "replicas") ?? 0;
        var updated = Fields.Int(obj, "status", "updatedReplicas") ?? 0;
        var ready = Fields.Int(obj, "status", "readyReplicas") ?? 0;
        var available = Fields.Int(obj, "status", "availableReplicas") ?? 0;

        if (updated < desired)
        {
            return HealthResult.Progressing($"Waiting for rollout: {updated} of {desired} new replicas have been updated");
        }

        if (current > updated)
        {
            return HealthResult.Progressing($"Waiting for rollout: {current - updated} old replicas are pending termination");
        }

        if (available < updated)
        {
            return HealthResult.Progressing($"Waiting for rollout: {available} of {updated} updated replicas are available");
        }

        if (ready < desired)
        {
            return HealthResult.Progressing($"Waiting for rollout: {ready} of {desired} replicas are ready");
        }

        // The counts can briefly agree before the controller re-evaluates availability (e.g. minReadySeconds).
        if (Fields.Condition(obj, "Available") is { IsTrue: false } notAvailable)
        {
            return HealthResult.Progressing(notAvailable.Describe("Deployment does not have minimum availability"));
        }

        return HealthResult.Healthy();
    }
}
