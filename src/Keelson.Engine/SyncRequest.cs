using Keelson.Engine.Render;
using Keelson.Engine.Render.Helm;
using Keelson.Engine.Source;

namespace Keelson.Engine;

/// <summary>Compare only, or compare and then apply what drifted.</summary>
public enum SyncMode
{
    /// <summary>Report what differs; write nothing.</summary>
    Compare,

    /// <summary>Compare, then apply what drifted (and prune when asked).</summary>
    Sync,
}

/// <summary>How a sync may change the cluster (Argo CD's syncPolicy and syncOptions).</summary>
public sealed record SyncOptions
{
    /// <summary>Create the destination namespace when missing (it is not part of the inventory and never pruned).</summary>
    public bool CreateNamespace { get; init; }

    /// <summary>Delete objects of the previous inventory that are no longer rendered.</summary>
    public bool Prune { get; init; }

    /// <summary>Allow a prune when the render produced no objects at all (which would delete everything).</summary>
    public bool AllowEmpty { get; init; }

    /// <summary>Delete and re-create an object whose change the server refuses as immutable (Flux's force).</summary>
    public bool Replace { get; init; }
}

/// <summary>How to render the source: the app path and the renderer options, passed through to the renderer.</summary>
public sealed record RenderOptions
{
    /// <summary>Directory in the repository; "" is the root.</summary>
    public string Path { get; init; } = "";

    /// <summary>Include/exclude globs and recursion for plain directories.</summary>
    public DirectoryOptions Directory { get; init; } = new();

    /// <summary>Kustomize options; Kustomize is used whenever the path holds a kustomization file.</summary>
    public KustomizeOptions? Kustomize { get; init; }

    /// <summary>
    /// Helm options, used when the path holds a chart (Chart.yaml). Dependencies the chart neither vendors nor
    /// points at with file:// are fetched by the engine, so <see cref="HelmSourceOptions.FetchedDependencies"/> is
    /// filled in there; leave it empty.
    /// </summary>
    public HelmSourceOptions? Helm { get; init; }
}

/// <summary>One run of the pipeline for one owner (an Application, but the engine never sees that type).</summary>
public sealed record SyncRequest
{
    /// <summary>The owner, <c>namespace/name</c>: written into every object's tracking id.</summary>
    public required string Owner { get; init; }

    /// <summary>Repository, revision and credentials; <see cref="SourceRequest.Hard"/> is a hard refresh (no cache).</summary>
    public required SourceRequest Source { get; init; }

    /// <summary>The path in the repository and how to render it.</summary>
    public RenderOptions Render { get; init; } = new();

    /// <summary>The namespace given to namespaced objects that have none.</summary>
    public string? DestinationNamespace { get; init; }

    /// <summary>Prune, create the namespace, allow empty, replace.</summary>
    public SyncOptions Options { get; init; } = new();

    /// <summary>Compare only (the default: write nothing), or compare and sync.</summary>
    public SyncMode Mode { get; init; } = SyncMode.Compare;

    /// <summary>
    /// Run the hooks even when the sync finds nothing to apply or prune: a sync the user asked for, or the retry of a
    /// failed one, is a sync operation and runs its hooks, as Argo CD's does. Without it hooks run only with a sync
    /// that changes something, so a steady state writes nothing. Only used when the call syncs.
    /// </summary>
    public bool RunHooks { get; init; }

    /// <summary>
    /// Called before a wait that can last minutes and costs neither CPU nor API calls (hooks running to completion,
    /// objects becoming healthy before post-sync hooks); the returned lease is disposed when the wait ends. The
    /// operator lends a worker meanwhile, so hooks never hold every worker while other owners wait their turn.
    /// </summary>
    public Func<IDisposable>? WhileWaiting { get; init; }

    /// <summary>The inventory of the previous run (from the owner's status), for pruning.</summary>
    public IReadOnlyList<InventoryEntry> PreviousInventory { get; init; } = [];

    /// <summary>
    /// With <see cref="SyncMode.Compare"/>: asked once with the comparison whether to sync; when it answers true the
    /// same call syncs on that comparison and returns the sync's result, the comparison in
    /// <see cref="SyncResult.Comparison"/>. Compared this way, an object absent from the live cache is not looked up
    /// before the decision (an apply would find it and adopt it), only when the answer is no, for the report; and a
    /// drifted object is dry-run once, not again for the sync.
    /// </summary>
    public Func<SyncResult, bool>? SyncIf { get; init; }

    /// <summary>
    /// Whether another owner (<c>namespace/name</c>) still exists. A desired object that is live with another owner's
    /// tracking id is left to that owner (reported OutOfSync, with a <see cref="SyncWarning.SharedResource"/> warning)
    /// unless this says the owner is gone, in which case it is adopted. Null: every other owner is taken to exist.
    /// Called during the comparison, possibly from several threads at once.
    /// </summary>
    public Func<string, bool>? OwnerExists { get; init; }
}
