using System.Text.Json.Nodes;
using Keelson.ApiServer.Api;
using Keelson.ApiServer.Crds;
using Keelson.ApiServer.Objects;
using Keelson.ApiServer.Resources;
using Keelson.ApiServer.Storage;
using Microsoft.Extensions.Logging;

namespace Keelson.ApiServer.Lifecycle;

/// <summary>
/// The always-on machinery a real control plane runs besides the API: garbage collection by ownerReferences
/// (background, foreground, orphan), namespace termination, CRD instance cleanup, the per-namespace
/// <c>kube-root-ca.crt</c> ConfigMap and <c>default</c> ServiceAccount, and service IP release.
/// One loop consumes the store's event feed, so these steps never race one another.
/// </summary>
internal sealed partial class Lifecycle : IAsyncDisposable
{
    private const string Manager = "kube-controller-manager";
    private const string GarbageCollector = "garbage-collector-controller";
    private static readonly GroupResource Namespaces = new("", "namespaces");
    private static readonly GroupResource Services = new("", "services");

    private readonly ObjectService _objects;
    private readonly ResourceRegistry _registry;
    private readonly ClusterServices _services;
    private readonly string? _caPem;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _sweptNamespaces = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sweptCrds = new(StringComparer.Ordinal);
    private Subscription? _subscription;
    private Task _loop = Task.CompletedTask;

    public Lifecycle(ObjectService objects, ClusterServices services, string? caPem, ILogger logger)
    {
        _objects = objects;
        _registry = objects.Registry;
        _services = services;
        _caPem = caPem;
        _logger = logger;
    }

    private ObjectStore Store => _objects.Store;

    public void Start()
    {
        _subscription = Store.Subscribe();
        _loop = Task.Run(() => RunAsync(_subscription, _stop.Token));
    }

    private async Task RunAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    Handle(e);
                }
                catch (Exception ex) when (ex is ApiException or StoreException or InvalidOperationException)
                {
                    LogStepFailed(_logger, e.Resource.ToString(), e.Object.Key, ex.Message);
                }

            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Handle(StoreEvent e)
    {
        CollectGarbage(e);
        TrackNamespaces(e);
        CleanUpCrds(e);
        if (e.Type == StoreEventType.Deleted && e.Resource == Services)
        {
            var spec = e.Object.Object.Obj("spec");
            _services.Release(spec.Str("clusterIP"), spec.Arr("ports").Objects().Select(p => (int)(p.Int("nodePort") ?? 0)).Where(p => p > 0));
        }
    }

    // ------------------------------------------------------------ garbage collection

    private void CollectGarbage(StoreEvent e)
    {
        var obj = e.Object;
        if (e.Type == StoreEventType.Deleted)
        {
            foreach (var dependent in Store.Dependents(obj.Uid))
            {
                ReleaseDependent(dependent, obj.Uid);
            }

            foreach (var owner in obj.Owners)
            {
                if (Store.GetByUid(owner.Uid) is { Terminating: true } ownerObj && ownerObj.Finalizers.Contains(ObjectService.ForegroundFinalizer))
                {
                    FinishForeground(ownerObj);
                }
            }

            return;
        }

        if (obj.Terminating)
        {
            if (obj.Finalizers.Contains(ObjectService.ForegroundFinalizer))
            {
                DeleteDependents(obj, "Foreground");
                FinishForeground(obj);
            }
            else if (obj.Finalizers.Contains(ObjectService.OrphanFinalizer))
            {
                foreach (var key in Store.Dependents(obj.Uid))
                {
                    RemoveOwnerReferences(key, uid => uid == obj.Uid);
                }

                if (TypeOf(e.Resource) is { } type)
                {
                    _objects.RemoveFinalizer(type, obj.Namespace, obj.Name, ObjectService.OrphanFinalizer, Manager);
                }
            }
        }

        var ownersChanged = e.Previous is null || !e.Previous.Owners.SequenceEqual(obj.Owners);
        if (obj.Owners.Count > 0 && ownersChanged && !obj.Terminating)
        {
            // New owners only (by uid, as upstream's referencesDiffs): a flag flipped on a known owner is no new reference.
            ReportInvalidNamespaceOwners(e.Resource, obj, obj.Owners.ExceptBy((e.Previous?.Owners ?? []).Select(o => o.Uid), o => o.Uid));
            CollectIfOwnerless(new ObjectKey(e.Resource, obj.Namespace, obj.Name), obj);
        }
    }

    /// <summary>An owner is gone: delete the dependent when no owner remains, else drop the dangling reference.</summary>
    private void ReleaseDependent(ObjectKey key, string goneOwner)
    {
        if (Store.Get(key.Resource, key.Namespace, key.Name) is { } dependent && dependent.Owners.Any(o => o.Uid == goneOwner))
        {
            CollectIfOwnerless(key, dependent);
        }
    }

    /// <summary>
    /// What upstream's attemptToDeleteItem does with a dependent: nothing while an owner cannot be resolved, drop the
    /// references to absent owners while another owner exists, delete it once every owner is absent.
    /// </summary>
    private void CollectIfOwnerless(ObjectKey key, StoredObject dependent)
    {
        var states = dependent.Owners.Select(o => (Owner: o, State: Resolve(dependent, o))).ToList();
        if (states.Any(s => s.State == OwnerState.Unresolvable))
        {
            return;
        }

        var absent = states.Where(s => s.State == OwnerState.Absent).Select(s => s.Owner.Uid).ToHashSet(StringComparer.Ordinal);
        if (absent.Count == states.Count)
        {
            if (!dependent.Terminating)
            {
                DeleteObject(key, dependent.Uid, "Background");
            }
        }
        else if (absent.Count > 0)
        {
            RemoveOwnerReferences(key, absent.Contains);
        }
    }

    /// <summary>
    /// Finds an owner the way the garbage collector does (isDangling in pkg/controller/garbagecollector): by the
    /// reference's kind and name, in the dependent's namespace when the kind is namespaced, and present only when the
    /// uid matches too. A namespaced owner in another namespace is therefore absent; a cluster-scoped dependent naming a
    /// namespaced kind, or a kind the server does not serve, cannot be resolved and keeps the dependent.
    /// </summary>
    private OwnerState Resolve(StoredObject dependent, OwnerRef owner)
    {
        var (group, version) = SplitApiVersion(owner.ApiVersion);
        if (_registry.FindByKind(group, version, owner.Kind) is not { } type)
        {
            return OwnerState.Unresolvable;
        }

        if (type.Namespaced && dependent.Namespace.Length == 0)
        {
            return OwnerState.Unresolvable;
        }

        var found = Store.Get(type.GroupResource, type.Namespaced ? dependent.Namespace : "", owner.Name);
        return found is not null && found.Uid == owner.Uid ? OwnerState.Present : OwnerState.Absent;
    }

    private static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }

    /// <summary>
    /// The Warning event upstream's graph builder records (reportInvalidNamespaceOwnerRef) when a dependent gains a
    /// reference to an owner of a namespaced kind that lives in another namespace, or a cluster-scoped dependent one.
    /// </summary>
    private void ReportInvalidNamespaceOwners(GroupResource resource, StoredObject dependent, IEnumerable<OwnerRef> added)
    {
        foreach (var owner in added)
        {
            var (group, version) = SplitApiVersion(owner.ApiVersion);
            if (_registry.FindByKind(group, version, owner.Kind) is not { Namespaced: true } ||
                Store.GetByUid(owner.Uid) is not { } found || found.Namespace == dependent.Namespace)
            {
                continue;
            }

            var dependentType = TypeOf(resource);
            var now = _objects.Time.GetUtcNow();
            var events = _registry.Find("", "v1", "events")!;
            var ns = dependent.Namespace.Length == 0 ? "default" : dependent.Namespace;
            TryCreate(events, ns, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Event",
                ["metadata"] = new JsonObject { ["name"] = $"{dependent.Name}.{(now - DateTimeOffset.UnixEpoch).Ticks * 100:x}" },
                ["involvedObject"] = new JsonObject
                {
                    ["kind"] = dependentType?.Kind,
                    ["namespace"] = dependent.Namespace.Length == 0 ? null : dependent.Namespace,
                    ["name"] = dependent.Name,
                    ["uid"] = dependent.Uid,
                    ["apiVersion"] = dependentType?.ApiVersion,
                },
                ["reason"] = "OwnerRefInvalidNamespace",
                ["message"] = $"ownerRef [{owner.ApiVersion}/{owner.Kind}, namespace: {dependent.Namespace}, name: {owner.Name}, uid: {owner.Uid}] does not exist in namespace \"{dependent.Namespace}\"",
                ["source"] = new JsonObject { ["component"] = GarbageCollector },
                ["firstTimestamp"] = JsonHelpers.Rfc3339(now),
                ["lastTimestamp"] = JsonHelpers.Rfc3339(now),
                ["count"] = 1,
                ["type"] = "Warning",
                ["reportingComponent"] = GarbageCollector,
                ["reportingInstance"] = "",
            }, new WriteOptions { FieldManager = Manager });
        }
    }

    private void DeleteDependents(StoredObject owner, string propagation)
    {
        foreach (var key in Store.Dependents(owner.Uid))
        {
            if (Store.Get(key.Resource, key.Namespace, key.Name) is { Terminating: false } dependent)
            {
                DeleteObject(key, dependent.Uid, propagation);
            }
        }
    }

    /// <summary>Foreground deletion completes once no dependent with blockOwnerDeletion remains.</summary>
    private void FinishForeground(StoredObject owner)
    {
        var blocking = Store.Dependents(owner.Uid)
            .Select(k => Store.Get(k.Resource, k.Namespace, k.Name))
            .Any(d => d is not null && d.Owners.Any(o => o.Uid == owner.Uid && o.BlockOwnerDeletion));
        if (blocking)
        {
            return;
        }

        if (Store.FindByUid(owner.Uid) is { } key && TypeOf(key.Resource) is { } type)
        {
            _objects.RemoveFinalizer(type, owner.Namespace, owner.Name, ObjectService.ForegroundFinalizer, Manager);
        }
    }

    private void DeleteObject(ObjectKey key, string uid, string propagation)
    {
        if (TypeOf(key.Resource) is not { } type)
        {
            return;
        }

        try
        {
            _objects.Delete(type, key.Namespace, key.Name, new DeleteOptions { PropagationPolicy = propagation, PreconditionUid = uid });
        }
        catch (ApiException ex) when (ex.Code is 404 or 409)
        {
            // Gone or replaced meanwhile.
        }
    }

    private void RemoveOwnerReferences(ObjectKey key, Func<string, bool> remove)
    {
        if (TypeOf(key.Resource) is not { } type || Store.Get(key.Resource, key.Namespace, key.Name) is not { } current)
        {
            return;
        }

        var refs = current.Object.Obj("metadata").Arr("ownerReferences").Objects().Where(r => !remove(r.Str("uid") ?? "")).Select(r => r.DeepClone()).ToArray();
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["ownerReferences"] = refs.Length == 0 ? null : new JsonArray(refs),
            },
        };
        try
        {
            _objects.Patch(type, key.Namespace, key.Name, PatchKind.Merge, patch, new WriteOptions { FieldManager = Manager });
        }
        catch (ApiException ex) when (ex.Code is 404 or 409 or 422)
        {
        }
    }

    // ------------------------------------------------------------ namespaces

    private void TrackNamespaces(StoreEvent e)
    {
        if (e.Resource == Namespaces)
        {
            var name = e.Object.Name;
            if (e.Type == StoreEventType.Deleted)
            {
                _sweptNamespaces.Remove(name);
                return;
            }

            if (e.Object.Terminating)
            {
                if (_sweptNamespaces.Add(name))
                {
                    SweepNamespace(name);
                }

                FinalizeIfEmpty(e.Object);
            }
            else if (e.Type == StoreEventType.Added && _caPem is not null)
            {
                PublishNamespaceDefaults(name, _caPem);
            }

            return;
        }

        if (e.Object.Namespace.Length == 0 || Store.Get(Namespaces, "", e.Object.Namespace) is not { Terminating: true } space)
        {
            return;
        }

        if (e.Type == StoreEventType.Deleted)
        {
            FinalizeIfEmpty(space);
        }
        else if (e.Type == StoreEventType.Added && !e.Object.Terminating)
        {
            // Created just before the namespace began terminating, after the sweep looked: delete it too.
            DeleteObject(new ObjectKey(e.Resource, e.Object.Namespace, e.Object.Name), e.Object.Uid, "Background");
        }
    }

    private IEnumerable<GroupResource> NamespacedResources() =>
        Store.Resources.Where(r => _registry.Storage(r) is { Namespaced: true });

    private void SweepNamespace(string ns)
    {
        foreach (var resource in NamespacedResources())
        {
            foreach (var obj in Store.Snapshot(resource, out _).Enumerate(ns).ToList())
            {
                if (!obj.Terminating)
                {
                    DeleteObject(new ObjectKey(resource, ns, obj.Name), obj.Uid, "Background");
                }
            }
        }
    }

    private void FinalizeIfEmpty(StoredObject space)
    {
        if (NamespacedResources().Any(r => Store.Snapshot(r, out _).CountIn(space.Name) > 0))
        {
            return;
        }

        if (space.Object.Obj("spec").Arr("finalizers") is not { Count: > 0 } finalizers || !finalizers.Any(f => f.AsString() == "kubernetes"))
        {
            return;
        }

        var type = TypeOf(Namespaces)!;
        var desired = (JsonObject)space.Object.DeepClone();
        desired.Ensure("spec")["finalizers"] = new JsonArray(finalizers.Where(f => f.AsString() != "kubernetes").Select(f => f?.DeepClone()).ToArray());
        _objects.Update(type, "", space.Name, desired, new WriteOptions { FieldManager = Manager, Subresource = "finalize" });
    }

    private void PublishNamespaceDefaults(string ns, string caPem)
    {
        var configMaps = _registry.Find("", "v1", "configmaps")!;
        var accounts = _registry.Find("", "v1", "serviceaccounts")!;
        var options = new WriteOptions { FieldManager = Manager };
        TryCreate(configMaps, ns, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = "kube-root-ca.crt",
                ["annotations"] = new JsonObject { ["kubernetes.io/description"] = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." },
            },
            ["data"] = new JsonObject { ["ca.crt"] = caPem },
        }, options);
        TryCreate(accounts, ns, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = "default" },
        }, options);
    }

    private void TryCreate(ResourceType type, string ns, JsonObject obj, WriteOptions options)
    {
        try
        {
            _objects.Create(type, ns, obj, options);
        }
        catch (ApiException ex) when (ex.Code is 409 or 403 or 404)
        {
        }
    }

    // ------------------------------------------------------------ CRD cleanup

    private void CleanUpCrds(StoreEvent e)
    {
        if (e.Resource == CrdRegistrar.Resource)
        {
            if (e.Type == StoreEventType.Deleted)
            {
                _sweptCrds.Remove(e.Object.Name);
            }
            else if (e.Object.Terminating && e.Object.Finalizers.Contains(CrdKind.CleanupFinalizer))
            {
                CleanUpCrd(e.Object);
            }

            return;
        }

        if (e.Type == StoreEventType.Deleted && e.Resource.Group.Contains('.', StringComparison.Ordinal) &&
            Store.Get(CrdRegistrar.Resource, "", $"{e.Resource.Resource}.{e.Resource.Group}") is { Terminating: true } crd)
        {
            CleanUpCrd(crd);
        }
    }

    private void CleanUpCrd(StoredObject crd)
    {
        var spec = crd.Object.Obj("spec");
        var resource = new GroupResource(spec.Str("group") ?? "", spec.Obj("names").Str("plural") ?? "");
        var state = Store.Snapshot(resource, out _);
        if (state.Count > 0)
        {
            if (_sweptCrds.Add(crd.Name))
            {
                foreach (var obj in state.Enumerate(null).ToList())
                {
                    if (!obj.Terminating)
                    {
                        DeleteObject(new ObjectKey(resource, obj.Namespace, obj.Name), obj.Uid, "Background");
                    }
                }
            }

            return;
        }

        _objects.RemoveFinalizer(TypeOf(CrdRegistrar.Resource)!, "", crd.Name, CrdKind.CleanupFinalizer, "kube-apiserver");
    }

    private ResourceType? TypeOf(GroupResource resource) => _registry.Storage(resource);

    private enum OwnerState
    {
        Present,
        Absent,
        Unresolvable,
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _subscription?.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
