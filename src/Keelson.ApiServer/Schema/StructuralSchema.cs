using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Schema;

/// <summary>
/// The structural-schema operations kube-apiserver performs on custom resources besides validation:
/// pruning of fields the schema does not declare (and of nulls in non-nullable fields), and defaulting.
/// </summary>
internal static class StructuralSchema
{
    /// <summary>ObjectMeta fields kept in a custom resource's metadata; anything else is dropped as upstream does.</summary>
    private static readonly HashSet<string> ObjectMetaFields =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    ];

    /// <summary>Removes undeclared fields in place; returns their paths (for unknown-field warnings and strict errors).</summary>
    public static List<string> Prune(JsonSchemaNode schema, JsonObject root, bool isResourceRoot = true)
    {
        var pruned = new List<string>();
        PruneObject(schema.Resolved, root, "", isResourceRoot, pruned);
        return pruned;
    }

    private static void PruneNode(JsonSchemaNode schema, JsonNode? value, string path, List<string> pruned)
    {
        var s = schema.Resolved;
        switch (value)
        {
            case JsonObject obj:
                PruneObject(s, obj, path, s.EmbeddedResource, pruned);
                break;
            case JsonArray array when s.Items is { } items:
                for (var i = 0; i < array.Count; i++)
                {
                    PruneNode(items, array[i], $"{path}[{i}]", pruned);
                }

                break;
        }
    }

    private static void PruneObject(JsonSchemaNode s, JsonObject obj, string path, bool resourceRoot, List<string> pruned)
    {
        foreach (var key in obj.Select(p => p.Key).ToList())
        {
            var child = obj[key];
            var childPath = SchemaValidator.Child(path, key);
            if (resourceRoot && key is "apiVersion" or "kind")
            {
                continue;
            }

            if (resourceRoot && key == "metadata")
            {
                if (child is JsonObject meta)
                {
                    foreach (var metaKey in meta.Select(p => p.Key).ToList())
                    {
                        if (!ObjectMetaFields.Contains(metaKey))
                        {
                            meta.Remove(metaKey);
                            pruned.Add($"{childPath}.{metaKey}");
                        }
                    }
                }

                continue;
            }

            JsonSchemaNode? childSchema = null;
            if (s.Properties.TryGetValue(key, out var declared))
            {
                childSchema = declared;
            }
            else if (s.AdditionalProperties is { } extra)
            {
                childSchema = extra;
            }
            else if (s.PatternProperties.FirstOrDefault(p => p.Pattern.IsMatch(key)) is { Schema: { } byPattern })
            {
                childSchema = byPattern;
            }

            if (childSchema is null)
            {
                if (!s.PreserveUnknownFields && !s.AdditionalPropertiesTrue)
                {
                    obj.Remove(key);
                    pruned.Add(childPath);
                }

                continue;
            }

            if ((child is null || child.GetValueKind() == JsonValueKind.Null) && !childSchema.Resolved.Nullable)
            {
                // Upstream drops nulls in non-nullable fields before defaulting, so a default can take their place.
                obj.Remove(key);
                continue;
            }

            PruneNode(childSchema, child, childPath, pruned);
        }
    }

    /// <summary>Fills in <c>default</c> values for absent fields, in place, recursively.</summary>
    public static void ApplyDefaults(JsonSchemaNode schema, JsonNode? value)
    {
        var s = schema.Resolved;
        switch (value)
        {
            case JsonObject obj:
                foreach (var (name, property) in s.Properties)
                {
                    if (!obj.ContainsKey(name) && property.Resolved.Default is { } fallback)
                    {
                        obj[name] = fallback.DeepClone();
                    }
                }

                foreach (var (key, child) in obj.ToList())
                {
                    if (s.Properties.TryGetValue(key, out var declared))
                    {
                        ApplyDefaults(declared, child);
                    }
                    else if (s.AdditionalProperties is { } extra)
                    {
                        ApplyDefaults(extra, child);
                    }
                }

                break;
            case JsonArray array when s.Items is { } items:
                foreach (var item in array)
                {
                    ApplyDefaults(items, item);
                }

                break;
        }
    }
}
