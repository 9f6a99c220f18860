using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>
/// kstatus' rules that apply to every kind, checked before the kind's own rules, and the fallback for kinds Keelson
/// has no rules for (a Ready condition, else present means healthy).
/// </summary>
internal static class Generic
{
    // Words that, in the CamelCase reasons controllers write, name a failure rather than a wait: Flux
    // (ReconciliationFailed, InstallFailed, HealthCheckFailed), Crossplane (ReconcileError), cert-manager (Failed),
    // admission (Denied, Forbidden), quotas (Exceeded). Any other reason on Ready=False (cert-manager's DoesNotExist
    // while issuing, Flux's Progressing or DependencyNotReady) is a wait, so a new object is not reported as broken.
    private static readonly string[] FailureWords =
    [
        "Fail", "Error", "Invalid", "Denied", "Forbidden", "Exceeded", "Conflict", "Rejected", "Timeout", "TimedOut",
        "BackOff", "Unauthorized",
    ];

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

        if (ready.IsFalse && ready.Reason is { } reason && FailureWords.Any(w => reason.Contains(w, StringComparison.Ordinal)))
        {
            return HealthResult.Degraded(ready.Describe("Not ready"));
        }

        return HealthResult.Progressing(ready.Describe("Waiting to become ready"));
    }
}
