using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Engine.Diff;

/// <summary>
/// A 128-bit digest of a JSON tree with object keys in ordinal order, so two objects that are equal as JSON (whatever
/// order the server wrote their fields in) hash the same. Arrays keep their order: in Kubernetes it is meaningful.
/// </summary>
internal static class CanonicalHash
{
    public static UInt128 Of(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, node);
        }

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(buffer.WrittenSpan, digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                if (obj.Count > 1)
                {
                    var names = new string[obj.Count];
                    var i = 0;
                    foreach (var (key, _) in obj)
                    {
                        names[i++] = key;
                    }

                    Array.Sort(names, StringComparer.Ordinal);
                    foreach (var name in names)
                    {
                        writer.WritePropertyName(name);
                        Write(writer, obj[name]);
                    }
                }
                else
                {
                    foreach (var (key, value) in obj)
                    {
                        writer.WritePropertyName(key);
                        Write(writer, value);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
