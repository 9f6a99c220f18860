using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Kubernetes;

/// <summary>Tolerant readers for unstructured JSON: a wrong type reads as absent rather than throwing.</summary>
internal static class Json
{
    // Some CRD schemas nest deeper than the default 64.
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 512 };

    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 512 };

    public static string? String(JsonNode? parent, string name) =>
        parent is JsonObject obj && obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static long? Long(JsonNode? parent, string name) =>
        parent is JsonObject obj && obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long l) ? l
        : parent is JsonObject o2 && o2[name] is JsonValue v2 && v2.GetValueKind() == JsonValueKind.Number && v2.TryGetValue(out double d) ? (long)d
        : null;

    public static bool? Bool(JsonNode? parent, string name) =>
        parent is JsonObject obj && obj[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    public static JsonObject? Object(JsonNode? parent, string name) => (parent as JsonObject)?[name] as JsonObject;

    public static JsonArray? Array(JsonNode? parent, string name) => (parent as JsonObject)?[name] as JsonArray;

    /// <summary>Gets the named child object, creating it (and replacing a non-object) when needed.</summary>
    public static JsonObject Ensure(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject child)
        {
            return child;
        }

        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    public static byte[] ToUtf8(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
