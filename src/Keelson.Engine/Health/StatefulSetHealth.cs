using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>StatefulSets: replicas ready and on the update revision, respecting OnDelete and partitioned roll-outs.</summary>
internal static class StatefulSetHealth
{
    public static HealthResult Assess(JsonObject obj)
    {
        // With OnDelete the controller never replaces pods itself; waiting for the revision would wait forever.
        if (Fields.Str(obj, "spec", "updateStrategy", "type") == "OnDelete")
        {
            return HealthResult.Healthy("OnDelete update strategy: pods are updated when they are deleted");
        }

        var desired = Fields.Int(obj, "spec", "replicas") ?? 1;
        var created = Fields.Int(obj, "status", "replicas") ?? 0;
        var ready = Fields.Int(obj, "status", "readyReplicas") ?? 0;
        var updated = Fields.Int(obj, "status", "updatedReplicas") ?? 0;
        var currentRevision = Fields.Str(obj, "status", "currentRevision");
        var updateRevision = Fields.Str(obj, "status", "updateRevision");

        if (created < desired)
        {
            return HealthResult.Progressing($"Waiting for pods: {created} of {desired} created");
        }

        if (ready < desired)
        {
            return HealthResult.Progressing($"Waiting for pods: {ready} of {desired} ready");
        }

        var partition = Fields.Int(obj, "spec", "updateStrategy", "rollingUpdate", "partition") ?? 0;
        if (partition > 0)
        {
            // Only ordinals at or above the partition are updated; the rest stay on the old revision by design.
            var expected = Math.Max(0, desired - partition);
            return updated < expected
                ? HealthResult.Progressing($"Waiting for partitioned rollout: {updated} of {expected} pods updated")
                : HealthResult.Healthy($"Partitioned rollout complete: {updated} of {desired} pods updated");
        }

        if (updated < desired)
        {
            return HealthResult.Progressing($"Waiting for rollout: {updated} of {desired} pods updated");
        }

        if (updateRevision is not null && currentRevision != updateRevision)
        {
            return HealthResult.Progressing($"Waiting for rollout to finish: revision {updateRevision} is not yet current");
        }

        return HealthResult.Healthy();
    }
}
