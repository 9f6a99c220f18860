using System.Text.Json.Nodes;
using Keelson.Engine.Apply;
using Keelson.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Diff;

/// <summary>How a comparison runs.</summary>
internal sealed record DiffSettings
{
    /// <summary>
    /// Check with a GET that an object the cache does not hold really is absent (it may exist without the managed
    /// label, created by hand). A sync skips this: its apply finds out anyway, and adopts the object.
    /// </summary>
    public bool ConfirmAbsent { get; init; }

    /// <summary>Ignore remembered verdicts and dry-run every object (a hard refresh).</summary>
    public bool BypassVerdicts { get; init; }

    /// <summary>The owner comparing, <c>namespace/name</c>: objects carrying another owner's tracking id are not its.</summary>
    public string Owner { get; init; } = "";

    /// <summary>Whether another owner still exists (<see cref="SyncRequest.OwnerExists"/>); null: assume it does.</summary>
    public Func<string, bool>? OwnerExists { get; init; }
}

/// <summary>
/// Compares desired objects with the cluster the way Flux's apply engine does: the live object (from the live cache,
/// else a GET), then a server-side apply dry-run of the desired object, then the dry-run result against the live
/// object after both went through the <see cref="Normalizer"/>. The dry-run makes the server fill in its defaults
/// and run its admission, so fields the server defaults never count as drift. Objects unchanged on both sides since
/// the last in-sync verdict skip the dry-run (<see cref="VerdictCache"/>); objects that do not exist need no dry-run.
/// </summary>
internal sealed partial class Differ(KubeClient client, LiveCache cache, VerdictCache verdicts, SyncEngineOptions options, ILogger logger)
{
    private const int MaxChangedFields = 20;

    public async Task<DiffEntry[]> DiffAsync(IReadOnlyList<DesiredObject> objects, DiffSettings settings, CancellationToken cancellationToken)
    {
        var entries = new DiffEntry[objects.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, objects.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.DryRunConcurrency), CancellationToken = cancellationToken },
            async (i, ct) => entries[i] = await DiffOneAsync(objects[i], settings, ct));

        // A sync that changes existing objects must not apply half of a commit: a Deployment updated to use a new
        // ConfigMap that the server then refuses would break what runs. So, as Argo CD and Flux dry-run everything
        // before applying anything, the new objects are dry-run too and a refused one fails the comparison. A sync
        // of new objects only (a first sync) skips this: nothing that runs depends on them yet.
        if (entries.Any(e => e.Action == DiffAction.Update))
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, entries.Length).Where(i => entries[i].Action == DiffAction.Create && entries[i].Desired?.Resource is not null),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.DryRunConcurrency), CancellationToken = cancellationToken },
                async (i, ct) => entries[i] = await CheckCreateAsync(entries[i], ct));
        }

        return entries;
    }

    /// <summary>Dry-runs an object to be created: a rejection becomes a failed entry naming why.</summary>
    private async Task<DiffEntry> CheckCreateAsync(DiffEntry entry, CancellationToken cancellationToken)
    {
        var desired = entry.Desired!;
        try
        {
            await DryRunAsync(desired.Resource!, desired.Object, force: true, cancellationToken);
            return entry;
        }
        catch (KubeApiException ex) when (ex.IsNotFound)
        {
            // Its namespace does not exist yet (this sync creates it): the server checks it when it is applied.
            return entry;
        }
        catch (KubeApiException ex) when (IsRejection(ex))
        {
            LogDryRunRejected(logger, entry.Resource, ex.Status.Message);
            return new DiffEntry(entry.Resource, DiffAction.Failed) { Message = ex.Status.Message, Desired = desired };
        }
    }

    /// <summary>
    /// Looks up, and compares when they exist after all, the objects of <paramref name="entries"/> that were found
    /// absent only in the live cache (<see cref="DiffEntry.Unconfirmed"/>); the other entries are kept as they are.
    /// </summary>
    public async Task<DiffEntry[]> ConfirmAsync(DiffEntry[] entries, DiffSettings settings, CancellationToken cancellationToken)
    {
        var confirmed = (DiffEntry[])entries.Clone();
        var settled = settings with { ConfirmAbsent = true };
        await Parallel.ForEachAsync(
            Enumerable.Range(0, entries.Length).Where(i => entries[i].Unconfirmed),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.DryRunConcurrency), CancellationToken = cancellationToken },
            async (i, ct) => confirmed[i] = await DiffOneAsync(entries[i].Desired!, settled, ct));
        return confirmed;
    }

    /// <summary>The live object: from the cache when it can answer, else from the server.</summary>
    public async Task<(LiveObject? Live, bool FromCache)> LookupAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken)
    {
        if (cache.TryGet(resource, ns, name, out var cached))
        {
            return (cached, true);
        }

        return (await GetAsync(resource, ns, name, cancellationToken), false);
    }

    public async Task<LiveObject?> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken)
    {
        var full = await client.TryGetAsync(resource, resource.Namespaced ? ns : null, name, cancellationToken);
        return full is null ? null : LiveObject.From(resource, full);
    }

    private async Task<DiffEntry> DiffOneAsync(DesiredObject desired, DiffSettings settings, CancellationToken cancellationToken)
    {
        var reference = desired.Ref;
        if (desired.Resource is not { } resource)
        {
            // Its CRD is in the same render (or nowhere, which the apply reports): it cannot exist yet.
            return new DiffEntry(reference, DiffAction.Create) { Desired = desired };
        }

        var (live, fromCache) = await LookupAsync(resource, reference.Namespace, reference.Name, cancellationToken);
        if (live is null && fromCache && settings.ConfirmAbsent)
        {
            live = await GetAsync(resource, reference.Namespace, reference.Name, cancellationToken);
            fromCache = false;
        }

        if (live is null)
        {
            // Absent from a cache that has listed this kind: no lookup is needed to know it must be created (whether
            // the server would take it is checked by DiffAsync when the same sync changes existing objects).
            return new DiffEntry(reference, DiffAction.Create) { Desired = desired, Unconfirmed = fromCache };
        }

        // Another owner's object is left to it: applying would move the tracking id, that owner would see drift and
        // take it back, and the two would write the object in turn forever. Its owner gone, the object is adopted.
        var (other, kept) = Claim(settings, desired, live);
        if (kept)
        {
            return new DiffEntry(reference, DiffAction.OwnedElsewhere) { OtherOwner = other, Desired = desired, LiveState = live };
        }

        if (!settings.BypassVerdicts && verdicts.IsSynced(reference.Key, desired.Hash, live.ComparableHash))
        {
            return new DiffEntry(reference, DiffAction.None) { Desired = desired, LiveState = live };
        }

        JsonObject dryRun;
        IReadOnlyList<string> conflicts = [];
        try
        {
            try
            {
                // Without force first: a conflict names the other managers, which the result reports.
                dryRun = await DryRunAsync(resource, desired.Object, force: false, cancellationToken);
            }
            catch (KubeApiException ex) when (ex.IsFieldManagerConflict)
            {
                conflicts = [.. ex.Conflicts.Select(c => c.Message ?? c.Field ?? "").Where(m => m.Length > 0)];
                dryRun = await DryRunAsync(resource, desired.Object, force: true, cancellationToken);
            }
        }
        catch (KubeApiException ex) when (IsImmutable(ex))
        {
            return new DiffEntry(reference, DiffAction.Update)
            {
                OtherOwner = other,
                Immutable = true,
                Message = ex.Status.Message,
                Desired = desired,
                LiveState = live,
                Conflicts = conflicts,
            };
        }
        catch (KubeApiException ex) when (IsRejection(ex))
        {
            LogDryRunRejected(logger, reference, ex.Status.Message);
            return new DiffEntry(reference, DiffAction.Failed) { Message = ex.Status.Message, Desired = desired, LiveState = live };
        }

        var hash = Normalizer.Hash(dryRun);
        if (hash != live.ComparableHash && fromCache && dryRun.GetResourceVersion() != live.ResourceVersion)
        {
            // The server holds a newer version than the cache (the watch lags): compare with that.
            live = await GetAsync(resource, reference.Namespace, reference.Name, cancellationToken);
            if (live is null)
            {
                return new DiffEntry(reference, DiffAction.Create) { Desired = desired };
            }

            (other, kept) = Claim(settings, desired, live);
            if (kept)
            {
                return new DiffEntry(reference, DiffAction.OwnedElsewhere) { OtherOwner = other, Desired = desired, LiveState = live };
            }
        }

        if (hash == live.ComparableHash)
        {
            verdicts.SetSynced(reference.Key, desired.Hash, live.ComparableHash);
            return new DiffEntry(reference, DiffAction.None) { Desired = desired, LiveState = live };
        }

        var liveJson = live.ToJson();
        var changed = ChangedFields(resource, liveJson, dryRun);
        return new DiffEntry(reference, DiffAction.Update)
        {
            OtherOwner = other,
            Message = changed.Count == 0 ? "differs from the desired state" : "differs: " + string.Join(", ", changed),
            ChangedFields = changed,
            Conflicts = conflicts,
            Live = liveJson,
            DryRun = dryRun,
            Desired = desired,
            LiveState = live,
        };
    }

    /// <summary>
    /// The other owner whose tracking id the live object carries, if any, and whether that owner keeps the object
    /// (it still exists; unknown counts as existing).
    /// </summary>
    private static (string? Other, bool Kept) Claim(DiffSettings settings, DesiredObject desired, LiveObject live)
    {
        // The usual case, the object already marked as this owner's, costs one comparison.
        if (live.TrackingId == desired.TrackingId)
        {
            return (null, false);
        }

        var other = Tracking.OtherOwner(settings.Owner, desired.Ref, live.TrackingId);
        return (other, other is not null && (settings.OwnerExists?.Invoke(other) ?? true));
    }

    private Task<JsonObject> DryRunAsync(ApiResource resource, JsonObject obj, bool force, CancellationToken cancellationToken) =>
        client.ApplyAsync(
            resource,
            obj,
            new ApplyOptions { FieldManager = options.FieldManager, Force = force, DryRun = true, FieldValidation = options.FieldValidation },
            cancellationToken);

    /// <summary>An update the server refuses because a field cannot change after creation.</summary>
    internal static bool IsImmutable(KubeApiException ex) =>
        (ex.IsInvalid || ex.IsConflict || ex.IsBadRequest)
        && (ex.Status.Message.Contains("immutable", StringComparison.OrdinalIgnoreCase)
            || ex.Status.Details?.Causes.Any(c => c.Message?.Contains("immutable", StringComparison.OrdinalIgnoreCase) == true) == true);

    /// <summary>The server refused this object (as opposed to failing): the others can still be compared.</summary>
    internal static bool IsRejection(KubeApiException ex) =>
        ex.IsInvalid || ex.IsBadRequest || ex.IsForbidden || ex.IsNotFound || ex.IsConflict || ex.IsMethodNotAllowed
        || ex.Code is 413 or 415;

    /// <summary>Paths of compared fields that differ, without values. ConfigMap and Secret data is not kept live: if
    /// nothing else differs, the data does.</summary>
    private static List<string> ChangedFields(ApiResource resource, JsonObject live, JsonObject dryRun)
    {
        var left = Normalizer.Comparable(live);
        var right = Normalizer.Comparable(dryRun);
        var dataless = resource.Group.Length == 0 && resource.Kind is "ConfigMap" or "Secret";
        if (dataless)
        {
            right.Remove("data");
            right.Remove("binaryData");
        }

        var paths = new List<string>();
        Compare(left, right, "", paths);
        if (paths.Count == 0 && dataless)
        {
            paths.Add("data");
        }

        return paths;
    }

    private static void Compare(JsonNode? left, JsonNode? right, string path, List<string> paths)
    {
        if (paths.Count >= MaxChangedFields)
        {
            return;
        }

        if (left is JsonObject a && right is JsonObject b)
        {
            foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                Compare(a[key], b[key], path.Length == 0 ? key : $"{path}.{key}", paths);
            }

            return;
        }

        if (left is JsonArray x && right is JsonArray y && x.Count == y.Count)
        {
            for (var i = 0; i < x.Count; i++)
            {
                Compare(x[i], y[i], $"{path}[{i}]", paths);
            }

            return;
        }

        if (!JsonNode.DeepEquals(left, right))
        {
            paths.Add(path);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dry-run of {Object} rejected: {Message}")]
    private static partial void LogDryRunRejected(ILogger logger, ResourceRef @object, string message);
}
