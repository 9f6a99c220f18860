using System.Globalization;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Api;
using Keelson.ApiServer.Crds;
using Keelson.ApiServer.Patching;
using Keelson.ApiServer.Resources;
using Keelson.ApiServer.Schema;
using Keelson.ApiServer.Storage;

namespace Keelson.ApiServer.Objects;

/// <summary>
/// The write path every change takes, whether it comes from a client over HTTP or from an in-process controller:
/// identity checks, status/subresource rules, pruning and defaulting, managedFields, generation, validation,
/// no-op detection and an optimistic commit that retries on a concurrent change (unless the caller pinned a
/// resourceVersion). Mirrors the order kube-apiserver applies these steps in.
/// </summary>
internal sealed class ObjectService
{
    public const string ForegroundFinalizer = "foregroundDeletion";
    public const string OrphanFinalizer = "orphan";

    /// <summary>The internal subresource the simulated scheduler binds Pods with (upstream: pods/binding).</summary>
    public const string Binding = "binding";

    private const int MaxAttempts = 16;
    private static readonly HashSet<string> ImmortalNamespaces = ["default", "kube-system", "kube-public"];
    private static readonly GroupResource Namespaces = new("", "namespaces");
    private static readonly GroupResource Crds = new("apiextensions.k8s.io", "customresourcedefinitions");

    private static readonly HashSet<string> ObjectMetaFields =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    ];

    private readonly ObjectStore _store;
    private readonly ResourceRegistry _registry;
    private readonly TimeProvider _time;
    private readonly FieldManager _fieldManager;
    private readonly IClusterServices _services;

    public ObjectService(ObjectStore store, ResourceRegistry registry, TimeProvider time, IClusterServices services)
    {
        _store = store;
        _registry = registry;
        _time = time;
        _services = services;
        _fieldManager = new FieldManager(time);
    }

    public ObjectStore Store => _store;

    public TimeProvider Time => _time;

    public ResourceRegistry Registry => _registry;

    // ---------------------------------------------------------------- reads

    public StoredObject? Get(ResourceType type, string ns, string name) => _store.Get(type.GroupResource, Scope(type, ns), name);

    /// <summary>True when the stored bytes can be sent as they are (same version, defaults current).</summary>
    public static bool IsPresentable(ResourceType type, StoredObject stored) =>
        type.Conversion is null && (type.Custom is null || (type.Version == type.StorageVersion && ReferenceEquals(stored.SchemaToken, type.Custom.Token)));

    /// <summary>The object as a client of this version sees it: converted and defaulted on read for custom resources.</summary>
    public static JsonObject Present(ResourceType type, StoredObject stored)
    {
        if (IsPresentable(type, stored))
        {
            return stored.Object;
        }

        var copy = (JsonObject)stored.Object.DeepClone();
        if (type.Conversion is { } conversion)
        {
            return conversion.FromStorage(copy);
        }

        copy["apiVersion"] = type.ApiVersion;
        if (type.Custom?.Schema is { } schema)
        {
            StructuralSchema.ApplyDefaults(schema, copy);
        }

        return copy;
    }

    public static JsonObject PresentCopy(ResourceType type, StoredObject stored)
    {
        var view = Present(type, stored);
        return ReferenceEquals(view, stored.Object) ? (JsonObject)view.DeepClone() : view;
    }

    // ---------------------------------------------------------------- create

    public WriteResult Create(ResourceType type, string ns, JsonObject body, WriteOptions options)
    {
        RejectTerminatingCrd(type, "create");
        var context = NewContext(options, old: null);
        var obj = body;
        CheckKind(type, obj);
        var meta = obj.Ensure("metadata");
        if (meta["resourceVersion"] is not null && meta.Str("resourceVersion") is { Length: > 0 })
        {
            throw ApiException.Internal("resourceVersion should not be set on objects to be created");
        }

        if (type.HasStatus && options.Subresource is null)
        {
            obj.Remove("status");
        }

        ScrubUnknownFields(type, obj, options, context, apply: false);
        return CreateCore(type, ns, obj, options, context, managedFieldsDone: false);
    }

    private WriteResult CreateCore(ResourceType type, string ns, JsonObject obj, WriteOptions options, WriteContext context, bool managedFieldsDone)
    {
        var meta = obj.Ensure("metadata");
        ns = CheckNamespaceField(type, ns, meta);
        if (meta.Str("name") is not { Length: > 0 })
        {
            if (meta.Str("generateName") is { Length: > 0 } prefix)
            {
                meta["name"] = prefix + _services.RandomSuffix(5);
            }
            else
            {
                throw ApiException.Invalid(type.Group, type.Kind, "", [FieldError.Required("metadata.name", "name or generateName is required")]);
            }
        }

        var name = meta.Str("name")!;
        if (type.Namespaced)
        {
            RequireActiveNamespace(type, ns, name);
        }

        if (type.Custom?.Schema is { } schema)
        {
            StructuralSchema.ApplyDefaults(schema, obj);
        }

        type.Behavior.Default?.Invoke(obj, context);
        if (!managedFieldsDone)
        {
            obj = _fieldManager.Update(null, obj, options.FieldManager, type.PatchSchema, options.Subresource);
            meta = obj.Ensure("metadata");
        }

        var now = context.Now;
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = JsonHelpers.Rfc3339(now);
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta.Remove("selfLink");
        meta.Remove("resourceVersion");
        if (type.HasGeneration)
        {
            meta["generation"] = 1;
        }
        else
        {
            meta.Remove("generation");
        }

        type.Behavior.PrepareForCreate?.Invoke(obj, context);
        Validate(type, obj, null, name, options.Subresource);
        OrderMetadata(obj);
        if (options.DryRun)
        {
            return new WriteResult(obj, null, true, context.Warnings);
        }

        var stored = CommitNew(type, ns, name, obj, now);
        return new WriteResult(Present(type, stored), stored, true, context.Warnings);
    }

    private StoredObject CommitNew(ResourceType type, string ns, string name, JsonObject obj, DateTimeOffset now)
    {
        ToStorageVersion(type, obj);
        try
        {
            return _store.Commit(type.GroupResource, ns, name, null, obj, now, type.Custom?.Token);
        }
        catch (StoreException ex) when (ex.Failure == CommitFailure.AlreadyExists)
        {
            throw ApiException.AlreadyExists(type.Group, type.Plural, name);
        }
    }

    // ---------------------------------------------------------------- update

    public WriteResult Update(ResourceType type, string ns, string name, JsonObject body, WriteOptions options)
    {
        CheckKind(type, body);
        var bodyMeta = body.Ensure("metadata");
        if (bodyMeta.Str("name") is { } bodyName && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        bodyMeta["name"] = name;
        CheckNamespaceField(type, ns, bodyMeta);
        var pinned = ParseResourceVersion(bodyMeta.Str("resourceVersion"));
        var bodyUid = bodyMeta.Str("uid");
        return Mutate(type, ns, name, pinned, options, current =>
        {
            // A PUT carries its uid as a precondition (upstream's UpdatedObjectInfo.Preconditions), checked by the
            // storage layer before validation: a mismatch is a 409 wrapping the storage error, not a 422.
            if (bodyUid is { Length: > 0 } && current.Obj("metadata").Str("uid") is { } liveUid && bodyUid != liveUid)
            {
                throw ApiException.Conflict(type.Group, type.Plural, name,
                    $"StorageError: invalid object, Code: 4, Key: {StorageKey(type, ns, name)}, ResourceVersion: 0, AdditionalErrorMsg: " +
                    $"Precondition failed: UID in precondition: {bodyUid}, UID in object meta: {liveUid}");
            }

            return (JsonObject)body.DeepClone();
        }, applied: false);
    }

    // ---------------------------------------------------------------- patch and apply

    public WriteResult Patch(ResourceType type, string ns, string name, PatchKind kind, JsonNode patch, WriteOptions options)
    {
        if (kind == PatchKind.Apply)
        {
            return Apply(type, ns, name, patch as JsonObject ?? throw ApiException.BadRequest("apply patch must be an object"), options);
        }

        if (kind == PatchKind.Strategic && type.IsCustom)
        {
            throw ApiException.UnsupportedMediaType("application/strategic-merge-patch+json",
                ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]);
        }

        long? pinned = null;
        if (kind is PatchKind.Merge or PatchKind.Strategic && patch is JsonObject p && p.Obj("metadata")?.Str("resourceVersion") is { } rvText)
        {
            pinned = ParseResourceVersion(rvText);
        }

        return Mutate(type, ns, name, pinned, options, current =>
        {
            JsonNode? result;
            try
            {
                result = kind switch
                {
                    PatchKind.Json => JsonPatch.Apply(current, patch as JsonArray ?? throw ApiException.BadRequest("json patch must be a list of operations")),
                    PatchKind.Merge => JsonMergePatch.Apply(current, patch),
                    _ => StrategicMergePatch.Apply(current, patch as JsonObject ?? throw ApiException.BadRequest("strategic merge patch must be an object"), type.PatchSchema),
                };
            }
            catch (PatchException ex)
            {
                throw ApiException.FromPatch(ex);
            }

            if (result is not JsonObject patched)
            {
                throw ApiException.BadRequest("the patch did not produce an object");
            }

            if (kind == PatchKind.Json && patched.Obj("metadata")?.Str("resourceVersion") is { } jsonRv && jsonRv != current.Obj("metadata").Str("resourceVersion"))
            {
                throw ApiException.StaleObject(type.Group, type.Plural, name);
            }

            var meta = patched.Ensure("metadata");
            if (meta.Str("name") != name)
            {
                throw ApiException.BadRequest($"the name of the object ({meta.Str("name")}) does not match the name on the URL ({name})");
            }

            CheckKind(type, patched);
            return patched;
        }, applied: false);
    }

    private WriteResult Apply(ResourceType type, string ns, string name, JsonObject applied, WriteOptions options)
    {
        if (string.IsNullOrEmpty(options.FieldManager) || options.FieldManager == "unknown")
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
            {
                Kind = "PatchOptions",
                Group = "meta.k8s.io",
                Causes = [new StatusCause("FieldValueRequired", "Required value: is required for apply patch", "fieldManager")],
            };
        }

        CheckKind(type, applied, required: true);
        var meta = applied.Ensure("metadata");
        if (meta.Str("name") is { } appliedName && appliedName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({appliedName}) does not match the name on the URL ({name})");
        }

        meta["name"] = name;
        CheckNamespaceField(type, ns, meta);
        var pinned = ParseResourceVersion(meta.Str("resourceVersion"));
        var config = (JsonObject)applied.DeepClone();
        if (options.Subresource is null && type.HasStatus)
        {
            // Status belongs to the status subresource; upstream resets it for main-resource writes before tracking fields.
            config.Remove("status");
        }
        else if (options.Subresource == "status")
        {
            foreach (var key in config.Select(p => p.Key).Where(k => k is not ("apiVersion" or "kind" or "metadata" or "status")).ToList())
            {
                config.Remove(key);
            }
        }

        // Undeclared fields are dropped (and reported per fieldValidation) before the field manager sees them.
        var scrub = NewContext(options, old: null);
        ScrubUnknownFields(type, config, options, scrub, apply: true);

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = Get(type, ns, name);
            if (current is null)
            {
                if (pinned is not null)
                {
                    throw ApiException.NotFound(type.Group, type.Plural, name);
                }

                if (options.Subresource is not null)
                {
                    throw ApiException.NotFound(type.Group, type.Plural, name);
                }

                RejectTerminatingCrd(type, "create");
                var context = NewContext(options, old: null);
                var fresh = (JsonObject)config.DeepClone();
                fresh.Obj("metadata")?.Remove("resourceVersion");
                context.Warnings.AddRange(scrub.Warnings);
                var created = RunApply(null, fresh, options, type);
                try
                {
                    return CreateCore(type, ns, created, options, context, managedFieldsDone: true);
                }
                catch (ApiException ex) when (ex.Reason == "AlreadyExists")
                {
                    continue;
                }
            }

            var result = TryMutateOnce(type, current, pinned, options, live =>
            {
                var ctx = (JsonObject)config.DeepClone();
                return RunApply(live, ctx, options, type);
            }, applied: true, out var retry);
            if (!retry)
            {
                return scrub.Warnings.Count == 0 ? result! : result! with { Warnings = [.. scrub.Warnings, .. result!.Warnings] };
            }
        }

        throw ApiException.StaleObject(type.Group, type.Plural, name);
    }

    private JsonObject RunApply(JsonObject? live, JsonObject config, WriteOptions options, ResourceType type)
    {
        try
        {
            return _fieldManager.Apply(live, config, options.FieldManager, options.Force, type.PatchSchema, options.Subresource);
        }
        catch (ApplyConflictException ex)
        {
            throw ConflictError(ex);
        }
        catch (PatchException ex)
        {
            throw ApiException.FromPatch(ex);
        }
    }

    /// <summary>The 409 kubectl turns into its "Apply failed with N conflicts" help text.</summary>
    private static ApiException ConflictError(ApplyConflictException conflict) =>
        new(409, "Conflict", conflict.Message)
        {
            Causes = conflict.Conflicts.Select(c => new StatusCause("FieldManagerConflict", c.Message, c.Field)).ToList(),
        };

    // ---------------------------------------------------------------- the shared update loop

    private WriteResult Mutate(ResourceType type, string ns, string name, long? pinned, WriteOptions options, Func<JsonObject, JsonObject> compute, bool applied)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = Get(type, ns, name) ?? throw ApiException.NotFound(type.Group, type.Plural, name);
            var result = TryMutateOnce(type, current, pinned, options, compute, applied, out var retry);
            if (!retry)
            {
                return result!;
            }
        }

        throw ApiException.StaleObject(type.Group, type.Plural, name);
    }

    private WriteResult? TryMutateOnce(
        ResourceType type, StoredObject current, long? pinned, WriteOptions options, Func<JsonObject, JsonObject> compute,
        bool applied, out bool retry)
    {
        retry = false;
        if (pinned is { } rv && rv != current.ResourceVersion)
        {
            throw ApiException.StaleObject(type.Group, type.Plural, current.Name);
        }

        var old = Present(type, current);
        var context = NewContext(options, old);
        var input = compute((JsonObject)old.DeepClone());
        var obj = ApplySubresourceRules(type, input, old, options.Subresource);
        if (!applied)
        {
            ScrubUnknownFields(type, obj, options, context, apply: false);
        }

        if (type.Custom?.Schema is { } schema)
        {
            StructuralSchema.ApplyDefaults(schema, obj);
        }

        type.Behavior.Default?.Invoke(obj, context);
        CopySystemFields(obj, old);
        if (!applied && options.Subresource != Binding)
        {
            obj = _fieldManager.Update(old, obj, options.FieldManager, type.PatchSchema, options.Subresource);
        }

        BumpGeneration(type, obj, old);
        Validate(type, obj, old, current.Name, options.Subresource);
        OrderMetadata(obj);
        var meta = (JsonObject)obj["metadata"]!;
        meta["resourceVersion"] = current.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        if (JsonNode.DeepEquals(obj, old))
        {
            // Nothing changed: no write, no new resourceVersion, no watch event (upstream skips the etcd write too).
            return new WriteResult(old, IsPresentable(type, current) ? current : null, false, context.Warnings);
        }

        if (options.DryRun)
        {
            return new WriteResult(obj, null, false, context.Warnings);
        }

        var changedAt = meta.Int("generation") != old.Obj("metadata").Int("generation") ? context.Now : (DateTimeOffset?)null;
        ToStorageVersion(type, obj);
        try
        {
            var stored = _store.Commit(type.GroupResource, current.Namespace, current.Name, current.ResourceVersion, obj, changedAt, type.Custom?.Token);
            DeleteIfFinalized(type, stored);
            return new WriteResult(Present(type, stored), stored, false, context.Warnings);
        }
        catch (StoreException ex) when (ex.Failure == CommitFailure.Conflict && pinned is null)
        {
            retry = true;
            return null;
        }
        catch (StoreException ex) when (ex.Failure == CommitFailure.Conflict)
        {
            throw ApiException.StaleObject(type.Group, type.Plural, current.Name);
        }
        catch (StoreException ex) when (ex.Failure == CommitFailure.NotFound)
        {
            throw ApiException.NotFound(type.Group, type.Plural, current.Name);
        }
    }

    /// <summary>Main-resource writes keep the stored status; status writes change only status; finalize only spec.finalizers.</summary>
    private static JsonObject ApplySubresourceRules(ResourceType type, JsonObject input, JsonObject old, string? subresource)
    {
        switch (subresource)
        {
            case "status":
            {
                var result = (JsonObject)old.DeepClone();
                if (input["status"] is { } status)
                {
                    result["status"] = status.DeepClone();
                }
                else
                {
                    result.Remove("status");
                }

                if (input.Obj("metadata")?["managedFields"] is { } managed)
                {
                    result.Ensure("metadata")["managedFields"] = managed.DeepClone();
                }

                return result;
            }

            case Binding:
            {
                // What pods/binding does: only spec.nodeName moves (the scheduler's write, not a spec update).
                var result = (JsonObject)old.DeepClone();
                result.Ensure("spec")["nodeName"] = input.Obj("spec")?["nodeName"]?.DeepClone();
                return result;
            }

            case "finalize":
            {
                var result = (JsonObject)old.DeepClone();
                result.Ensure("spec")["finalizers"] = input.Obj("spec")?["finalizers"]?.DeepClone() ?? new JsonArray();
                return result;
            }

            default:
                if (type.HasStatus)
                {
                    if (old["status"] is { } oldStatus)
                    {
                        input["status"] = oldStatus.DeepClone();
                    }
                    else
                    {
                        input.Remove("status");
                    }
                }

                if (type.GroupResource == Namespaces)
                {
                    input.Ensure("spec")["finalizers"] = old.Obj("spec")?["finalizers"]?.DeepClone() ?? new JsonArray();
                }

                return input;
        }
    }

    private static void CopySystemFields(JsonObject obj, JsonObject old)
    {
        var meta = obj.Ensure("metadata");
        var oldMeta = old.Obj("metadata") ?? [];
        if (meta.Str("uid") is not { Length: > 0 })
        {
            meta["uid"] = oldMeta["uid"]?.DeepClone();
        }

        meta["name"] = oldMeta["name"]?.DeepClone();
        if (oldMeta["namespace"] is { } ns)
        {
            meta["namespace"] = ns.DeepClone();
        }

        meta["creationTimestamp"] = oldMeta["creationTimestamp"]?.DeepClone();
        CopyOrRemove(meta, oldMeta, "deletionTimestamp");
        CopyOrRemove(meta, oldMeta, "deletionGracePeriodSeconds");
        CopyOrRemove(meta, oldMeta, "generation");
        meta.Remove("selfLink");
        meta.Remove("generateName");
        if (oldMeta["generateName"] is { } generateName)
        {
            meta["generateName"] = generateName.DeepClone();
        }
    }

    private static void CopyOrRemove(JsonObject meta, JsonObject oldMeta, string key)
    {
        if (oldMeta[key] is { } value)
        {
            meta[key] = value.DeepClone();
        }
        else
        {
            meta.Remove(key);
        }
    }

    /// <summary>Generation moves on spec changes only: everything but metadata (and status, when it is a subresource).</summary>
    private static void BumpGeneration(ResourceType type, JsonObject obj, JsonObject old)
    {
        if (!type.HasGeneration)
        {
            return;
        }

        var excludeStatus = type.HasStatus || !type.IsCustom;
        var changed = false;
        foreach (var key in obj.Select(p => p.Key).Union(old.Select(p => p.Key)))
        {
            if (key is "metadata" or "apiVersion" or "kind" || (excludeStatus && key == "status"))
            {
                continue;
            }

            if (!JsonNode.DeepEquals(obj[key], old[key]))
            {
                changed = true;
                break;
            }
        }

        var meta = obj.Ensure("metadata");
        var generation = old.Obj("metadata").Int("generation") ?? 1;
        meta["generation"] = changed ? generation + 1 : generation;
    }

    // ---------------------------------------------------------------- delete

    public DeleteResult Delete(ResourceType type, string ns, string name, DeleteOptions options)
    {
        if (type.GroupResource == Namespaces && ImmortalNamespaces.Contains(name))
        {
            // The NamespaceLifecycle admission plugin (k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle)
            // refuses these before storage, dry runs included.
            throw ApiException.Forbidden("", "namespaces", name, "this namespace may not be deleted");
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = Get(type, ns, name) ?? throw ApiException.NotFound(type.Group, type.Plural, name);
            // rest.BeforeDelete (k8s.io/apiserver/pkg/registry/rest/delete.go) checks these early, naming the kind.
            if (options.PreconditionUid is { } uid && uid != current.Uid)
            {
                throw ApiException.Conflict(type.Group, type.Kind, name,
                    $"the UID in the precondition ({uid}) does not match the UID in record ({current.Uid}). The object might have been deleted and then recreated");
            }

            if (options.PreconditionResourceVersion is { } rvText && rvText != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict(type.Group, type.Kind, name,
                    $"the ResourceVersion in the precondition ({rvText}) does not match the ResourceVersion in record ({current.ResourceVersion}). The object might have been modified");
            }

            var propagation = options.PropagationPolicy ?? (options.OrphanDependents == true ? "Orphan" : null);
            if (propagation is not (null or "Background" or "Foreground" or "Orphan"))
            {
                throw ApiException.Invalid("meta.k8s.io", "DeleteOptions", "", [FieldError.NotSupported("propagationPolicy", propagation, ["Foreground", "Background", "Orphan", "nil"])]);
            }

            var old = Present(type, current);
            var obj = (JsonObject)old.DeepClone();
            var meta = obj.Ensure("metadata");
            var finalizers = current.Finalizers.ToList();
            if (propagation == "Foreground")
            {
                finalizers.Remove(OrphanFinalizer);
                AddOnce(finalizers, ForegroundFinalizer);
            }
            else if (propagation == "Orphan")
            {
                finalizers.Remove(ForegroundFinalizer);
                AddOnce(finalizers, OrphanFinalizer);
            }

            if (type.GroupResource == Crds)
            {
                AddOnce(finalizers, CrdKind.CleanupFinalizer);
            }

            var namespaceFinalizers = type.GroupResource == Namespaces && obj.Obj("spec").Arr("finalizers") is { Count: > 0 };
            if (current.Terminating)
            {
                // Already being deleted: a new propagation policy may still swap the GC finalizer, as upstream allows.
                if (finalizers.SequenceEqual(current.Finalizers) || options.DryRun)
                {
                    return new DeleteResult(old, false);
                }
            }
            else if (finalizers.Count == 0 && !namespaceFinalizers)
            {
                if (options.DryRun)
                {
                    return new DeleteResult(old, true);
                }

                try
                {
                    _store.Commit(type.GroupResource, current.Namespace, current.Name, current.ResourceVersion, null);
                }
                catch (StoreException ex) when (ex.Failure == CommitFailure.Conflict)
                {
                    continue;
                }
                catch (StoreException ex) when (ex.Failure == CommitFailure.NotFound)
                {
                    throw ApiException.NotFound(type.Group, type.Plural, name);
                }

                return new DeleteResult(old, true);
            }

            meta["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)JsonValue.Create(f)!).ToArray());
            if (finalizers.Count == 0)
            {
                meta.Remove("finalizers");
            }

            if (!current.Terminating)
            {
                meta["deletionTimestamp"] = JsonHelpers.Rfc3339(_time.GetUtcNow());
                meta["deletionGracePeriodSeconds"] = 0;
                if (type.HasGeneration)
                {
                    meta["generation"] = (meta.Int("generation") ?? 1) + 1;
                }

                if (type.GroupResource == Namespaces)
                {
                    obj.Ensure("status")["phase"] = "Terminating";
                }

                if (type.GroupResource == Crds)
                {
                    CrdConditions.Set(obj, "Terminating", "True", "InstanceDeletionPending",
                        "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon", _time.GetUtcNow());
                }
            }

            OrderMetadata(obj);
            if (options.DryRun)
            {
                return new DeleteResult(obj, false);
            }

            ToStorageVersion(type, obj);
            try
            {
                var stored = _store.Commit(type.GroupResource, current.Namespace, current.Name, current.ResourceVersion, obj);
                return new DeleteResult(Present(type, stored), false);
            }
            catch (StoreException ex) when (ex.Failure == CommitFailure.Conflict)
            {
                continue;
            }
        }

        throw ApiException.StaleObject(type.Group, type.Plural, name);
    }

    /// <summary>Removes one finalizer (or the namespace's spec finalizer) and deletes the object once none remain.</summary>
    public bool RemoveFinalizer(ResourceType type, string ns, string name, string finalizer, string manager)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = Get(type, ns, name);
            if (current is null || !current.Finalizers.Contains(finalizer))
            {
                return false;
            }

            var obj = (JsonObject)current.Object.DeepClone();
            var meta = obj.Ensure("metadata");
            var remaining = current.Finalizers.Where(f => f != finalizer).ToList();
            if (remaining.Count == 0 && current.Terminating && !(type.GroupResource == Namespaces && obj.Obj("spec").Arr("finalizers") is { Count: > 0 }))
            {
                try
                {
                    _store.Commit(type.GroupResource, current.Namespace, current.Name, current.ResourceVersion, null);
                    return true;
                }
                catch (StoreException)
                {
                    continue;
                }
            }

            if (remaining.Count == 0)
            {
                meta.Remove("finalizers");
            }
            else
            {
                meta["finalizers"] = new JsonArray(remaining.Select(f => (JsonNode)JsonValue.Create(f)!).ToArray());
            }

            obj = _fieldManager.Update(current.Object, obj, manager, type.PatchSchema);
            try
            {
                _store.Commit(type.GroupResource, current.Namespace, current.Name, current.ResourceVersion, obj);
                return true;
            }
            catch (StoreException)
            {
            }
        }

        return false;
    }

    /// <summary>Deletes an object whose metadata and spec finalizers are all gone (after an update removed the last one).</summary>
    public void DeleteIfFinalized(ResourceType type, StoredObject stored)
    {
        if (!stored.Terminating || stored.Finalizers.Count > 0)
        {
            return;
        }

        if (type.GroupResource == Namespaces && stored.Object.Obj("spec").Arr("finalizers") is { Count: > 0 })
        {
            return;
        }

        try
        {
            _store.Commit(type.GroupResource, stored.Namespace, stored.Name, stored.ResourceVersion, null);
        }
        catch (StoreException)
        {
            // Changed or gone meanwhile; the next event re-evaluates.
        }
    }

    private static void AddOnce(List<string> list, string value)
    {
        if (!list.Contains(value))
        {
            list.Add(value);
        }
    }

    // ---------------------------------------------------------------- shared checks

    private WriteContext NewContext(WriteOptions options, JsonObject? old) => new()
    {
        Now = _time.GetUtcNow(),
        Cluster = _services,
        DryRun = options.DryRun,
        Old = old,
    };

    private static string Scope(ResourceType type, string ns) => type.Namespaced ? ns : "";

    /// <summary>The etcd key upstream names in storage errors (most built-ins without their group; CRDs and custom resources with it).</summary>
    private static string StorageKey(ResourceType type, string ns, string name)
    {
        var resource = (type.Group, type.Plural) switch
        {
            ("", "services") => "services/specs",
            ("", "endpoints") => "services/endpoints",
            _ when type.IsCustom || type.GroupResource == Crds => $"{type.Group}/{type.Plural}",
            _ => type.Plural,
        };
        return type.Namespaced ? $"/registry/{resource}/{ns}/{name}" : $"/registry/{resource}/{name}";
    }

    private static void CheckKind(ResourceType type, JsonObject obj, bool required = false)
    {
        var apiVersion = obj.Str("apiVersion");
        var kind = obj.Str("kind");
        if (required && (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind)))
        {
            throw ApiException.BadRequest(string.IsNullOrEmpty(kind) ? "Object 'Kind' is missing in the request body" : "Object 'apiVersion' is missing in the request body");
        }

        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != type.ApiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }

        if (!string.IsNullOrEmpty(kind) && kind != type.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
        }

        // Upstream fills in the URL's group/version/kind when the body leaves them out.
        var rest = obj.Where(p => p.Key is not ("apiVersion" or "kind")).ToList();
        if (obj.Count > 0 && (obj.First().Key != "apiVersion" || apiVersion is null || kind is null))
        {
            obj.Clear();
            obj["apiVersion"] = type.ApiVersion;
            obj["kind"] = type.Kind;
            foreach (var (key, value) in rest)
            {
                obj[key] = value?.DeepClone();
            }
        }
        else
        {
            obj["apiVersion"] = type.ApiVersion;
            obj["kind"] = type.Kind;
        }
    }

    private static string CheckNamespaceField(ResourceType type, string ns, JsonObject meta)
    {
        if (!type.Namespaced)
        {
            meta.Remove("namespace");
            return "";
        }

        if (meta.Str("namespace") is { Length: > 0 } bodyNs && bodyNs != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        meta["namespace"] = ns;
        return ns;
    }

    private void RequireActiveNamespace(ResourceType type, string ns, string name)
    {
        var space = _store.Get(Namespaces, "", ns) ?? throw ApiException.NotFound("", "namespaces", ns);
        if (space.Terminating)
        {
            throw ApiException.Forbidden(type.Group, type.Plural, name,
                $"unable to create new content in namespace {ns} because it is being terminated", "NamespaceTerminating");
        }
    }

    private void RejectTerminatingCrd(ResourceType type, string verb)
    {
        if (!type.IsCustom)
        {
            return;
        }

        var crd = _store.Get(Crds, "", $"{type.Plural}.{type.Group}");
        if (crd is null || crd.Terminating)
        {
            throw ApiException.MethodNotAllowed($"{verb} not allowed while custom resource definition is terminating");
        }
    }

    private static void Validate(ResourceType type, JsonObject obj, JsonObject? old, string name, string? subresource)
    {
        var errors = new List<FieldError>();
        if (type.Behavior.Validate is { } validate)
        {
            validate(obj, old, errors);
        }
        else
        {
            Validation.ValidateMetadata(obj, old, NameRule.Subdomain, errors);
        }

        if (old is not null && subresource is null or "scale" && type.Behavior.ValidateUpdate is { } validateUpdate)
        {
            validateUpdate(obj, old, errors);
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type.Group, type.Kind, name, errors);
        }
    }

    /// <summary>
    /// Drops fields the kind does not declare (CRD pruning; top-level and metadata fields for built-ins) and reports
    /// them per fieldValidation: warnings, a 400 for Strict, nothing for Ignore.
    /// </summary>
    private static void ScrubUnknownFields(ResourceType type, JsonObject obj, WriteOptions options, WriteContext context, bool apply)
    {
        List<string> unknown;
        if (type.Custom is { } custom)
        {
            unknown = custom.Schema is { } schema && !custom.PreserveUnknownFields
                ? StructuralSchema.Prune(schema, obj)
                : PruneMetadata(obj);
        }
        else
        {
            unknown = PruneMetadata(obj);
            if (type.Behavior.TopLevelFields is { } known)
            {
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (!known.Contains(key))
                    {
                        obj.Remove(key);
                        unknown.Add(key);
                    }
                }
            }
        }

        if (unknown.Count == 0 || options.Validation == FieldValidation.Ignore)
        {
            return;
        }

        if (options.Validation == FieldValidation.Strict)
        {
            var fields = string.Join(", ", unknown.Select(f => $"unknown field {FieldError.Quote(f)}"));
            throw ApiException.BadRequest(apply
                ? $"failed to create typed patch object ({type.Group}/{type.Version}, Kind={type.Kind}): {string.Join(", ", unknown.Select(f => "." + f))}: field not declared in schema"
                : $"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {fields}");
        }

        context.Warnings.AddRange(unknown.Select(f => $"unknown field {FieldError.Quote(f)}"));
    }

    private static List<string> PruneMetadata(JsonObject obj)
    {
        var unknown = new List<string>();
        if (obj.Obj("metadata") is { } meta)
        {
            foreach (var key in meta.Select(p => p.Key).ToList())
            {
                if (!ObjectMetaFields.Contains(key))
                {
                    meta.Remove(key);
                    unknown.Add($"metadata.{key}");
                }
            }
        }

        return unknown;
    }

    private static long? ParseResourceVersion(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rv)
            ? rv
            : throw ApiException.BadRequest($"invalid resource version: {text}");
    }

    private static void ToStorageVersion(ResourceType type, JsonObject obj)
    {
        if (type.Conversion is { } conversion)
        {
            conversion.ToStorage(obj);
            return;
        }

        if (type.Custom is not null && type.Version != type.StorageVersion)
        {
            obj["apiVersion"] = type.StorageApiVersion;
        }
    }

    /// <summary>Puts metadata fields in ObjectMeta's order so objects read like a real server's.</summary>
    private static void OrderMetadata(JsonObject obj)
    {
        if (obj.Obj("metadata") is not { } meta)
        {
            return;
        }

        string[] order =
        [
            "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
            "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
        ];
        var entries = meta.ToList();
        var sorted = entries.OrderBy(p => Array.IndexOf(order, p.Key) is var i && i < 0 ? int.MaxValue : i).ToList();
        if (entries.Select(p => p.Key).SequenceEqual(sorted.Select(p => p.Key)))
        {
            return;
        }

        meta.Clear();
        foreach (var (key, value) in sorted)
        {
            meta[key] = value;
        }
    }
}
