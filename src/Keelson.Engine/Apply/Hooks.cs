using System.Globalization;
using System.Text.Json.Nodes;
using Keelson.Kubernetes;

namespace Keelson.Engine.Apply;

/// <summary>When a hook runs relative to the other objects of a sync.</summary>
internal enum HookPhase
{
    /// <summary>pre-install / pre-upgrade: before the other objects are applied.</summary>
    Before,

    /// <summary>post-install / post-upgrade: after they are applied.</summary>
    After,

    /// <summary>test, delete and rollback hooks: a sync never applies them.</summary>
    Skip,
}

/// <summary>A hook's phase, its weight (lower first) and its delete policies.</summary>
internal sealed record HookInfo(HookPhase Phase, int Weight, IReadOnlyList<string> DeletePolicies)
{
    public const string BeforeHookCreation = "before-hook-creation";
    public const string HookSucceeded = "hook-succeeded";
    public const string HookFailed = "hook-failed";

    public bool Has(string policy) => DeletePolicies.Contains(policy, StringComparer.Ordinal);
}

/// <summary>
/// Reads Helm hook annotations from rendered objects. This is the seam with the Helm renderer: it leaves
/// <c>helm.sh/hook</c>, <c>helm.sh/hook-weight</c> and <c>helm.sh/hook-delete-policy</c> on the hook objects it
/// renders, and the phases follow the same rule as its <c>HelmHook.Phase</c> (a hook with both a pre- and a post-
/// event runs before).
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
        if (obj.GetAnnotation(HookAnnotation) is not { } events)
        {
            return null;
        }

        var list = Split(events);
        var phase = list.Any(e => e is "pre-install" or "pre-upgrade") ? HookPhase.Before
            : list.Any(e => e is "post-install" or "post-upgrade") ? HookPhase.After
            : HookPhase.Skip;

        // Helm ignores a weight it cannot parse (it becomes 0).
        var weight = int.TryParse(obj.GetAnnotation(WeightAnnotation)?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var w) ? w : 0;

        // Without a policy Helm 3 deletes the previous hook object before creating it again.
        var policies = obj.GetAnnotation(DeletePolicyAnnotation) is { } p ? Split(p) : [HookInfo.BeforeHookCreation];
        return new HookInfo(phase, weight, policies);
    }

    private static List<string> Split(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
