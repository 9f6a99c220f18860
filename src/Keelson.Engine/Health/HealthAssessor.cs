using System.Text.Json.Nodes;

namespace Keelson.Engine.Health;

/// <summary>
/// Assesses the health of live objects with kstatus' rules (Flux's stricter rule for Jobs), reported in Argo CD's
/// words. Pure: the only outside input is the clock, used for rules that depend on how long a state has lasted.
/// </summary>
public sealed class HealthAssessor(TimeProvider time)
{
    // Worst first. Unknown ranks above Progressing, as in kstatus' aggregate (any Unknown makes the whole Unknown unless
    // something failed): a resource we cannot read must not hide behind one that is merely rolling out. Missing ranks
    // above Unknown because an object that should exist and does not is a definite problem, as in Argo CD.
    private static readonly HealthStatus[] Ranking =
    [
        HealthStatus.Degraded,
        HealthStatus.Missing,
        HealthStatus.Unknown,
        HealthStatus.Progressing,
        HealthStatus.Suspended,
        HealthStatus.Healthy,
    ];

    /// <summary>Assesses one live object; null (the object does not exist) is Missing.</summary>
    public HealthResult Assess(JsonObject? live)
    {
        if (live is null)
        {
            return new HealthResult(HealthStatus.Missing, "Resource does not exist");
        }

        try
        {
            return Generic.Assess(live) ?? AssessKind(live);
        }
        catch (UnreadableStatusException ex)
        {
            return new HealthResult(HealthStatus.Unknown, ex.Message);
        }
    }

    /// <summary>The worst of the statuses (Healthy when there are none).</summary>
    public static HealthStatus Worst(IEnumerable<HealthStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        var worst = HealthStatus.Healthy;
        foreach (var status in statuses)
        {
            if (Rank(status) < Rank(worst))
            {
                worst = status;
            }
        }

        return worst;
    }

    /// <summary>
    /// The application's health: the worst of its resources, hooks skipped. The message names the first resource (in
    /// the given order) with that status, so a user sees where to look.
    /// </summary>
    public static HealthResult Aggregate(IEnumerable<ResourceHealth> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var counted = resources.Where(r => !r.IsHook).ToList();
        var worst = Worst(counted.Select(r => r.Health.Status));
        if (worst == HealthStatus.Healthy)
        {
            return HealthResult.Healthy();
        }

        var culprits = counted.Where(r => r.Health.Status == worst).ToList();
        var first = culprits[0];
        var name = first.Namespace is { Length: > 0 } ns ? $"{first.Kind} {ns}/{first.Name}" : $"{first.Kind} {first.Name}";
        var message = first.Health.Message is { Length: > 0 } m ? $"{name}: {m}" : $"{name} is {worst}";
        if (culprits.Count > 1)
        {
            message += $" (and {culprits.Count - 1} more {worst})";
        }

        return new HealthResult(worst, message);
    }

    /// <summary>True for Helm, Argo CD and Keelson hooks, which app health skips.</summary>
    public static bool IsHook(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Fields.At(obj, "metadata", "annotations") is JsonObject annotations
            && (annotations.ContainsKey("helm.sh/hook")
                || annotations.ContainsKey("argocd.argoproj.io/hook")
                || annotations.ContainsKey("keelson.dev/hook"));
    }

    private static int Rank(HealthStatus status) => Array.IndexOf(Ranking, status);

    private HealthResult AssessKind(JsonObject live)
    {
        var (group, kind) = GroupKind(live);
        return (group, kind) switch
        {
            ("apps", "Deployment") => DeploymentHealth.Assess(live),
            ("apps", "StatefulSet") => StatefulSetHealth.Assess(live),
            ("apps", "DaemonSet") => DaemonSetHealth.Assess(live),
            ("apps", "ReplicaSet") => ReplicaSetHealth.Assess(live),
            ("", "Pod") => PodHealth.Assess(live, time.GetUtcNow()),
            ("", "PersistentVolumeClaim") => PvcHealth.Assess(live),
            ("", "Service") => ServiceHealth.Assess(live),
            ("batch", "Job") => JobHealth.Assess(live),
            ("batch", "CronJob") => CronJobHealth.Assess(live),
            ("networking.k8s.io" or "extensions", "Ingress") => IngressHealth.Assess(live),
            ("autoscaling", "HorizontalPodAutoscaler") => HpaHealth.Assess(live),
            ("apiextensions.k8s.io", "CustomResourceDefinition") => CrdHealth.Assess(live),
            ("apiregistration.k8s.io", "APIService") => ApiServiceHealth.Assess(live),
            _ => Generic.AssessReady(live),
        };
    }

    private static (string Group, string Kind) GroupKind(JsonObject obj)
    {
        var apiVersion = Fields.Str(obj, "apiVersion") ?? "";
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return (slash < 0 ? "" : apiVersion[..slash], Fields.Str(obj, "kind") ?? "");
    }
}
