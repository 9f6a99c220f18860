using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Engine.Diff;

/// <summary>
/// Reduces an object to what a diff should compare. Both sides of a comparison (the live object and the result of a
/// server-side apply dry-run) go through the same steps, so anything the server adds or rewrites on its own appears on
/// both sides; the steps below cover what still differs in practice (Argo CD's and Flux's known traps).
/// </summary>
internal static class Normalizer
{
    private const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>A new object holding only the compared fields, normalised; <paramref name="obj"/> is not changed.</summary>
    public static JsonObject Comparable(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var result = new JsonObject();
        foreach (var (key, value) in obj)
        {
            switch (key)
            {
                case "status":
                    continue;
                case "metadata":
                    if (ComparableMetadata(value as JsonObject) is { } meta)
                    {
                        result["metadata"] = meta;
                    }

                    continue;
                default:
                    result[key] = value?.DeepClone();
                    continue;
            }
        }

        var group = Group(obj);
        var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : "";
        NormalizeKind(result, group, kind);
        return result;
    }

    /// <summary>The digest of <see cref="Comparable"/>: equal digests mean the objects compare equal.</summary>
    public static UInt128 Hash(JsonObject obj) => CanonicalHash.Of(Comparable(obj));

    /// <summary>
    /// Keeps labels and annotations only: the rest of metadata is the server's (uid, resourceVersion, generation,
    /// creationTimestamp, managedFields) or not ours to compare (ownerReferences and finalizers set by controllers).
    /// kubectl's last-applied annotation is dropped: it records another tool's apply, not the object's state.
    /// </summary>
    private static JsonObject? ComparableMetadata(JsonObject? meta)
    {
        if (meta is null)
        {
            return null;
        }

        var result = new JsonObject();
        if (meta["labels"] is JsonObject labels && labels.Count > 0)
        {
            result["labels"] = labels.DeepClone();
        }

        if (meta["annotations"] is JsonObject annotations)
        {
            var kept = new JsonObject();
            foreach (var (key, value) in annotations)
            {
                if (key != LastApplied)
                {
                    kept[key] = value?.DeepClone();
                }
            }

            if (kept.Count > 0)
            {
                result["annotations"] = kept;
            }
        }

        return result;
    }

    private static void NormalizeKind(JsonObject obj, string group, string kind)
    {
        switch (group, kind)
        {
            case ("", "Secret"):
                FoldStringData(obj);
                break;
            case ("apiextensions.k8s.io", "CustomResourceDefinition"):
                DropConversionCaBundle(obj);
                break;
            case ("apps", "StatefulSet"):
                CleanVolumeClaimTemplates(obj);
                break;
            case ("", "ResourceQuota"):
                CanonicalQuantities(At(obj, "spec", "hard") as JsonObject);
                break;
            case ("", "PersistentVolume"):
                CanonicalQuantities(At(obj, "spec", "capacity") as JsonObject);
                break;
            case ("", "LimitRange"):
                if (At(obj, "spec", "limits") is JsonArray limits)
                {
                    foreach (var limit in limits.OfType<JsonObject>())
                    {
                        foreach (var field in (string[])["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"])
                        {
                            CanonicalQuantities(limit[field] as JsonObject);
                        }
                    }
                }

                break;
        }

        Walk(obj, parentKey: null);
    }

    /// <summary>
    /// The API server turns <c>stringData</c> into base64 <c>data</c> (stringData wins on a shared key) and never
    /// returns stringData; folding it the same way lets a desired Secret compare with a live one.
    /// </summary>
    internal static void FoldStringData(JsonObject secret)
    {
        if (secret["stringData"] is not JsonObject stringData)
        {
            return;
        }

        secret.Remove("stringData");
        if (stringData.Count == 0)
        {
            return;
        }

        if (secret["data"] is not JsonObject data)
        {
            data = new JsonObject();
            secret["data"] = data;
        }

        foreach (var (key, value) in stringData)
        {
            var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "";
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        }
    }

    /// <summary>Certificate injectors rewrite the conversion webhook's caBundle; it is not part of the desired state.</summary>
    internal static void DropConversionCaBundle(JsonObject crd)
    {
        if (At(crd, "spec", "conversion", "webhook", "clientConfig") is JsonObject clientConfig)
        {
            clientConfig.Remove("caBundle");
        }

        // apiextensions/v1beta1 spelling.
        if (At(crd, "spec", "conversion", "webhookClientConfig") is JsonObject legacy)
        {
            legacy.Remove("caBundle");
        }
    }

    /// <summary>
    /// A StatefulSet's claim templates come back with a status (phase Pending) and kind/apiVersion the manifest rarely
    /// spells out; neither is desired state.
    /// </summary>
    internal static void CleanVolumeClaimTemplates(JsonObject statefulSet)
    {
        if (At(statefulSet, "spec", "volumeClaimTemplates") is not JsonArray templates)
        {
            return;
        }

        foreach (var template in templates.OfType<JsonObject>())
        {
            template.Remove("status");
            template.Remove("apiVersion");
            template.Remove("kind");
        }
    }

    /// <summary>
    /// Generic steps everywhere in the object: ports without a protocol are TCP, container and claim resources
    /// compare by quantity value, and a null creationTimestamp in an embedded template's metadata is dropped.
    /// </summary>
    private static void Walk(JsonNode? node, string? parentKey)
    {
        switch (node)
        {
            case JsonObject obj:
                if (parentKey == "metadata" && obj["creationTimestamp"] is null && obj.ContainsKey("creationTimestamp"))
                {
                    obj.Remove("creationTimestamp");
                }

                if (parentKey == "resources")
                {
                    CanonicalQuantities(obj["limits"] as JsonObject);
                    CanonicalQuantities(obj["requests"] as JsonObject);
                }

                if (parentKey == "ports")
                {
                    DefaultProtocol(obj);
                }

                foreach (var (key, value) in obj)
                {
                    if (value is JsonObject or JsonArray)
                    {
                        Walk(value, key);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    // Items of an array take the array's key as their parent, so "ports" items are ports.
                    Walk(item, parentKey);
                }

                break;
        }
    }

    /// <summary>A Service or container port without a protocol is TCP (the server's default).</summary>
    internal static void DefaultProtocol(JsonObject port)
    {
        if (!port.ContainsKey("protocol") && (port.ContainsKey("port") || port.ContainsKey("containerPort")))
        {
            port["protocol"] = "TCP";
        }
    }

    internal static void CanonicalQuantities(JsonObject? quantities)
    {
        if (quantities is null)
        {
            return;
        }

        foreach (var key in quantities.Select(p => p.Key).ToList())
        {
            var canonical = quantities[key] switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => Quantity.Canonical(v.GetValue<string>()),
                JsonValue v when v.GetValueKind() == JsonValueKind.Number => Quantity.Canonical(v.ToJsonString()),
                _ => null,
            };
            if (canonical is not null)
            {
                quantities[key] = canonical;
            }
        }
    }

    private static JsonNode? At(JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var name in path)
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(name, out node))
            {
                return null;
            }
        }

        return node;
    }

    private static string Group(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : apiVersion[..slash];
    }
}
