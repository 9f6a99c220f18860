// Stand-in for the Patching library (branch `patching`) so the simulator builds before it lands on main.
// Naive on purpose: merge patch semantics everywhere, no conflict detection. Deleted when the real library is merged.
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

public sealed class TypeSchema
{
    private TypeSchema(bool strategic) => SupportsStrategicMergePatch = strategic;

    public static TypeSchema Unstructured { get; } = new(false);

    public bool SupportsStrategicMergePatch { get; }

    public static TypeSchema ForBuiltIn(string group, string version, string kind) => new(true);

    public static TypeSchema FromOpenApi(JsonObject openApiV3Schema) => new(false);
}

public static class JsonMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = Apply(result[key], value);
                result[key] = merged;
            }
        }

        return result;
    }
}

public static class JsonPatch
{
    public static JsonNode? Apply(JsonNode? target, JsonArray operations)
    {
        var doc = target?.DeepClone();
        foreach (var op in operations)
        {
            if (op is not JsonObject o)
            {
                throw new PatchException("operation is not an object");
            }

            var kind = (string?)o["op"];
            var path = (string?)o["path"] ?? throw new PatchException("missing path");
            switch (kind)
            {
                case "add":
                case "replace":
                    doc = Set(doc, path, o["value"]?.DeepClone(), kind == "add");
                    break;
                case "remove":
                    doc = Remove(doc, path);
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), o["value"]))
                    {
                        throw new PatchException($"test failed at {path}");
                    }

                    break;
                default:
                    throw new PatchException($"unsupported op {kind}");
            }
        }

        return doc;
    }

    private static string[] Split(string path) =>
        path.Length == 0 ? [] : path[1..].Split('/').Select(p => p.Replace("~1", "/").Replace("~0", "~")).ToArray();

    private static JsonNode? Get(JsonNode? doc, string path)
    {
        var node = doc;
        foreach (var part in Split(path))
        {
            node = node switch
            {
                JsonObject obj => obj[part],
                JsonArray arr when int.TryParse(part, out var i) && i < arr.Count => arr[i],
                _ => throw new PatchException($"path {path} not found"),
            };
        }

        return node;
    }

    private static JsonNode? Set(JsonNode? doc, string path, JsonNode? value, bool add)
    {
        var parts = Split(path);
        if (parts.Length == 0)
        {
            return value;
        }

        var parent = Get(doc, "/" + string.Join('/', parts[..^1]).Replace("~", "~0"));
        var last = parts[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray arr when last == "-":
                arr.Add(value);
                break;
            case JsonArray arr when int.TryParse(last, out var i):
                if (add)
                {
                    arr.Insert(i, value);
                }
                else
                {
                    arr[i] = value;
                }

                break;
            default:
                throw new PatchException($"path {path} not found");
        }

        return doc;
    }

    private static JsonNode? Remove(JsonNode? doc, string path)
    {
        var parts = Split(path);
        var parent = parts.Length == 1 ? doc : Get(doc, "/" + string.Join('/', parts[..^1]));
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(parts[^1]):
                obj.Remove(parts[^1]);
                break;
            case JsonArray arr when int.TryParse(parts[^1], out var i) && i < arr.Count:
                arr.RemoveAt(i);
                break;
            default:
                throw new PatchException($"path {path} not found");
        }

        return doc;
    }
}

public static class StrategicMergePatch
{
    public static JsonObject Apply(JsonObject original, JsonObject patch, TypeSchema schema) =>
        (JsonObject)JsonMergePatch.Apply(original, patch)!;
}

public sealed class FieldManager(TimeProvider time)
{
    public JsonObject Apply(JsonObject? live, JsonObject applied, string manager, bool force, TypeSchema schema, string? subresource = null)
    {
        var result = (JsonObject)JsonMergePatch.Apply(live ?? new JsonObject(), applied)!;
        Record(result, manager, "Apply", (string?)applied["apiVersion"], subresource);
        return result;
    }

    public JsonObject Update(JsonObject? live, JsonObject updated, string manager, TypeSchema schema, string? subresource = null)
    {
        var result = (JsonObject)updated.DeepClone();
        if (live?["metadata"]?["managedFields"] is JsonArray previous && result["metadata"] is JsonObject meta && meta["managedFields"] is null)
        {
            meta["managedFields"] = previous.DeepClone();
        }

        Record(result, manager, "Update", (string?)updated["apiVersion"], subresource);
        return result;
    }

    private void Record(JsonObject obj, string manager, string operation, string? apiVersion, string? subresource)
    {
        if (obj["metadata"] is not JsonObject meta)
        {
            meta = new JsonObject();
            obj["metadata"] = meta;
        }

        var entries = meta["managedFields"] as JsonArray ?? new JsonArray();
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if ((string?)entries[i]?["manager"] == manager && (string?)entries[i]?["operation"] == operation &&
                (string?)entries[i]?["subresource"] == subresource)
            {
                entries.RemoveAt(i);
            }
        }

        var entry = new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = operation,
            ["apiVersion"] = apiVersion,
            ["time"] = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = new JsonObject(),
        };
        if (subresource is not null)
        {
            entry["subresource"] = subresource;
        }

        entries.Add(entry);
        meta["managedFields"] = entries;
    }
}

public sealed record FieldConflict(string Manager, string ApiVersion, string Field);

public sealed class ApplyConflictException(IReadOnlyList<FieldConflict> conflicts) : Exception("apply conflict")
{
    public IReadOnlyList<FieldConflict> Conflicts { get; } = conflicts;
}

public sealed class PatchException(string message) : Exception(message);
