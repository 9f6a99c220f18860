using System.Globalization;
using System.Text.Json.Nodes;
using Keelson.Kubernetes;

namespace Keelson.Engine.Apply;

/// <summary>When a hook runs relative to the other objects of a sync.</summary>
internal enum HookPhase
{
    /// <summary>pre-install / pre-upgrade (Argo CD's PreSync): before the other objects are applied.</summary>
    Before,

    /// <summary>post-install / post-upgrade (Argo CD's PostSync): after they are applied, pruned and healthy.</summary>
    After,
}

/// <summary>
/// A hook's phases (none for test, delete and rollback hooks, which a sync never applies), its weight (lower first)
/// and its delete policies.
/// </summary>
internal sealed record HookInfo(IReadOnlyList<HookPhase> Phases, int Weight, IReadOnlyList<string> DeletePolicies)
{
    public const string BeforeHookCreation = "before-hook-creation";
    public const string HookSucceeded = "hook-succeeded";
    public const string HookFailed = "hook-failed";

    /// <summary>A hook a sync never runs (test, delete, rollback).</summary>
    public bool Skipped => Phases.Count == 0;

    public bool RunsIn(HookPhase phase) => Phases.Contains(phase);

    public bool Has(string policy) => DeletePolicies.Contains(policy, StringComparer.Ordinal);
}

/// <summary>
/// Reads Helm hook annotations from rendered objects. This is the seam with the Helm renderer: it leaves
/// <c>helm.sh/hook</c>, <c>helm.sh/hook-weight</c> and <c>helm.sh/hook-delete-policy</c> on the hook objects it
/// renders. Plain manifests carrying the annotations (a committed <c>helm template</c> output) are hooks too, as in
/// Argo CD.
/// </summary>
internal static class Hooks
{
    public const string HookAnnotation = "helm.sh/hook";
    public const string WeightAnnotation = "helm.sh/hook-weight";
    public const string DeletePolicyAnnotation = "helm.sh/hook-delete-policy";

    /// <summary>The hook described by the object's annotations; null when it is not a hook.</summary>
    public static HookInfo? Classify(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.GetAnnotation(HookAnnotation) is not { } annotation)
        {
            return null;
        }

        // Helm reads the events case-insensitively.
        var events = Split(annotation);

        // Helm 2's crd-install: Argo CD applies such an object as an ordinary one (Helm 3 drops it when rendering).
        if (events.Count > 0 && events.All(e => e == "crd-install"))
        {
            return null;
        }

        // A hook with both a pre- and a post- event runs in both phases, as Helm runs it at both events and Argo CD
        // runs a PreSync,PostSync hook twice.
        var phases = new List<HookPhase>(2);
        if (events.Any(e => e is "pre-install" or "pre-upgrade"))
        {
            phases.Add(HookPhase.Before);
        }

        if (events.Any(e => e is "post-install" or "post-upgrade"))
        {
            phases.Add(HookPhase.After);
        }

        // Helm ignores a weight it cannot parse (it becomes 0).
        var weight = int.TryParse(obj.GetAnnotation(WeightAnnotation)?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var w) ? w : 0;

        // Without a policy Helm 3 (and Argo CD for Helm hooks) deletes the previous hook object before creating it again.
        var policies = obj.GetAnnotation(DeletePolicyAnnotation) is { } p && Split(p) is { Count: > 0 } listed ? listed : [HookInfo.BeforeHookCreation];
        return new HookInfo(phases, weight, policies);
    }

    private static List<string> Split(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(e => e.ToLowerInvariant())];
}
