using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer;

/// <summary>Small accessors for unstructured objects; every missing or mistyped value reads as null.</summary>
internal static class JsonHelpers
{
    public static JsonObject? Obj(this JsonNode? node, string key) => (node as JsonObject)?[key] as JsonObject;

    public static JsonArray? Arr(this JsonNode? node, string key) => (node as JsonObject)?[key] as JsonArray;

    public static string? Str(this JsonNode? node, string key) => (node as JsonObject)?[key].AsString();

    public static long? Int(this JsonNode? node, string key) => (node as JsonObject)?[key].AsLong();

    public static bool? Bool(this JsonNode? node, string key) =>
        (node as JsonObject)?[key]?.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };

    public static string? AsString(this JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static long? AsLong(this JsonNode? node)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            if (v.TryGetValue<long>(out var l))
            {
                return l;
            }

            if (long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out l))
            {
                return l;
            }

            if (double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Truncate(d))
            {
                return (long)d;
            }
        }

        return null;
    }

    /// <summary>The child object at key, created when absent (or replaced when not an object).</summary>
    public static JsonObject Ensure(this JsonObject obj, string key)
    {
        if (obj[key] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        obj[key] = created;
        return created;
    }

    /// <summary>Sets key to value only when absent or null (the defaulting rule).</summary>
    public static void Default(this JsonObject obj, string key, JsonNode? value)
    {
        if (obj[key] is null)
        {
            obj[key] = value;
        }
    }

    /// <summary>Sets a string default when absent, null or empty (Go defaulting treats "" as unset).</summary>
    public static void DefaultString(this JsonObject obj, string key, string value)
    {
        if (obj[key] is null || obj[key].AsString() == "")
        {
            obj[key] = value;
        }
    }

    public static JsonNode? At(this JsonNode? node, string dottedPath)
    {
        foreach (var part in dottedPath.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = (node as JsonObject)?[part];
        }

        return node;
    }

    public static IEnumerable<JsonObject> Objects(this JsonArray? array) => array?.OfType<JsonObject>() ?? [];

    public static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTime(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    public static bool IsNull(this JsonNode? node) => node is null || node.GetValueKind() == JsonValueKind.Null;
}
