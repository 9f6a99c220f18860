using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Objects;
using Keelson.ApiServer.Resources;
using Keelson.ApiServer.Storage;

namespace Keelson.ApiServer.Crds;

/// <summary>Condition helpers for CRD status.</summary>
internal static class CrdConditions
{
    public static void Set(JsonObject crd, string type, string status, string reason, string message, DateTimeOffset now)
    {
        var conditions = crd.Ensure("status")["conditions"] as JsonArray ?? [];
        crd.Ensure("status")["conditions"] = conditions;
        var existing = conditions.Objects().FirstOrDefault(c => c.Str("type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }

        if (existing.Str("status") != status)
        {
            existing["lastTransitionTime"] = JsonHelpers.Rfc3339(now);
        }

        existing["status"] = status;
        existing["reason"] = reason;
        existing["message"] = message;
    }

    public static bool IsTrue(JsonObject crd, string type) =>
        crd.Obj("status").Arr("conditions").Objects().Any(c => c.Str("type") == type && c.Str("status") == "True");
}

/// <summary>
/// Keeps the served resources in step with the stored CRDs. Runs synchronously after every CRD commit, so a custom
/// resource can be created as soon as its CRD's create returned; sets NamesAccepted/Established like upstream's
/// controllers and unregisters the resource (and its storage) when the CRD is finally gone.
/// </summary>
internal sealed class CrdRegistrar(ObjectService objects, ResourceRegistry registry, TimeProvider time)
{
    public static readonly GroupResource Resource = new("apiextensions.k8s.io", "customresourcedefinitions");

    private readonly ConcurrentDictionary<string, GroupResource> _served = new(StringComparer.Ordinal);

    public void OnCommitted(StoreEvent e)
    {
        if (e.Resource == Resource)
        {
            Sync(e.Object.Name);
        }
    }

    public void OnRemoving(StoreEvent e)
    {
        if (e.Resource == Resource)
        {
            Unserve(e.Object.Name);
        }
    }

    public void Sync(string name)
    {
        var stored = objects.Store.Get(Resource, "", name);
        if (stored is null)
        {
            Unserve(name);
            return;
        }

        // A terminating CRD keeps serving what it served (its objects are being deleted) and is never served anew:
        // this may run on a commit's thread after the CRD's final delete, and must not bring back what that unserved.
        if (stored.Terminating)
        {
            return;
        }

        var crd = stored.Object;
        var types = CustomResources.FromCrd(crd);
        var conflict = types.Count == 0 ? null : NameConflict(name, types[0]);
        if (conflict is null && types.Count > 0)
        {
            registry.SetCustom(name, types);
            _served[name] = types[0].GroupResource;
            if (objects.Store.Get(Resource, "", name) is null)
            {
                // Deleted since it was read: that delete unserved it before this served it.
                Unserve(name);
                return;
            }
        }

        var desired = (JsonObject)crd.DeepClone();
        var now = time.GetUtcNow();
        var names = crd.Obj("spec")?.Obj("names")?.DeepClone() as JsonObject ?? [];
        if (conflict is null)
        {
            desired.Ensure("status")["acceptedNames"] = names;
            CrdConditions.Set(desired, "NamesAccepted", "True", "NoConflicts", "no conflicts found", now);
            CrdConditions.Set(desired, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted", now);
        }
        else
        {
            CrdConditions.Set(desired, "NamesAccepted", "False", "ResourceConflict", conflict, now);
            CrdConditions.Set(desired, "Established", "False", "NotAccepted", "not all names are accepted", now);
        }

        var storage = crd.Obj("spec").Arr("versions").Objects().FirstOrDefault(v => v.Bool("storage") == true)?.Str("name");
        var stored2 = desired.Ensure("status")["storedVersions"] as JsonArray ?? [];
        if (storage is not null && !stored2.Any(v => v.AsString() == storage))
        {
            stored2.Add(storage);
        }

        desired.Ensure("status")["storedVersions"] = stored2;
        if (JsonNode.DeepEquals(desired["status"], crd["status"]))
        {
            return;
        }

        try
        {
            var type = registry.FindByKind("apiextensions.k8s.io", "v1", "CustomResourceDefinition")!;
            objects.Update(type, "", name, desired, new WriteOptions { FieldManager = "kube-apiserver", Subresource = "status" });
        }
        catch (Api.ApiException)
        {
            // Raced with another change; that change's commit syncs again.
        }
    }

    private void Unserve(string name)
    {
        registry.RemoveCustom(name);
        if (_served.TryRemove(name, out var gone))
        {
            objects.Store.RemoveResource(gone);
        }
    }

    private string? NameConflict(string crdName, ResourceType candidate)
    {
        foreach (var other in registry.All)
        {
            if (other.Group != candidate.Group || (other.IsCustom && $"{other.Plural}.{other.Group}" == crdName))
            {
                continue;
            }

            if (other.Plural == candidate.Plural)
            {
                return $"\"{candidate.Plural}\" is already in use";
            }

            if (other.Kind == candidate.Kind)
            {
                return $"\"{candidate.Kind}\" is already in use";
            }
        }

        return null;
    }
}
