using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Operator.Applications;

/// <summary>Tolerant readers for unstructured JSON: a missing field or a field of the wrong type reads as null.</summary>
internal static class JsonRead
{
    public static string? String(JsonNode? parent, string name) =>
        parent is JsonObject obj && obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static long? Long(JsonNode? parent, string name)
    {
        if (parent is not JsonObject obj || obj[name] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }

        return v.TryGetValue(out long l) ? l : v.TryGetValue(out double d) ? (long)d : null;
    }

    public static bool? Bool(JsonNode? parent, string name) =>
        parent is JsonObject obj && obj[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    public static JsonObject? Object(JsonNode? parent, string name) => (parent as JsonObject)?[name] as JsonObject;

    public static JsonArray? Array(JsonNode? parent, string name) => (parent as JsonObject)?[name] as JsonArray;

    public static DateTimeOffset? Time(JsonNode? parent, string name) => Kubernetes.KubeTime.Parse(String(parent, name));

    /// <summary>Sets <paramref name="name"/> when the value is not null (status omits empty fields rather than writing nulls).</summary>
    public static JsonObject Put(this JsonObject obj, string name, JsonNode? value)
    {
        if (value is not null)
        {
            obj[name] = value;
        }

        return obj;
    }

    public static JsonObject PutString(this JsonObject obj, string name, string? value) =>
        string.IsNullOrEmpty(value) ? obj : obj.Put(name, JsonValue.Create(value));

    public static JsonObject PutTime(this JsonObject obj, string name, DateTimeOffset? value) =>
        value is { } t ? obj.Put(name, JsonValue.Create(Kubernetes.KubeTime.Format(t))) : obj;
}
