using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>CronJobs are healthy unless suspended; the Jobs they start carry their own health.</summary>
internal static class CronJobHealth
{
    public static HealthResult Assess(JsonObject obj) =>
        Fields.Bool(obj, "spec", "suspend") ? HealthResult.Suspended("CronJob is suspended") : HealthResult.Healthy();
}
