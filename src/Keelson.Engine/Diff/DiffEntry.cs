using System.Text.Json.Nodes;

namespace Keelson.Engine.Diff;

/// <summary>What applying an object would do.</summary>
public enum DiffAction
{
    /// <summary>The live object already matches: nothing to write.</summary>
    None,

    /// <summary>The object does not exist.</summary>
    Create,

    /// <summary>The object exists and differs (or must be replaced, see <see cref="DiffEntry.Immutable"/>).</summary>
    Update,

    /// <summary>The comparison could not be made for this object (the server rejected it); see the message.</summary>
    Failed,

    /// <summary>
    /// The live object is another existing owner's (<see cref="DiffEntry.OtherOwner"/>): it is neither compared nor
    /// applied, so two owners rendering one object never take it from each other in turn.
    /// </summary>
    OwnedElsewhere,
}

/// <summary>
/// The comparison of one desired object with the cluster (one entry of Flux's change set). <see cref="Live"/> and
/// <see cref="DryRun"/> are filled only for objects that differ, for showing the difference.
/// </summary>
public sealed record DiffEntry(ResourceRef Resource, DiffAction Action)
{
    /// <summary>Why the comparison failed, or which fields differ.</summary>
    public string? Message { get; init; }

    /// <summary>
    /// The owner named by the live object's tracking id when it is another one: with
    /// <see cref="DiffAction.OwnedElsewhere"/> that owner keeps the object; otherwise it no longer exists and applying
    /// adopts the object.
    /// </summary>
    public string? OtherOwner { get; init; }

    /// <summary>An update the server refuses because a field cannot change: it needs a delete and re-create.</summary>
    public bool Immutable { get; init; }

    /// <summary>Compared fields that differ (paths like <c>spec.replicas</c>; never values, which may be secret).</summary>
    public IReadOnlyList<string> ChangedFields { get; init; } = [];

    /// <summary>Fields other field managers own that applying takes over (server-side apply conflicts).</summary>
    public IReadOnlyList<string> Conflicts { get; init; } = [];

    /// <summary>The live object (compact: no managedFields, no ConfigMap/Secret data), for drifted objects.</summary>
    public JsonObject? Live { get; init; }

    /// <summary>The server's dry-run result of applying the desired object, for drifted objects.</summary>
    public JsonObject? DryRun { get; init; }

    internal LiveObject? LiveState { get; init; }

    /// <summary>
    /// A <see cref="DiffAction.Create"/> known only from the live cache (which holds managed objects): the object may
    /// still exist without Keelson's label. An apply finds out (and adopts it); a report that stays a report looks it up
    /// first (<see cref="Differ.ConfirmAsync"/>).
    /// </summary>
    internal bool Unconfirmed { get; init; }

    internal DesiredObject? Desired { get; init; }
}
