using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>
/// Maintains <c>metadata.managedFields</c> the way kube-apiserver's field manager does, and performs server-side
/// apply. Inputs are never modified; results share no nodes with inputs.
/// </summary>
/// <remarks>
/// The caller handles what the apiserver's REST strategies do around the field manager: on main-resource writes of a
/// kind with a status subresource it strips <c>status</c> from an applied configuration and resets <c>status</c> of an
/// updated object to the live one before calling (and the reverse for the status subresource), so that those fields
/// are neither merged nor owned — the effect of the apiserver's reset fields.
/// </remarks>
public sealed class FieldManager
{
    private const string BeforeFirstApply = "before-first-apply";
    private const string AncientChanges = "ancient-changes";
    private const string CurrentOperation = "current-operation";
    private const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";
    private const int MaxUpdateManagers = 10;
    private const int MaxAnnotationsSize = 256 * 1024;

    // The apiserver never records these as owned (its strip-meta manager).
    private static readonly IReadOnlyList<IReadOnlyList<PathElement>> StrippedPaths =
    [
        [PathElement.Field("apiVersion")],
        [PathElement.Field("kind")],
        [PathElement.Field("metadata")],
        [PathElement.Field("metadata"), PathElement.Field("name")],
        [PathElement.Field("metadata"), PathElement.Field("namespace")],
        [PathElement.Field("metadata"), PathElement.Field("creationTimestamp")],
        [PathElement.Field("metadata"), PathElement.Field("selfLink")],
        [PathElement.Field("metadata"), PathElement.Field("uid")],
        [PathElement.Field("metadata"), PathElement.Field("clusterName")],
        [PathElement.Field("metadata"), PathElement.Field("generation")],
        [PathElement.Field("metadata"), PathElement.Field("managedFields")],
        [PathElement.Field("metadata"), PathElement.Field("resourceVersion")],
    ];

    private readonly TimeProvider _time;

    // Field sets of the fieldsV1 objects this manager wrote: an object passed back unchanged (as stored objects are)
    // is not parsed again. Sets are never modified once built.
    private readonly ConditionalWeakTable<JsonObject, FieldSet> _fieldSets = new();

    private readonly FieldSet _stripped;

    public FieldManager(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _stripped = new FieldSet();
        foreach (var path in StrippedPaths)
        {
            _stripped.Insert(path);
        }
    }

    // The FieldsV1 JSON of each set written: an unchanged manager is written again without serializing its set, and
    // the objects made from it stay unmaterialized until someone reads them.
    private readonly ConditionalWeakTable<FieldSet, EncodedFields> _encoded = new();

    private sealed record EncodedFields(JsonElement Element);

    private FieldSet ParseFields(JsonNode? fields) =>
        fields is JsonObject obj && _fieldSets.TryGetValue(obj, out var set) ? set : FieldSet.FromFieldsV1(fields);

    private JsonObject EncodeFields(FieldSet set)
    {
        if (!_encoded.TryGetValue(set, out var encoded))
        {
            encoded = new EncodedFields(JsonDocument.Parse(Encoding.UTF8.GetBytes(set.ToFieldsV1Json())).RootElement);
            _encoded.AddOrUpdate(set, encoded);
        }

        var fields = JsonObject.Create(encoded.Element)!;
        _fieldSets.AddOrUpdate(fields, set);
        return fields;
    }

    private Dictionary<string, ManagedEntry> Decode(JsonNode? managedFields) => ManagedFields.Decode(managedFields, ParseFields);

    /// <summary>
    /// Server-side apply: merges <paramref name="applied"/> into <paramref name="live"/> (null when the object does not
    /// exist yet), records the applier's fields, removes fields it applied before and no longer applies unless another
    /// manager owns them, and returns the new object with <c>metadata.managedFields</c> updated.
    /// </summary>
    /// <exception cref="ApplyConflictException">Another manager owns a field the configuration changes, and <paramref name="force"/> is false.</exception>
    /// <exception cref="PatchException">The configuration cannot be applied (managedFields set, fields a custom resource schema does not declare, list items without their keys).</exception>
    public JsonObject Apply(JsonObject? live, JsonObject applied, string manager, bool force, TypeSchema schema, string? subresource = null)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentNullException.ThrowIfNull(schema);
        manager = string.IsNullOrEmpty(manager) ? "unknown" : manager;
        subresource = string.IsNullOrEmpty(subresource) ? null : subresource;
        if (applied["metadata"] is JsonObject appliedMeta && appliedMeta.TryGetPropertyValue("managedFields", out var mf) && mf is not null)
        {
            throw PatchException.BadRequest("metadata.managedFields must be nil");
        }

        var root = schema.Root;
        var errors = new List<string>();
        var newSet = Typed.ToFieldSet(applied, root, errors);
        if (errors.Count > 0)
        {
            var detail = errors.Count == 1 ? errors[0] : "errors:\n" + string.Join("\n", errors.Select(e => "  " + e));
            throw PatchException.Internal($"failed to create typed patch object ({Describe(applied)}): {detail}");
        }

        var apiVersion = Text(applied["apiVersion"]) ?? Text(live?["apiVersion"]) ?? "";
        var now = ManagedFields.Truncate(_time.GetUtcNow());
        var liveObj = live ?? [];
        Dictionary<string, ManagedEntry> managers;
        try
        {
            managers = live is null ? new(StringComparer.Ordinal) : Decode(live["metadata"]?["managedFields"]);
        }
        catch (FormatException ex)
        {
            throw PatchException.Internal($"failed to decode managed fields: {ex.Message}");
        }

        if (live is not null && managers.Count == 0)
        {
            // An object that predates field tracking: everything in it belongs to a placeholder updater, so an apply
            // that changes those values conflicts (the apiserver's skip-non-applied manager).
            var empty = schema.NewEmptyObject(Text(live["apiVersion"]), Text(live["kind"]));
            RecordUpdate(empty, live, managers, BeforeFirstApply, apiVersion, subresource, schema, now, _stripped);
        }

        var id = ManagedFields.Identifier(manager, ManagedFields.Apply, null, subresource);
        var outcome = ApplyOnce(liveObj, applied, newSet, managers, manager, id, apiVersion, subresource, force, schema, now, _stripped);
        if (outcome.Conflicts is { } conflicts && manager == "kubectl")
        {
            // kubectl moving from client-side to server-side apply: conflicts over fields its last-applied annotation
            // already set to the live values are not conflicts.
            var allowed = AllowedByLastApplied(liveObj, apiVersion, schema);
            if (allowed is not null && conflicts.Values.All(set => set.Difference(allowed).IsEmpty))
            {
                outcome = ApplyOnce(liveObj, applied, newSet, managers, manager, id, apiVersion, subresource, force: true, schema, now, _stripped);
            }
            else if (allowed is not null)
            {
                conflicts = conflicts
                    .Select(p => (p.Key, Set: p.Value.Difference(allowed)))
                    .Where(p => !p.Set.IsEmpty)
                    .ToDictionary(p => p.Key, p => p.Set, StringComparer.Ordinal);
                throw Conflict(conflicts, outcome.Managers);
            }
        }

        if (outcome.Conflicts is { } remaining)
        {
            throw Conflict(remaining, outcome.Managers);
        }

        var result = outcome.Object;
        if (manager == "kubectl" && LastApplied(result) is { Length: > 0 })
        {
            SetLastApplied(result, BuildLastApplied(applied));
        }

        DropIntroducedNulls(result, live, root);
        return WithManagedFields(result, outcome.Managers.Values);
    }

    /// <summary>
    /// Create, update or non-apply patch: <paramref name="updated"/> is the full new object, <paramref name="live"/> the
    /// stored one (null on create). Fields that changed become owned by <paramref name="manager"/> (operation Update)
    /// and leave other managers. Returns <paramref name="updated"/> itself with its <c>metadata.managedFields</c>
    /// replaced (it is the object to store, so it is not copied); <paramref name="live"/> is not modified.
    /// </summary>
    public JsonObject Update(JsonObject? live, JsonObject updated, string manager, TypeSchema schema, string? subresource = null)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(schema);
        manager = string.IsNullOrEmpty(manager) ? "unknown" : manager;
        subresource = string.IsNullOrEmpty(subresource) ? null : subresource;
        var apiVersion = Text(updated["apiVersion"]) ?? Text(live?["apiVersion"]) ?? "";
        var now = ManagedFields.Truncate(_time.GetUtcNow());
        var managers = DecodeForUpdate(live, updated, subresource is not null);
        var liveObj = live ?? schema.NewEmptyObject(Text(updated["apiVersion"]), Text(updated["kind"]));
        RecordUpdate(liveObj, updated, managers, manager, apiVersion, subresource, schema, now, _stripped);
        CapUpdateManagers(managers);
        return WithManagedFields(updated, managers.Values);
    }

    // ------------------------------------------------------------------ update

    private Dictionary<string, ManagedEntry> DecodeForUpdate(JsonObject? live, JsonObject updated, bool subresource)
    {
        Dictionary<string, ManagedEntry> FromLive()
        {
            try
            {
                return live is null ? new(StringComparer.Ordinal) : Decode(live["metadata"]?["managedFields"]);
            }
            catch (FormatException)
            {
                return new(StringComparer.Ordinal);
            }
        }

        // A subresource write cannot set managedFields; a main-resource write can (clients that round-trip the object
        // keep them), resets them with [] or [{}], and falls back to the live ones when it omits or garbles them.
        if (subresource)
        {
            return FromLive();
        }

        if (ManagedFields.IsReset(updated, out _))
        {
            return new(StringComparer.Ordinal);
        }

        var givenFields = updated["metadata"]?["managedFields"];
        if (givenFields is not null && live?["metadata"]?["managedFields"] is { } liveFields && JsonValues.Equal(givenFields, liveFields))
        {
            // Sent back as read: decoding the live ones is the same, and cached.
            return FromLive();
        }

        try
        {
            var given = Decode(givenFields);
            return given.Count > 0 ? given : FromLive();
        }
        catch (FormatException)
        {
            return FromLive();
        }
    }

    /// <summary>
    /// Records a non-apply write in <paramref name="managers"/>: other managers lose changed and removed fields, the
    /// writer gains changed and added ones, and its time moves only when it took at least one field.
    /// </summary>
    private static void RecordUpdate(JsonObject oldObj, JsonObject newObj, Dictionary<string, ManagedEntry> managers,
        string manager, string apiVersion, string? subresource, TypeSchema schema, DateTimeOffset now, FieldSet stripped)
    {
        var comparison = Typed.Compare(oldObj, newObj, schema.Root, schema.Zero);
        var changed = comparison.Modified.Union(comparison.Added);
        RemoveFromOthers(managers, CurrentOperation, changed, comparison.Removed);
        // Not less what was removed: an item whose key became repeated (or unique again) is both removed and changed,
        // and like upstream the writer owns it.
        var taken = changed.WithoutMembers(stripped);
        if (taken.IsEmpty)
        {
            return;
        }

        var id = ManagedFields.Identifier(manager, ManagedFields.Update, apiVersion, subresource);
        managers[id] = new ManagedEntry
        {
            Manager = manager,
            Operation = ManagedFields.Update,
            ApiVersion = apiVersion,
            Subresource = subresource,
            Time = now,
            Set = managers.TryGetValue(id, out var previous) ? taken.Union(previous.Set) : taken,
        };
    }

    private static void RemoveFromOthers(Dictionary<string, ManagedEntry> managers, string except, FieldSet changed, FieldSet removed)
    {
        foreach (var (id, entry) in managers.ToList())
        {
            if (id == except)
            {
                continue;
            }

            var set = entry.Set.Difference(entry.Set.Intersection(changed)).Difference(removed);
            if (set.IsEmpty)
            {
                managers.Remove(id);
            }
            else
            {
                managers[id] = entry.With(set);
            }
        }
    }

    /// <summary>Merges the oldest updaters into "ancient-changes" entries so that at most ten remain (the apiserver's cap).</summary>
    private static void CapUpdateManagers(Dictionary<string, ManagedEntry> managers)
    {
        var updaters = managers.Where(p => !p.Value.Applied).Select(p => p.Key).ToList();
        if (updaters.Count <= MaxUpdateManagers)
        {
            return;
        }

        updaters.Sort((a, b) =>
        {
            var c = (managers[a].Time?.ToUnixTimeSeconds() ?? 0).CompareTo(managers[b].Time?.ToUnixTimeSeconds() ?? 0);
            return c != 0 ? c : string.CompareOrdinal(a, b);
        });

        var firstOfVersion = new Dictionary<string, string>(StringComparer.Ordinal);
        var length = updaters.Count;
        for (var i = 0; i < updaters.Count && length > MaxUpdateManagers; i++)
        {
            var id = updaters[i];
            var entry = managers[id];
            var bucket = ManagedFields.Identifier(AncientChanges, ManagedFields.Update, entry.ApiVersion, null);
            if (firstOfVersion.TryGetValue(entry.ApiVersion, out var first))
            {
                // The first updater of the version becomes the bucket, the others are merged into it.
                if (!managers.TryGetValue(bucket, out var existing))
                {
                    existing = managers[first];
                    managers.Remove(first);
                }

                managers[bucket] = new ManagedEntry
                {
                    Manager = AncientChanges,
                    Operation = ManagedFields.Update,
                    ApiVersion = entry.ApiVersion,
                    Time = entry.Time,
                    Set = entry.Set.Union(existing.Set),
                };
                managers.Remove(id);
                length--;
            }
            else
            {
                firstOfVersion[entry.ApiVersion] = id;
            }
        }
    }

    // ------------------------------------------------------------------ apply

    private sealed record ApplyOutcome(JsonObject Object, Dictionary<string, ManagedEntry> Managers, Dictionary<string, FieldSet>? Conflicts);

    private static ApplyOutcome ApplyOnce(JsonObject liveObj, JsonObject applied, FieldSet newSet, Dictionary<string, ManagedEntry> initial,
        string manager, string id, string apiVersion, string? subresource, bool force, TypeSchema schema, DateTimeOffset now, FieldSet stripped)
    {
        var root = schema.Root;
        var managers = new Dictionary<string, ManagedEntry>(initial, StringComparer.Ordinal);
        var merged = Typed.Merge(liveObj, applied, root);
        var lastSet = managers.TryGetValue(id, out var last) ? last.Set : null;
        managers[id] = new ManagedEntry
        {
            Manager = manager,
            Operation = ManagedFields.Apply,
            ApiVersion = apiVersion,
            Subresource = subresource,
            Time = last?.Time,
            Set = newSet,
        };

        merged = Prune(merged, managers, lastSet, newSet, root);

        var comparison = Typed.Compare(liveObj, merged, root, schema.Zero);
        var changed = comparison.Modified.Union(comparison.Added);
        Dictionary<string, FieldSet>? conflicts = null;
        foreach (var (otherId, entry) in managers)
        {
            if (otherId == id)
            {
                continue;
            }

            var conflict = entry.Set.Intersection(changed);
            if (!conflict.IsEmpty)
            {
                conflicts ??= new(StringComparer.Ordinal);
                conflicts[otherId] = conflict;
            }
        }

        if (conflicts is not null && !force)
        {
            return new ApplyOutcome(merged, managers, conflicts);
        }

        RemoveFromOthers(managers, id, changed, comparison.Removed);

        var own = managers[id].Set.WithoutMembers(stripped);
        if (lastSet is not null && own.SameAs(lastSet))
        {
            // The same set as last time: keep that instance, whose FieldsV1 is already written.
            own = lastSet;
        }

        if (own.IsEmpty)
        {
            managers.Remove(id);
        }
        else
        {
            managers[id] = managers[id].With(own);
        }

        // A no-op apply leaves the object and the applier's time as they were.
        if (!VisibleEqual(liveObj, merged) && managers.TryGetValue(id, out var mine))
        {
            mine.Time = now;
        }

        return new ApplyOutcome(merged, managers, null);
    }

    /// <summary>Semantic equality of two objects, ignoring <c>metadata.managedFields</c>.</summary>
    private static bool VisibleEqual(JsonObject a, JsonObject b)
    {
        static int CountVisible(JsonObject obj, bool metadata) =>
            metadata && obj.ContainsKey("managedFields") ? obj.Count - 1 : obj.Count;

        static bool MapsEqual(JsonObject a, JsonObject b, bool metadata)
        {
            if (CountVisible(a, metadata) != CountVisible(b, metadata))
            {
                return false;
            }

            foreach (var (key, av) in a)
            {
                if (metadata && key == "managedFields")
                {
                    continue;
                }

                if (!b.TryGetPropertyValue(key, out var bv))
                {
                    return false;
                }

                var equal = !metadata && key == "metadata" && av is JsonObject am && bv is JsonObject bm
                    ? MapsEqual(am, bm, metadata: true)
                    : JsonValues.Equal(av, bv);
                if (!equal)
                {
                    return false;
                }
            }

            return true;
        }

        return MapsEqual(a, b, metadata: false);
    }

    /// <summary>
    /// Removes what the applier applied last time and no longer applies, unless a manager (including the applier's new
    /// configuration) still owns it — structured-merge-diff's prune with its two add-back passes.
    /// </summary>
    private static JsonObject Prune(JsonObject merged, Dictionary<string, ManagedEntry> managers, FieldSet? lastSet, FieldSet newSet, SchemaNode root)
    {
        if (lastSet is null || lastSet.IsEmpty)
        {
            return merged;
        }

        // Nothing can go when everything applied last time is applied again.
        if (lastSet.SameAs(newSet) || lastSet.Difference(newSet.EnsureNamedFieldsAreMembers(root)).IsEmpty)
        {
            return merged;
        }

        var last = lastSet.EnsureNamedFieldsAreMembers(root);
        var pruned = Typed.RemoveItems(merged, last, root);

        var owned = new FieldSet();
        foreach (var entry in managers.Values)
        {
            owned = owned.Union(entry.Set);
        }

        var mergedSet = Typed.ToFieldSet(merged, root).EnsureNamedFieldsAreMembers(root);
        var prunedSet = Typed.ToFieldSet(pruned, root).EnsureNamedFieldsAreMembers(root);
        var keep = prunedSet.Union(owned.EnsureNamedFieldsAreMembers(root));
        pruned = Typed.RemoveItems(merged, mergedSet.Difference(keep), root);

        prunedSet = Typed.ToFieldSet(pruned, root).EnsureNamedFieldsAreMembers(root);
        return Typed.RemoveItems(merged, mergedSet.Difference(prunedSet).Intersection(last), root);
    }

    private static ApplyConflictException Conflict(Dictionary<string, FieldSet> conflicts, Dictionary<string, ManagedEntry> managers)
    {
        var list = new List<FieldConflict>();
        foreach (var (id, set) in conflicts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var entry = managers[id];
            foreach (var path in set.Paths())
            {
                list.Add(new FieldConflict(entry.Manager, entry.ApiVersion, PathElement.Format(path))
                {
                    Operation = entry.Operation,
                    Subresource = entry.Subresource,
                });
            }
        }

        return new ApplyConflictException(list);
    }

    // ------------------------------------------------------------------ kubectl's last-applied annotation

    private static string? LastApplied(JsonObject obj) =>
        obj["metadata"]?["annotations"] is JsonObject annotations ? Text(annotations[LastAppliedAnnotation]) : null;

    /// <summary>
    /// The fields client-side apply owned: those of the last-applied configuration whose values still match the live
    /// object. Null when there is no usable annotation.
    /// </summary>
    private static FieldSet? AllowedByLastApplied(JsonObject live, string apiVersion, TypeSchema schema)
    {
        var root = schema.Root;
        if (LastApplied(live) is not { Length: > 0 } text)
        {
            return null;
        }

        JsonObject? lastApplied;
        try
        {
            lastApplied = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (lastApplied is null || Text(lastApplied["apiVersion"]) != apiVersion)
        {
            return null;
        }

        var errors = new List<string>();
        var lastAppliedSet = Typed.ToFieldSet(lastApplied, root, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        var comparison = Typed.Compare(lastApplied, live, root, schema.Zero);
        return lastAppliedSet
            .Difference(comparison.Modified)
            .Difference(comparison.Added)
            .Difference(comparison.Removed);
    }

    private static string BuildLastApplied(JsonObject applied)
    {
        var copy = (JsonObject)applied.DeepClone();
        if (copy["metadata"]?["annotations"] is JsonObject annotations)
        {
            annotations.Remove(LastAppliedAnnotation);
        }

        // What Go's encoding/json makes of the unstructured object, newline included.
        return GoJson.Serialize(copy) + "\n";
    }

    private static void SetLastApplied(JsonObject obj, string value)
    {
        if (obj["metadata"] is not JsonObject meta)
        {
            meta = [];
            obj["metadata"] = meta;
        }

        if (meta["annotations"] is not JsonObject annotations)
        {
            annotations = [];
            meta["annotations"] = annotations;
        }

        annotations[LastAppliedAnnotation] = value;
        var size = annotations.Sum(a => a.Key.Length + (Text(a.Value)?.Length ?? 0));
        if (size > MaxAnnotationsSize)
        {
            annotations.Remove(LastAppliedAnnotation);
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>
    /// Nulls an apply leaves behind in typed fields (a field applied as null, a list or map emptied by pruning) do not
    /// survive the apiserver's decoding into its Go types, nor the pruning of non-nullable custom resource fields; drop
    /// those that were not already in the live object. Untyped data (preserved unknown fields) keeps them, as the
    /// apiserver stores it as it is.
    /// </summary>
    private static void DropIntroducedNulls(JsonNode? node, JsonNode? live, SchemaNode type)
    {
        switch (node)
        {
            case JsonObject obj:
                var liveObj = live as JsonObject;
                var t = type.Resolve(obj);
                for (var i = obj.Count - 1; i >= 0; i--)
                {
                    var (key, value) = obj.GetAt(i);
                    JsonNode? liveValue = null;
                    var inLive = liveObj is not null && liveObj.TryGetPropertyValue(key, out liveValue);
                    var childType = t.FieldType(key, out _);
                    if (value is null)
                    {
                        if (childType.Kind != NodeKind.Deduced && (!inLive || liveValue is not null))
                        {
                            obj.RemoveAt(i);
                        }
                    }
                    else
                    {
                        DropIntroducedNulls(value, liveValue, childType);
                    }
                }

                break;
            case JsonArray arr:
                var itemType = type.Resolve(arr).ItemType;
                foreach (var item in arr)
                {
                    if (item is JsonObject)
                    {
                        DropIntroducedNulls(item, null, itemType);
                    }
                }

                break;
        }
    }

    private JsonObject WithManagedFields(JsonObject obj, IEnumerable<ManagedEntry> managers)
    {
        var entries = ManagedFields.Encode(managers, EncodeFields);
        if (obj["metadata"] is not JsonObject meta)
        {
            if (entries.Count == 0)
            {
                return obj;
            }

            meta = [];
            obj["metadata"] = meta;
        }

        if (entries.Count == 0)
        {
            meta.Remove("managedFields");
        }
        else
        {
            meta["managedFields"] = entries;
        }

        return obj;
    }

    private static string Describe(JsonObject obj)
    {
        var ns = Text(obj["metadata"]?["namespace"]) ?? "";
        var name = Text(obj["metadata"]?["name"]) ?? "";
        var apiVersion = Text(obj["apiVersion"]) ?? "";
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash >= 0 ? apiVersion[..slash] : "";
        var version = slash >= 0 ? apiVersion[(slash + 1)..] : apiVersion;
        return $"{ns}/{name}; {group}/{version}, Kind={Text(obj["kind"])}";
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
