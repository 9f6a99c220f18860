using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>ReplicaSets: enough available and ready pods, none left over, no failure to create pods.</summary>
internal static class ReplicaSetHealth
{
    public static HealthResult Assess(JsonObject obj)
    {
        // kstatus keeps this in progress rather than failed: the controller retries (e.g. once quota frees up).
        if (Fields.Condition(obj, "ReplicaFailure") is { IsTrue: true } failure)
        {
            return HealthResult.Progressing($"Cannot create pods: {failure.Describe("replica failure")}");
        }

        var desired = Fields.Int(obj, "spec", "replicas") ?? 1;
        var current = Fields.Int(obj, "status", "replicas") ?? 0;
        var available = Fields.Int(obj, "status", "availableReplicas") ?? 0;
        var ready = Fields.Int(obj, "status", "readyReplicas") ?? 0;

        if (available < desired)
        {
            return HealthResult.Progressing($"Waiting for pods: {available} of {desired} available");
        }

        if (ready < desired)
        {
            return HealthResult.Progressing($"Waiting for pods: {ready} of {desired} ready");
        }

        if (current > desired)
        {
            return HealthResult.Progressing($"Waiting for {current - desired} extra pods to terminate");
        }

        return HealthResult.Healthy();
    }
}
