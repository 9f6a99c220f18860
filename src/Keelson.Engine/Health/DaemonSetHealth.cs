using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>DaemonSets: every node that should run a pod runs an updated, available, ready one.</summary>
internal static class DaemonSetHealth
{
    public static HealthResult Assess(JsonObject obj)
    {
        if (Fields.Int(obj, "status", "observedGeneration") is null || Fields.Int(obj, "status", "desiredNumberScheduled") is not { } desired)
        {
            return HealthResult.Progressing("Waiting for the controller to report the DaemonSet's status");
        }

        var scheduled = Fields.Int(obj, "status", "currentNumberScheduled") ?? 0;
        var updated = Fields.Int(obj, "status", "updatedNumberScheduled") ?? 0;
        var available = Fields.Int(obj, "status", "numberAvailable") ?? 0;
        var ready = Fields.Int(obj, "status", "numberReady") ?? 0;

        if (scheduled < desired)
        {
            return HealthResult.Progressing($"Waiting for pods: {scheduled} of {desired} scheduled");
        }

        // As with StatefulSets, OnDelete leaves old pods in place until someone deletes them.
        var onDelete = Fields.Str(obj, "spec", "updateStrategy", "type") == "OnDelete";
        if (!onDelete && updated < desired)
        {
            return HealthResult.Progressing($"Waiting for rollout: {updated} of {desired} pods updated");
        }

        if (available < desired)
        {
            return HealthResult.Progressing($"Waiting for rollout: {available} of {desired} pods are available");
        }

        if (ready < desired)
        {
            return HealthResult.Progressing($"Waiting for rollout: {ready} of {desired} pods are ready");
        }

        return HealthResult.Healthy();
    }
}
