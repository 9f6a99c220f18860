using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>PersistentVolumeClaims are healthy once bound to a volume.</summary>
internal static class PvcHealth
{
    public static HealthResult Assess(JsonObject obj) => Fields.Str(obj, "status", "phase") switch
    {
        "Bound" => HealthResult.Healthy(),
        "Lost" => HealthResult.Degraded("The claim lost its volume"),
        { } phase => HealthResult.Progressing($"Waiting for the claim to be bound (phase {phase})"),
        null => HealthResult.Progressing("Waiting for the claim to be bound"),
    };
}
