using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>
/// JSON patch (RFC 6902) as kube-apiserver applies it (evanphx/json-patch v4): add, remove, replace, move, copy and
/// test, JSON pointers with <c>~0</c>/<c>~1</c> escapes and <c>-</c> for the end of an array. Its quirks are kept:
/// negative array indices count from the end, replace of a missing object member adds it, and a failure is a 422
/// whose detail (<see cref="Exception.Message"/>) is the library's message.
/// </summary>
public static class JsonPatch
{
    /// <summary>Returns the patched document; the inputs are not modified.</summary>
    /// <exception cref="PatchException">An operation is malformed (400) or does not apply (422).</exception>
    public static JsonNode? Apply(JsonNode? target, JsonArray operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var doc = new Root(target?.DeepClone());
        foreach (var item in operations)
        {
            if (item is not JsonObject op)
            {
                throw PatchException.BadRequest(
                    $"json: cannot unmarshal {JsonKindName(item)} into Go value of type jsonpatch.Operation");
            }

            var kind = Text(op, "op") ?? "unknown";
            var error = kind switch
            {
                "add" => Add(doc, op),
                "remove" => Remove(doc, op),
                "replace" => Replace(doc, op),
                "move" => Move(doc, op),
                "test" => Test(doc, op),
                "copy" => Copy(doc, op),
                _ => $"Unexpected kind: {kind}",
            };
            if (error is not null)
            {
                throw PatchException.Unprocessable(error);
            }
        }

        return doc.Node;
    }

    private const string Missing = "missing value";
    private const string InvalidIndex = "invalid index referenced";

    /// <summary>Holds the document so that a container found in it can be updated in place.</summary>
    private sealed class Root(JsonNode? node)
    {
        public JsonNode? Node { get; } = node;
    }

    private static string? Add(Root doc, JsonObject op)
    {
        if (Text(op, "path") is not { } path)
        {
            return $"add operation failed to decode path: {Missing}";
        }

        var (container, key) = FindObject(doc, path);
        if (container is null)
        {
            return $"add operation does not apply: doc is missing path: \"{path}\": {Missing}";
        }

        var error = AddTo(container, key, Value(op));
        return error is null ? null : $"error in add for path: '{path}': {error}";
    }

    private static string? Remove(Root doc, JsonObject op)
    {
        if (Text(op, "path") is not { } path)
        {
            return $"remove operation failed to decode path: {Missing}";
        }

        var (container, key) = FindObject(doc, path);
        if (container is null)
        {
            return $"remove operation does not apply: doc is missing path: \"{path}\": {Missing}";
        }

        var error = RemoveFrom(container, key);
        return error is null ? null : $"error in remove for path: '{path}': {error}";
    }

    private static string? Replace(Root doc, JsonObject op)
    {
        if (Text(op, "path") is not { } path)
        {
            return $"replace operation failed to decode path: {Missing}";
        }

        var (container, key) = FindObject(doc, path);
        if (container is null)
        {
            return $"replace operation does not apply: doc is missing path: {path}: {Missing}";
        }

        if (Get(container, key, out _) is not null)
        {
            return $"replace operation does not apply: doc is missing key: {path}: {Missing}";
        }

        var error = Set(container, key, Value(op));
        return error is null ? null : $"error in remove for path: '{path}': {error}";
    }

    private static string? Move(Root doc, JsonObject op)
    {
        if (Text(op, "from") is not { } from)
        {
            return $"move operation failed to decode from: operation, missing from field: {Missing}";
        }

        var (source, sourceKey) = FindObject(doc, from);
        if (source is null)
        {
            return $"move operation does not apply: doc is missing from path: {from}: {Missing}";
        }

        var error = Get(source, sourceKey, out var value);
        if (error is not null)
        {
            return $"error in move for path: '{sourceKey}': {error}";
        }

        error = RemoveFrom(source, sourceKey);
        if (error is not null)
        {
            return $"error in move for path: '{sourceKey}': {error}";
        }

        if (Text(op, "path") is not { } path)
        {
            return $"move operation failed to decode path: {Missing}";
        }

        var (target, key) = FindObject(doc, path);
        if (target is null)
        {
            return $"move operation does not apply: doc is missing destination path: {path}: {Missing}";
        }

        error = AddTo(target, key, value);
        return error is null ? null : $"error in move for path: '{path}': {error}";
    }

    private static string? Copy(Root doc, JsonObject op)
    {
        if (Text(op, "from") is not { } from)
        {
            return $"copy operation failed to decode from: operation, missing from field: {Missing}";
        }

        var (source, sourceKey) = FindObject(doc, from);
        if (source is null)
        {
            return $"copy operation does not apply: doc is missing from path: {from}: {Missing}";
        }

        var error = Get(source, sourceKey, out var value);
        if (error is not null)
        {
            return $"error in copy for from: '{from}': {error}";
        }

        if (Text(op, "path") is not { } path)
        {
            return $"copy operation failed to decode path: {Missing}";
        }

        var (target, key) = FindObject(doc, path);
        if (target is null)
        {
            return $"copy operation does not apply: doc is missing destination path: {path}: {Missing}";
        }

        error = AddTo(target, key, value?.DeepClone());
        return error is null ? null : $"error while adding value during copy: {error}";
    }

    private static string? Test(Root doc, JsonObject op)
    {
        if (Text(op, "path") is not { } path)
        {
            return $"test operation failed to decode path: {Missing}";
        }

        var expected = Value(op);
        if (path.Length == 0)
        {
            return RawEqual(doc.Node, expected) ? null : $"testing value {path} failed: test failed";
        }

        var (container, key) = FindObject(doc, path);
        if (container is null)
        {
            return $"test operation does not apply: is missing path: {path}: {Missing}";
        }

        var error = Get(container, key, out var actual);
        if (error is not null)
        {
            return $"error in test for path: '{path}': {error}";
        }

        return RawEqual(actual, expected) ? null : $"testing value {path} failed: test failed";
    }

    /// <summary>The container holding the last token of the pointer, and that token; null when the path does not exist.</summary>
    private static (JsonNode? Container, string Key) FindObject(Root doc, string path)
    {
        var split = path.Split('/');
        if (split.Length < 2 || doc.Node is not (JsonObject or JsonArray))
        {
            return (null, "");
        }

        var current = doc.Node;
        for (var i = 1; i < split.Length - 1; i++)
        {
            if (Get(current, Decode(split[i]), out var next) is not null || next is not (JsonObject or JsonArray))
            {
                return (null, "");
            }

            current = next;
        }

        return (current, Decode(split[^1]));
    }

    // RFC 6901: ~1 before ~0, so that "~01" stays "~1".
    private static string Decode(string token) => token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static string? Get(JsonNode? container, string key, out JsonNode? value)
    {
        value = null;
        switch (container)
        {
            case JsonObject obj:
                // A missing member reads as null rather than failing.
                obj.TryGetPropertyValue(key, out value);
                return null;
            case JsonArray arr:
                if (ElementIndex(arr, key, out var index) is { } error)
                {
                    return error;
                }

                value = arr[index];
                return null;
            default:
                return Missing;
        }
    }

    private static string? Set(JsonNode? container, string key, JsonNode? value)
    {
        switch (container)
        {
            case JsonObject obj:
                obj[key] = value;
                return null;
            case JsonArray arr:
                if (ElementIndex(arr, key, out var index) is { } error)
                {
                    return error;
                }

                arr[index] = value;
                return null;
            default:
                return Missing;
        }
    }

    private static string? AddTo(JsonNode? container, string key, JsonNode? value)
    {
        switch (container)
        {
            case JsonObject obj:
                obj[key] = value;
                return null;
            case JsonArray arr:
                if (key == "-")
                {
                    arr.Add(value);
                    return null;
                }

                if (!TryIndex(key, out var index, out var error))
                {
                    return $"value was not a proper array index: '{key}': {error}";
                }

                var size = arr.Count + 1;
                if (index >= size)
                {
                    return $"Unable to access invalid index: {index}: {InvalidIndex}";
                }

                if (index < 0)
                {
                    if (index < -size)
                    {
                        return $"Unable to access invalid index: {index}: {InvalidIndex}";
                    }

                    index += size;
                }

                arr.Insert(index, value);
                return null;
            default:
                return Missing;
        }
    }

    private static string? RemoveFrom(JsonNode? container, string key)
    {
        switch (container)
        {
            case JsonObject obj:
                return obj.Remove(key) ? null : $"Unable to remove nonexistent key: {key}: {Missing}";
            case JsonArray arr:
                if (ElementIndex(arr, key, out var index) is { } error)
                {
                    return error;
                }

                arr.RemoveAt(index);
                return null;
            default:
                return Missing;
        }
    }

    /// <summary>The position of an existing element; a negative index counts from the end.</summary>
    private static string? ElementIndex(JsonArray arr, string key, out int index)
    {
        if (!TryIndex(key, out index, out var error))
        {
            return error;
        }

        if (index < 0 && index >= -arr.Count)
        {
            index += arr.Count;
        }

        return index < 0 || index >= arr.Count ? $"Unable to access invalid index: {index}: {InvalidIndex}" : null;
    }

    private static bool TryIndex(string key, out int index, out string? error)
    {
        error = null;
        if (int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index))
        {
            return true;
        }

        error = $"strconv.Atoi: parsing {GoFormat.Quote(key)}: invalid syntax";
        return false;
    }

    private static JsonNode? Value(JsonObject op) => op["value"]?.DeepClone();

    /// <summary>The library's equality: containers structurally, scalars by their compact JSON text.</summary>
    private static bool RawEqual(JsonNode? a, JsonNode? b)
    {
        switch (a)
        {
            case JsonObject ao:
                if (b is not JsonObject bo || ao.Count != bo.Count)
                {
                    return false;
                }

                foreach (var (key, av) in ao)
                {
                    if (!bo.TryGetPropertyValue(key, out var bv) || !RawEqual(av, bv))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray aa:
                return b is JsonArray ba && aa.Count == ba.Count && aa.Zip(ba).All(p => RawEqual(p.First, p.Second));
            case null:
                return b is null;
        }

        if (b is null or JsonObject or JsonArray)
        {
            return false;
        }

        var av2 = a.AsValue();
        var bv2 = b.AsValue();
        if (av2.GetValueKind() == JsonValueKind.String && bv2.GetValueKind() == JsonValueKind.String)
        {
            return av2.GetValue<string>() == bv2.GetValue<string>();
        }

        return a.ToJsonString() == b.ToJsonString();
    }

    private static string? Text(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string JsonKindName(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            _ => "bool",
        },
    };
}
