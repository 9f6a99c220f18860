using System.Globalization;
using System.Text.Json.Nodes;

namespace Keelson.Kubernetes;

/// <summary>A reference from an object to its owner (metadata.ownerReferences[]).</summary>
public sealed record OwnerReference(string ApiVersion, string Kind, string Name, string Uid)
{
    public bool? Controller { get; init; }

    public bool? BlockOwnerDeletion { get; init; }
}

/// <summary>Reading and writing common metadata of unstructured objects.</summary>
public static class KubeObject
{
    /// <summary>The cache key of an object: "namespace/name", or "name" when cluster-scoped.</summary>
    public static string Key(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    /// <summary>Splits a key made by <see cref="Key(string?, string)"/>.</summary>
    public static (string? Namespace, string Name) SplitKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
    }

    public static string? GetKey(this JsonObject obj) => obj.GetName() is { } name ? Key(obj.GetNamespace(), name) : null;

    public static string? GetApiVersion(this JsonObject obj) => Json.String(obj, "apiVersion");

    public static string? GetKind(this JsonObject obj) => Json.String(obj, "kind");

    public static string? GetName(this JsonObject obj) => Json.String(Meta(obj), "name");

    public static string? GetGenerateName(this JsonObject obj) => Json.String(Meta(obj), "generateName");

    public static string? GetNamespace(this JsonObject obj) => Json.String(Meta(obj), "namespace") is { Length: > 0 } ns ? ns : null;

    public static string? GetResourceVersion(this JsonObject obj) => Json.String(Meta(obj), "resourceVersion");

    public static string? GetUid(this JsonObject obj) => Json.String(Meta(obj), "uid");

    public static long? GetGeneration(this JsonObject obj) => Json.Long(Meta(obj), "generation");

    public static DateTimeOffset? GetCreationTimestamp(this JsonObject obj) => KubeTime.Parse(Json.String(Meta(obj), "creationTimestamp"));

    public static DateTimeOffset? GetDeletionTimestamp(this JsonObject obj) => KubeTime.Parse(Json.String(Meta(obj), "deletionTimestamp"));

    public static IReadOnlyDictionary<string, string> GetLabels(this JsonObject obj) => StringMap(Json.Object(Meta(obj), "labels"));

    public static IReadOnlyDictionary<string, string> GetAnnotations(this JsonObject obj) => StringMap(Json.Object(Meta(obj), "annotations"));

    public static string? GetLabel(this JsonObject obj, string key) => Json.String(Json.Object(Meta(obj), "labels"), key);

    public static string? GetAnnotation(this JsonObject obj, string key) => Json.String(Json.Object(Meta(obj), "annotations"), key);

    public static IReadOnlyList<string> GetFinalizers(this JsonObject obj) =>
        Json.Array(Meta(obj), "finalizers")?.Select(f => f is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>().ToList() ?? [];

    public static IReadOnlyList<OwnerReference> GetOwnerReferences(this JsonObject obj)
    {
        if (Json.Array(Meta(obj), "ownerReferences") is not { } refs)
        {
            return [];
        }

        var list = new List<OwnerReference>(refs.Count);
        foreach (var r in refs.OfType<JsonObject>())
        {
            list.Add(new OwnerReference(
                Json.String(r, "apiVersion") ?? "", Json.String(r, "kind") ?? "", Json.String(r, "name") ?? "", Json.String(r, "uid") ?? "")
            {
                Controller = Json.Bool(r, "controller"),
                BlockOwnerDeletion = Json.Bool(r, "blockOwnerDeletion"),
            });
        }

        return list;
    }

    /// <summary>The metadata object, created when absent.</summary>
    public static JsonObject EnsureMetadata(this JsonObject obj) => Json.Ensure(obj, "metadata");

    public static JsonObject SetName(this JsonObject obj, string name)
    {
        obj.EnsureMetadata()["name"] = name;
        return obj;
    }

    public static JsonObject SetNamespace(this JsonObject obj, string? ns)
    {
        var meta = obj.EnsureMetadata();
        if (ns is null)
        {
            meta.Remove("namespace");
        }
        else
        {
            meta["namespace"] = ns;
        }

        return obj;
    }

    public static JsonObject SetResourceVersion(this JsonObject obj, string? resourceVersion)
    {
        var meta = obj.EnsureMetadata();
        if (resourceVersion is null)
        {
            meta.Remove("resourceVersion");
        }
        else
        {
            meta["resourceVersion"] = resourceVersion;
        }

        return obj;
    }

    public static JsonObject SetLabel(this JsonObject obj, string key, string? value) => SetMapEntry(obj, "labels", key, value);

    public static JsonObject SetAnnotation(this JsonObject obj, string key, string? value) => SetMapEntry(obj, "annotations", key, value);

    private static JsonObject SetMapEntry(JsonObject obj, string map, string key, string? value)
    {
        var meta = obj.EnsureMetadata();
        if (value is null)
        {
            if (Json.Object(meta, map) is { } existing)
            {
                existing.Remove(key);
            }
        }
        else
        {
            Json.Ensure(meta, map)[key] = value;
        }

        return obj;
    }

    private static JsonObject? Meta(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Json.Object(obj, "metadata");
    }

    private static Dictionary<string, string> StringMap(JsonObject? map)
    {
        var result = new Dictionary<string, string>(map?.Count ?? 0, StringComparer.Ordinal);
        if (map is not null)
        {
            foreach (var (key, value) in map)
            {
                if (value is JsonValue v && v.TryGetValue(out string? s))
                {
                    result[key] = s;
                }
            }
        }

        return result;
    }
}

/// <summary>Kubernetes time formats: <c>Time</c> (RFC 3339, seconds) and <c>MicroTime</c> (microseconds).</summary>
public static class KubeTime
{
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string FormatMicro(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Parse(string? value) =>
        !string.IsNullOrEmpty(value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : null;
}
