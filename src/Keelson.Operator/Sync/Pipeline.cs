using System.Text.Json.Nodes;
using Keelson.Engine.Health;
using Keelson.Engine.Render;
using Keelson.Engine.Source;
using Keelson.Operator.Applications;

namespace Keelson.Operator.Sync;

// The operator's view of the engine's composer (Source → Render → Diff → Apply → Health for one owner). The
// reconciler depends only on these types, so swapping the interim pipeline for the engine's composer touches one
// adapter class, not the reconciler.

internal enum PipelineMode
{
    /// <summary>Compute sync and health; write nothing.</summary>
    Compare,

    /// <summary>Compare, then apply what differs and (with Prune) delete what is no longer rendered.</summary>
    Sync,
}

/// <summary>Where a run failed: Source, Render and Diff failures are comparison errors, Apply failures sync errors.</summary>
internal enum PipelinePhase
{
    Source,
    Render,
    Diff,
    Apply,
}

internal sealed record PipelineRequest
{
    /// <summary>The owner, <c>namespace/name</c> of the Application; the tracking id and the inventory belong to it.</summary>
    public required string Owner { get; init; }

    public required SourceRequest Source { get; init; }

    /// <summary>App directory in the repository ("" for the root).</summary>
    public string Path { get; init; } = "";

    public DirectoryOptions Directory { get; init; } = new();

    public JsonObject? Helm { get; init; }

    /// <summary>Set on namespaced objects without a namespace.</summary>
    public string? DestinationNamespace { get; init; }

    public bool CreateNamespace { get; init; }

    public bool Prune { get; init; }

    public bool AllowEmpty { get; init; }

    public PipelineMode Mode { get; init; }

    /// <summary>What the owner applied before (from its status), the base of pruning.</summary>
    public IReadOnlyList<InventoryItem> Inventory { get; init; } = [];
}

internal sealed record PipelineError(PipelinePhase Phase, string Reason, string Message)
{
    public bool IsComparisonError => Phase != PipelinePhase.Apply;
}

/// <summary>One object of the owner: desired, or live and due for pruning.</summary>
internal sealed record PipelineResource
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Kind { get; init; }

    public string? Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>Synced or OutOfSync.</summary>
    public required string SyncStatus { get; init; }

    public bool RequiresPruning { get; init; }

    /// <summary>Null for objects due for pruning (their health does not count).</summary>
    public HealthResult? Health { get; init; }

    /// <summary>Sync mode only: Created, Configured, Unchanged, Pruned, PruneSkipped or Failed.</summary>
    public string? Action { get; init; }

    public string? Message { get; init; }

    public string Describe() => Namespace is { Length: > 0 } ns ? $"{Kind} {ns}/{Name}" : $"{Kind} {Name}";
}

internal sealed record PipelineResult
{
    /// <summary>The commit compared or synced; null when the source failed.</summary>
    public CommitInfo? Commit { get; init; }

    /// <summary>Directory, Kustomize or Helm; null when the render did not happen.</summary>
    public string? SourceType { get; init; }

    public IReadOnlyList<PipelineResource> Resources { get; init; } = [];

    /// <summary>Number of objects rendered.</summary>
    public int DesiredCount { get; init; }

    public string SyncStatus { get; init; } = SyncCodes.Unknown;

    public HealthResult Health { get; init; } = new(HealthStatus.Unknown, null);

    /// <summary>The owner's inventory after this run; on a failure before anything was applied, the one given.</summary>
    public IReadOnlyList<InventoryItem> Inventory { get; init; } = [];

    public SyncCounts Counts { get; init; } = new();

    public PipelineError? Error { get; init; }
}

/// <summary>Progress of deleting an owner's objects (the resources finalizer).</summary>
internal sealed record DeletionProgress(int Remaining, IReadOnlyList<string> Failures);

internal interface IApplicationPipeline : IAsyncDisposable
{
    Task<PipelineResult> RunAsync(PipelineRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes (foreground) every object of <paramref name="inventory"/> still carrying the owner's tracking id and
    /// reports how many are still there.
    /// </summary>
    Task<DeletionProgress> DeleteAllAsync(string owner, IReadOnlyList<InventoryItem> inventory, CancellationToken cancellationToken);

    /// <summary>Registers a callback told the owner (<c>namespace/name</c>) of any managed object that changed.</summary>
    IDisposable OnManagedObjectChanged(Action<string> owner);

    /// <summary>Starts background work (the live-state watches); returns when it is running.</summary>
    Task StartAsync(CancellationToken cancellationToken);
}
