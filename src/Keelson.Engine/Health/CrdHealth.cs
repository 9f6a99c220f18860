using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>CustomResourceDefinitions are healthy once Established; conflicting names are a failure.</summary>
internal static class CrdHealth
{
    public static HealthResult Assess(JsonObject obj)
    {
        if (Fields.Condition(obj, "NamesAccepted") is { IsFalse: true } names)
        {
            return HealthResult.Degraded($"Names not accepted: {names.Describe("name conflict")}");
        }

        return Fields.Condition(obj, "Established") is { IsTrue: true }
            ? HealthResult.Healthy()
            : HealthResult.Progressing("Waiting for the CRD to be established");
    }
}
