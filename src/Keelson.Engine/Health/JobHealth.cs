using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>Jobs, with Flux's stricter rule: only a completed Job is healthy; a running one is still in progress.</summary>
internal static class JobHealth
{
    public static HealthResult Assess(JsonObject obj)
    {
        // FailureTarget is the controller's decision to fail, set before it terminates the pods and adds Failed.
        foreach (var type in new[] { "Failed", "FailureTarget" })
        {
            if (Fields.Condition(obj, type) is { IsTrue: true } failed)
            {
                return HealthResult.Degraded($"Job failed: {failed.Describe("failed")}");
            }
        }

        if (Fields.Condition(obj, "Complete") is { IsTrue: true })
        {
            return HealthResult.Healthy("Job completed");
        }

        if (Fields.Bool(obj, "spec", "suspend") || Fields.Condition(obj, "Suspended") is { IsTrue: true })
        {
            return HealthResult.Suspended("Job is suspended");
        }

        var active = Fields.Int(obj, "status", "active") ?? 0;
        var succeeded = Fields.Int(obj, "status", "succeeded") ?? 0;
        var completions = Fields.Int(obj, "spec", "completions");
        var of = completions is { } c ? $" of {c}" : "";
        return HealthResult.Progressing($"Job is running: {active} active, {succeeded}{of} succeeded");
    }
}
