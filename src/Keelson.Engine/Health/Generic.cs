using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>
/// kstatus' rules that apply to every kind, checked before the kind's own rules, and the fallback for kinds Keelson
/// has no rules for (a Ready condition, else present means healthy).
/// </summary>
internal static class Generic
{
    // Reasons that, by the conventions of Flux (meta.ProgressingReason, ProgressingWithRetry, DependencyNotReady),
    // Crossplane (Creating, Deleting) and common operators, mean "not ready yet" rather than "failed". Any other reason
    // on Ready=False means failed: a kstatus-conforming controller raises Reconciling while it is still working.
    private static readonly HashSet<string> InProgressReasons = new(StringComparer.Ordinal)
    {
        "Progressing", "ProgressingWithRetry", "Reconciling", "DependencyNotReady", "Pending", "InProgress",
        "Creating", "Deleting", "Updating", "Initializing", "Provisioning", "Waiting",
    };

    /// <summary>The generic verdict, or null when the kind's own rules decide.</summary>
    public static HealthResult? Assess(JsonObject obj)
    {
        if (Fields.Str(obj, "metadata", "deletionTimestamp") is not null)
        {
            return HealthResult.Progressing("Terminating: the resource is being deleted");
        }

        var generation = Fields.Int(obj, "metadata", "generation");
        var observed = Fields.Int(obj, "status", "observedGeneration");
        if (generation is { } g && observed is { } o && g != o)
        {
            return HealthResult.Progressing($"Waiting for the controller to observe generation {g} (observed {o})");
        }

        foreach (var condition in Fields.Conditions(obj))
        {
            if (condition.Type == "Reconciling" && condition.IsTrue)
            {
                return HealthResult.Progressing(condition.Describe("Reconciling"));
            }

            if (condition.Type == "Stalled" && condition.IsTrue)
            {
                return HealthResult.Degraded(condition.Describe("Stalled"));
            }
        }

        return null;
    }

    /// <summary>Kinds without rules of their own: the Ready condition if there is one; otherwise being there is enough.</summary>
    public static HealthResult AssessReady(JsonObject obj)
    {
        var ready = Fields.Condition(obj, "Ready");
        if (ready is null || ready.IsTrue)
        {
            return HealthResult.Healthy();
        }

        if (ready.IsFalse && (ready.Reason is null || !InProgressReasons.Contains(ready.Reason)))
        {
            return HealthResult.Degraded(ready.Describe("Not ready"));
        }

        return HealthResult.Progressing(ready.Describe("Waiting to become ready"));
    }
}
