using Keelson.Engine.Diff;
using Keelson.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Apply;

/// <summary>What became of one stale inventory entry.</summary>
internal enum PruneState
{
    /// <summary>Not in the cluster any more (or its kind is not served): forget it.</summary>
    Gone,

    /// <summary>In the cluster without this owner's exact tracking id (taken over, or the mark removed): forget it, never delete it.</summary>
    NotOwned,

    /// <summary>Still ours and not deleted (pruning is off, or it changed under us): keep it in the inventory.</summary>
    Kept,

    Pruned,

    /// <summary>The delete failed: keep it in the inventory so the next run tries again.</summary>
    Failed,
}

internal sealed record PruneOutcome(ResourceRef Ref, InventoryEntry Entry, PruneState State, string? Message)
{
    /// <summary>Stays in the inventory: not pruned, a delete that failed, or an object still terminating.</summary>
    public bool Keep => State is PruneState.Kept or PruneState.Failed || Terminating;

    /// <summary>
    /// Pruned, but still in the cluster until its own finalizers are done (a PVC in use, a custom resource): it stays in
    /// the inventory, listed as being deleted, until it is gone.
    /// </summary>
    public bool Terminating { get; init; }

    /// <summary>Found already being deleted: this run sent no delete.</summary>
    public bool Earlier { get; init; }

    /// <summary>Deleted by this run (what the counts call pruned).</summary>
    public bool Deleted => State == PruneState.Pruned && !Earlier;
}

/// <summary>
/// Deals with stale inventory entries (in the previous inventory, not rendered any more): checks each object still
/// carries exactly this owner's tracking id, and when asked deletes it (background propagation, with the uid and
/// resourceVersion just read as preconditions so an object changed or re-created meanwhile is left alone), in reverse
/// apply order.
/// </summary>
internal sealed partial class Pruner(KubeClient client, LiveCache cache, Differ differ, ILogger logger)
{
    private const string Waiting = "pruned; waiting for its finalizers";

    public async Task<List<PruneOutcome>> PruneAsync(string owner, IReadOnlyList<InventoryEntry> stale, bool delete, CancellationToken cancellationToken)
    {
        var candidates = new List<(InventoryEntry Entry, ResourceRef Ref, ApiResource Resource)>();
        var outcomes = new List<PruneOutcome>();
        foreach (var entry in stale)
        {
            if (entry.ToRef() is not { } reference)
            {
                LogBadEntry(entry.Id);
                continue;
            }

            var resource = await client.Mapper.TryResolveAsync(reference.GroupVersionKind, cancellationToken);
            if (resource is null)
            {
                outcomes.Add(new PruneOutcome(reference, entry, PruneState.Gone, null));
                continue;
            }

            candidates.Add((entry, reference, resource));
        }

        var ordered = KindOrder.Sort(candidates, c => c.Ref, c => c.Resource.Namespaced).Reverse();
        foreach (var (entry, reference, resource) in ordered)
        {
            outcomes.Add(await PruneOneAsync(owner, entry, reference, resource, delete, cancellationToken));
        }

        return outcomes;
    }

    private async Task<PruneOutcome> PruneOneAsync(
        string owner, InventoryEntry entry, ResourceRef reference, ApiResource resource, bool delete, CancellationToken cancellationToken)
    {
        LiveObject? live;
        if (delete)
        {
            // A delete decides on the server's current state, never on the cache: the watch may not have delivered
            // an edit that took the object away from this owner yet, and deleting someone else's object is the one
            // mistake a prune must not make. Prunes are rare, so the extra GET costs little.
            live = await differ.GetAsync(resource, reference.Namespace, reference.Name, cancellationToken);
        }
        else
        {
            (live, var fromCache) = await differ.LookupAsync(resource, reference.Namespace, reference.Name, cancellationToken);
            if (live is null && fromCache)
            {
                // Not in the cache means not labelled; it may still exist (the label removed by hand).
                live = await differ.GetAsync(resource, reference.Namespace, reference.Name, cancellationToken);
            }
        }

        if (live is null)
        {
            return new PruneOutcome(reference, entry, PruneState.Gone, null);
        }

        var expected = Tracking.Id(owner, reference);
        if (live.TrackingId != expected)
        {
            var why = live.TrackingId is null
                ? "not deleted: it no longer carries this owner's tracking id"
                : $"not deleted: it carries another tracking id ({live.TrackingId})";
            LogSkipped(reference, why);
            return new PruneOutcome(reference, entry, PruneState.NotOwned, why);
        }

        if (live.ToJson()["metadata"]?["deletionTimestamp"] is not null)
        {
            // Deleted already (by an earlier run, or by someone), waiting on its finalizers: asking again changes
            // nothing, and a comparison has nothing left to prune either.
            return new PruneOutcome(reference, entry, PruneState.Pruned, Waiting) { Terminating = true, Earlier = true };
        }

        if (!delete)
        {
            return new PruneOutcome(reference, entry, PruneState.Kept, "requires pruning: no longer in the source");
        }

        return await DeleteCheckedAsync(entry, reference, resource, live, cancellationToken);
    }

    /// <summary>
    /// Deletes the object whose tracking id was checked in <paramref name="checkedCopy"/>, on the condition that it is
    /// still exactly that copy (its uid and resourceVersion are the delete's preconditions): an object taken over or
    /// edited after the check makes the server refuse, so the tracking id the delete relies on is never stale.
    /// </summary>
    internal async Task<PruneOutcome> DeleteCheckedAsync(
        InventoryEntry entry, ResourceRef reference, ApiResource resource, LiveObject checkedCopy, CancellationToken cancellationToken)
    {
        try
        {
            var remaining = await client.DeleteAsync(
                resource, reference.Namespace, reference.Name,
                new DeleteOptions
                {
                    PropagationPolicy = PropagationPolicy.Background,
                    PreconditionUid = checkedCopy.Uid,
                    PreconditionResourceVersion = checkedCopy.ResourceVersion,
                },
                cancellationToken);
            LogPruned(reference);
            if (remaining is not null)
            {
                // The server answers with the object when it stays until its finalizers are done.
                return new PruneOutcome(reference, entry, PruneState.Pruned, Waiting) { Terminating = true };
            }

            cache.NoteDeleted(resource, reference.Namespace, reference.Name);
            return new PruneOutcome(reference, entry, PruneState.Pruned, "pruned");
        }
        catch (KubeApiException ex) when (ex.IsNotFound)
        {
            return new PruneOutcome(reference, entry, PruneState.Gone, null);
        }
        catch (KubeApiException ex) when (ex.IsConflict)
        {
            // A precondition failed: the object changed (or was re-created) since it was read; look again next time.
            return new PruneOutcome(reference, entry, PruneState.Kept, "changed while pruning; checked again on the next run");
        }
        catch (KubeApiException ex)
        {
            LogPruneFailed(reference, ex.Status.Message);
            return new PruneOutcome(reference, entry, PruneState.Failed, $"delete failed: {ex.Status.Message}");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return new PruneOutcome(reference, entry, PruneState.Failed, $"delete failed: the API server could not be reached: {ex.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Object}")]
    private partial void LogPruned(ResourceRef @object);

    [LoggerMessage(Level = LogLevel.Information, Message = "Prune skipped {Object}: {Why}")]
    private partial void LogSkipped(ResourceRef @object, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Prune of {Object} failed: {Message}")]
    private partial void LogPruneFailed(ResourceRef @object, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring an inventory entry that is not namespace_name_group_Kind: {Id}")]
    private partial void LogBadEntry(string id);
}
