using System.Text.Json.Nodes;
using Keelson.Kubernetes;

namespace Keelson.Engine;

/// <summary>
/// Which object: group, version, kind, namespace (null when cluster-scoped) and name. The identity of an object is
/// everything but the version (one object is served at several versions), so compare <see cref="Key"/>, not records.
/// </summary>
public sealed record ResourceRef(string Group, string Version, string Kind, string? Namespace, string Name)
{
    /// <summary>"group/Kind/namespace/name": the identity, without the version.</summary>
    public string Key => $"{Group}/{Kind}/{Namespace}/{Name}";

    /// <summary>Flux's inventory id: <c>namespace_name_group_Kind</c> (Kubernetes names never hold '_').</summary>
    public string InventoryId => $"{Namespace}_{Name}_{Group}_{Kind}";

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public GroupVersionKind GroupVersionKind => new(Group, Version, Kind);

    /// <summary>Reads apiVersion, kind, namespace and name of an object; null when any but the namespace is missing.</summary>
    public static ResourceRef? Of(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var apiVersion = obj.GetApiVersion();
        var kind = obj.GetKind();
        var name = obj.GetName();
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(name))
        {
            return null;
        }

        var gvk = GroupVersionKind.FromApiVersion(apiVersion, kind);
        return new ResourceRef(gvk.Group, gvk.Version, kind, obj.GetNamespace(), name);
    }

    /// <summary>"Deployment shop/web" or "Namespace shop": how messages name an object.</summary>
    public override string ToString() => Namespace is { Length: > 0 } ns ? $"{Kind} {ns}/{Name}" : $"{Kind} {Name}";
}

/// <summary>
/// One object an owner applied, as kept in the owner's status (<c>status.inventory[]</c> of an Application:
/// <c>{id: Id, v: Version}</c>) so a later run can prune what is no longer rendered.
/// </summary>
public sealed record InventoryEntry(string Id, string Version)
{
    public static InventoryEntry Of(ResourceRef resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return new InventoryEntry(resource.InventoryId, resource.Version);
    }

    /// <summary>The object the entry names; null when the id is not <c>namespace_name_group_Kind</c>.</summary>
    public ResourceRef? ToRef()
    {
        var parts = Id.Split('_');
        if (parts.Length != 4 || parts[1].Length == 0 || parts[3].Length == 0 || string.IsNullOrEmpty(Version))
        {
            return null;
        }

        return new ResourceRef(parts[2], Version, parts[3], parts[0].Length == 0 ? null : parts[0], parts[1]);
    }
}
