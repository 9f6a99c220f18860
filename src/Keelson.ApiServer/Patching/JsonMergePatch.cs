using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>
/// JSON merge patch (RFC 7386) as kube-apiserver applies it (evanphx/json-patch): objects merge recursively, null
/// deletes a member, anything else replaces. Like the apiserver, nulls inside replaced values are dropped and a patch
/// that is neither an object nor an array is refused.
/// </summary>
public static class JsonMergePatch
{
    /// <summary>Returns the patched document; the inputs are not modified.</summary>
    /// <exception cref="PatchException">The patch is null or a scalar (400 "Invalid JSON Patch").</exception>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        switch (patch)
        {
            case JsonObject patchObject:
                var doc = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : [];
                MergeInto(doc, patchObject);
                return doc;
            case JsonArray patchArray:
                return PruneNulls(patchArray.DeepClone());
            default:
                throw PatchException.BadRequest("Invalid JSON Patch");
        }
    }

    private static void MergeInto(JsonObject doc, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                doc.Remove(key);
                continue;
            }

            var current = doc[key];
            if (current is JsonObject currentObject && value is JsonObject valueObject)
            {
                MergeInto(currentObject, valueObject);
            }
            else if (current is JsonObject)
            {
                // An object replaced by a non-object takes the patch value as it is.
                doc[key] = value.DeepClone();
            }
            else
            {
                doc[key] = PruneNulls(value.DeepClone());
            }
        }
    }

    /// <summary>Removes null members at every depth: a null in a patch means "delete", never a stored value.</summary>
    internal static JsonNode? PruneNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (value is null)
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        PruneNulls(value);
                    }
                }

                break;
            case JsonArray arr:
                foreach (var item in arr)
                {
                    PruneNulls(item);
                }

                break;
        }

        return node;
    }
}
