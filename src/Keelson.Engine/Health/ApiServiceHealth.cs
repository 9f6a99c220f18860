using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>
/// APIServices are healthy when Available. Unavailable stays in progress (as in Argo CD): the backing service is often
/// a Deployment of the same application that is still starting.
/// </summary>
internal static class ApiServiceHealth
{
    public static HealthResult Assess(JsonObject obj) => Fields.Condition(obj, "Available") switch
    {
        { IsTrue: true } => HealthResult.Healthy(),
        { } available => HealthResult.Progressing($"API service not available: {available.Describe("unavailable")}"),
        null => HealthResult.Progressing("Waiting for the API service to become available"),
    };
}
