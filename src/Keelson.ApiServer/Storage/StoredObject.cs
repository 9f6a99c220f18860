using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Storage;

/// <summary>A reference from a dependent to its owner (the parts garbage collection needs).</summary>
internal sealed record OwnerRef(string ApiVersion, string Kind, string Name, string Uid, bool BlockOwnerDeletion, bool Controller);

/// <summary>
/// One version of a stored object. Immutable once published: <see cref="Object"/> is never mutated (callers clone
/// before changing it) and <see cref="Json"/> is its serialised form, written to clients without re-serialising.
/// </summary>
internal sealed class StoredObject
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };
    private readonly byte[]?[] _frames = new byte[]?[3];

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required string Uid { get; init; }

    public required long ResourceVersion { get; init; }

    public required JsonObject Object { get; init; }

    public required byte[] Json { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    public IReadOnlyList<OwnerRef> Owners { get; init; } = [];

    public IReadOnlyList<string> Finalizers { get; init; } = [];

    public bool Terminating { get; init; }

    public long Generation { get; init; }

    /// <summary>When the object was created or its generation last changed (simulated controllers time rollouts from it).</summary>
    public DateTimeOffset ChangedAt { get; init; }

    /// <summary>Identity of the CRD schema the object was last defaulted with; a different one means default again on read.</summary>
    public object? SchemaToken { get; init; }

    public string Key => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";

    /// <summary>A whole watch event line for this object (<c>{"type":..,"object":..}\n</c>), built once and shared by all watchers.</summary>
    public byte[] Frame(int typeIndex, string type)
    {
        var cached = Volatile.Read(ref _frames[typeIndex]);
        if (cached is not null)
        {
            return cached;
        }

        var prefix = System.Text.Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":");
        var frame = new byte[prefix.Length + Json.Length + 2];
        prefix.CopyTo(frame, 0);
        Json.CopyTo(frame, prefix.Length);
        frame[^2] = (byte)'}';
        frame[^1] = (byte)'\n';
        Interlocked.CompareExchange(ref _frames[typeIndex], frame, null);
        return _frames[typeIndex]!;
    }

    public static byte[] Serialize(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Forces every lazily parsed node to materialise, so later concurrent readers never race on first access.
    /// </summary>
    public static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Materialize(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Materialize(child);
                }

                break;
        }
    }

    public static StoredObject Create(JsonObject obj, long resourceVersion, DateTimeOffset changedAt, object? schemaToken)
    {
        Materialize(obj);
        var meta = obj["metadata"] as JsonObject ?? [];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (meta["labels"] is JsonObject labelMap)
        {
            foreach (var (k, v) in labelMap)
            {
                if (v is JsonValue value && value.TryGetValue<string>(out var text))
                {
                    labels[k] = text;
                }
            }
        }

        var owners = new List<OwnerRef>();
        if (meta["ownerReferences"] is JsonArray refs)
        {
            foreach (var r in refs.OfType<JsonObject>())
            {
                owners.Add(new OwnerRef(
                    Str(r["apiVersion"]), Str(r["kind"]), Str(r["name"]), Str(r["uid"]),
                    r["blockOwnerDeletion"]?.GetValueKind() == JsonValueKind.True,
                    r["controller"]?.GetValueKind() == JsonValueKind.True));
            }
        }

        var finalizers = meta["finalizers"] is JsonArray f ? f.Select(Str).Where(s => s.Length > 0).ToList() : [];
        return new StoredObject
        {
            Namespace = Str(meta["namespace"]),
            Name = Str(meta["name"]),
            Uid = Str(meta["uid"]),
            ResourceVersion = resourceVersion,
            Object = obj,
            Json = Serialize(obj),
            Labels = labels,
            Owners = owners,
            Finalizers = finalizers,
            Terminating = meta["deletionTimestamp"] is JsonValue,
            Generation = meta["generation"] is JsonValue g && g.TryGetValue<long>(out var gen) ? gen : 0,
            ChangedAt = changedAt,
            SchemaToken = schemaToken,
        };
    }

    private static string Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
