using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>HorizontalPodAutoscalers, from their AbleToScale and ScalingActive conditions.</summary>
internal static class HpaHealth
{
    public static HealthResult Assess(JsonObject obj)
    {
        var conditions = Fields.Conditions(obj).ToList();
        if (conditions.Count == 0)
        {
            return HealthResult.Progressing("Waiting for the autoscaler to report its status");
        }

        if (conditions.FirstOrDefault(c => c.Type == "AbleToScale") is { IsFalse: true } unable)
        {
            return HealthResult.Degraded($"Cannot scale: {unable.Describe("not able to scale")}");
        }

        if (conditions.FirstOrDefault(c => c.Type == "ScalingActive") is { IsFalse: true } inactive)
        {
            // The autoscaler switches itself off when its target is scaled to zero: a deliberate pause, not a fault.
            return inactive.Reason == "ScalingDisabled"
                ? HealthResult.Suspended($"Autoscaling is disabled: {inactive.Message ?? "the target has zero replicas"}")
                : HealthResult.Degraded($"Autoscaling is not active: {inactive.Describe("scaling inactive")}");
        }

        return HealthResult.Healthy();
    }
}
