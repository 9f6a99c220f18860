using Keelson.Engine.Diff;
using Keelson.Engine.Health;
using Keelson.Engine.Source;

namespace Keelson.Engine;

/// <summary>Whether the cluster matches Git.</summary>
public enum SyncStatus
{
    /// <summary>Every rendered object matches the cluster and nothing requires pruning.</summary>
    Synced,

    /// <summary>Some object differs, is missing, failed, or requires pruning.</summary>
    OutOfSync,

    /// <summary>The comparison could not be made (source, render or cluster failure).</summary>
    Unknown,
}

/// <summary>What a sync did to one object.</summary>
public enum ResourceAction
{
    /// <summary>Did not exist; applied.</summary>
    Created,

    /// <summary>Existed and differed (or was adopted, or replaced); applied.</summary>
    Configured,

    /// <summary>Its dry-run equalled the live object (or a remembered verdict said so): not written.</summary>
    Unchanged,

    /// <summary>Stale and deleted.</summary>
    Pruned,

    /// <summary>A stale object that was not deleted because it does not carry this owner's tracking id any more.</summary>
    PruneSkipped,

    /// <summary>The apply or delete failed; see <see cref="ResourceResult.Message"/>.</summary>
    Failed,
}

/// <summary>The stage a failure happened in.</summary>
public enum SyncStage
{
    /// <summary>Resolving the revision or fetching the repository.</summary>
    Source,

    /// <summary>Rendering the manifests, or preparing them (names, namespaces, duplicates).</summary>
    Render,

    /// <summary>Comparing with the cluster (lookups and dry-runs).</summary>
    Diff,

    /// <summary>Applying, running hooks, or pruning.</summary>
    Apply,
}

/// <summary>
/// Why a run failed. Source, Render and Diff failures are comparison errors (nothing was changed); Apply failures are
/// sync errors. The message is for users: it names files and lines for render errors and never holds a secret.
/// </summary>
public sealed record SyncError(SyncStage Stage, string Reason, string Message)
{
    /// <summary>The condition type to report: "ComparisonError" or "SyncError".</summary>
    public string Condition => Stage == SyncStage.Apply ? "SyncError" : "ComparisonError";

    /// <summary>The file at fault, relative to the repository root (render errors).</summary>
    public string? File { get; init; }

    public int? Line { get; init; }

    public int? Column { get; init; }
}

/// <summary>Something the owner should hear of that did not make the run fail.</summary>
public sealed record SyncWarning(string Reason, string Message)
{
    /// <summary>Some rendered objects are another owner's and were not applied (<see cref="ResourceResult.OwnedBy"/>).</summary>
    public const string SharedResource = "SharedResource";
}

/// <summary>One object of the result: rendered, or stale from the previous inventory.</summary>
public sealed record ResourceResult(string Group, string Version, string Kind, string? Namespace, string Name)
{
    /// <summary>Synced when the live object matches (or was just applied, or pruned), else OutOfSync.</summary>
    public SyncStatus Status { get; init; }

    /// <summary>Health of the live object (Missing when it does not exist); null for stale objects and hooks.</summary>
    public HealthResult? Health { get; init; }

    /// <summary>Stale: in the previous inventory, not rendered any more, still in the cluster with this owner's id.</summary>
    public bool RequiresPruning { get; init; }

    /// <summary>A Helm hook (run before or after the other objects, not part of the inventory or the app health).</summary>
    public bool Hook { get; init; }

    /// <summary>What the sync did (null when comparing only).</summary>
    public ResourceAction? Action { get; init; }

    /// <summary>Why it failed, what differs, or what else happened (fields taken over from other managers).</summary>
    public string? Message { get; init; }

    /// <summary>
    /// The other owner whose object this is: it is rendered here too but left to that owner, not applied (its status
    /// stays OutOfSync). Nothing a sync can do changes it, so it is no reason to sync.
    /// </summary>
    public string? OwnedBy { get; init; }

    /// <summary>A result naming <paramref name="resource"/>, with nothing else set.</summary>
    public static ResourceResult For(ResourceRef resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return new ResourceResult(resource.Group, resource.Version, resource.Kind, resource.Namespace, resource.Name);
    }

    public override string ToString() => Namespace is { Length: > 0 } ns ? $"{Kind} {ns}/{Name}" : $"{Kind} {Name}";
}

/// <summary>How many objects each action touched.</summary>
public sealed record SyncCounts(int Created, int Configured, int Unchanged, int Pruned, int Failed)
{
    /// <summary>Objects written or deleted.</summary>
    public int Changed => Created + Configured + Pruned;
}

/// <summary>The outcome of one run, as data. Expected failures are in <see cref="Error"/>, never thrown.</summary>
public sealed record SyncResult
{
    /// <summary>The owner of the request, <c>namespace/name</c>.</summary>
    public required string Owner { get; init; }

    /// <summary>The mode of the request.</summary>
    public required SyncMode Mode { get; init; }

    /// <summary>The commit the revision resolved to (null when the source failed).</summary>
    public CommitInfo? Commit { get; init; }

    /// <summary>The commit SHA, or null when the source failed.</summary>
    public string? Revision => Commit?.Sha;

    /// <summary>"directory", "kustomize" or "helm".</summary>
    public string? Renderer { get; init; }

    /// <summary>Synced, OutOfSync, or Unknown when the comparison could not be made (see <see cref="Error"/>).</summary>
    public required SyncStatus Sync { get; init; }

    /// <summary>The worst health of the resources (hooks skipped); Unknown when nothing could be assessed.</summary>
    public required HealthResult Health { get; init; }

    /// <summary>One entry per rendered object, stale object still present, and hook run; in render order.</summary>
    public IReadOnlyList<ResourceResult> Resources { get; init; } = [];

    /// <summary>
    /// What to store as the owner's inventory: every rendered object, plus stale objects that still exist with this
    /// owner's id (not pruned, or their delete failed) so a later run deals with them. On failure before the apply,
    /// the previous inventory unchanged.
    /// </summary>
    public IReadOnlyList<InventoryEntry> Inventory { get; init; } = [];

    /// <summary>What the run did, counted by action (all zero when comparing only).</summary>
    public SyncCounts Counts { get; init; } = new(0, 0, 0, 0, 0);

    /// <summary>The comparison of every rendered object (hooks apart).</summary>
    public IReadOnlyList<DiffEntry> Diff { get; init; } = [];

    /// <summary>The failure of the run, null when everything worked. Its <see cref="SyncError.Condition"/> names the condition to set.</summary>
    public SyncError? Error { get; init; }

    /// <summary>Warnings of the comparison (objects other owners keep); empty when the comparison was not made.</summary>
    public IReadOnlyList<SyncWarning> Warnings { get; init; } = [];

    /// <summary>How long the run took (for a sync decided with <see cref="SyncRequest.SyncIf"/>, the sync alone).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>
    /// For a sync decided in the same call (<see cref="SyncRequest.SyncIf"/>): the comparison it was decided on,
    /// which is what the cluster looked like before the sync. Null otherwise.
    /// </summary>
    public SyncResult? Comparison { get; init; }
}
