using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.Engine.Apply;
using Keelson.Kubernetes;

namespace Keelson.Engine.Diff;

/// <summary>
/// What the engine keeps of one live object: its identity, resourceVersion, tracking id, the digest of its compared
/// fields (<see cref="Normalizer"/>), and a compact UTF-8 copy of the object for health and diff messages. The copy
/// leaves out managedFields and kubectl's last-applied annotation (usually the bulk of an object) and the data of
/// ConfigMaps and Secrets, which neither health nor the diff (it compares digests) needs, and which for Secrets
/// should not sit in the controller's memory at all.
/// </summary>
public sealed class LiveObject
{
    private readonly byte[] _body;

    private LiveObject(ApiResource resource, string? ns, string name, string resourceVersion, string? uid, string? trackingId, UInt128 hash, byte[] body)
    {
        Resource = resource;
        Namespace = ns;
        Name = name;
        ResourceVersion = resourceVersion;
        Uid = uid;
        TrackingId = trackingId;
        ComparableHash = hash;
        _body = body;
    }

    public ApiResource Resource { get; }

    public string? Namespace { get; }

    public string Name { get; }

    public string ResourceVersion { get; }

    public string? Uid { get; }

    /// <summary>The <see cref="Tracking.Annotation"/> value, when present.</summary>
    public string? TrackingId { get; }

    /// <summary>The owner named by <see cref="TrackingId"/>, when it names one.</summary>
    public string? Owner => Tracking.OwnerOf(TrackingId);

    /// <summary>Bytes held for the compact copy.</summary>
    public int Size => _body.Length;

    internal UInt128 ComparableHash { get; }

    /// <summary>A fresh (mutable) copy of the kept fields.</summary>
    public JsonObject ToJson() => (JsonObject)JsonNode.Parse(_body)!;

    /// <summary>
    /// Builds the entry from a full object as the server returned it. Takes ownership of <paramref name="full"/>: it
    /// is trimmed in place.
    /// </summary>
    internal static LiveObject From(ApiResource resource, JsonObject full)
    {
        var hash = Normalizer.Hash(full);
        var ns = full.GetNamespace();
        var name = full.GetName() ?? "";
        var rv = full.GetResourceVersion() ?? "";
        var uid = full.GetUid();
        var tracking = Tracking.IdOf(full);
        if (full["metadata"] is JsonObject meta)
        {
            meta.Remove("managedFields");
            (meta["annotations"] as JsonObject)?.Remove("kubectl.kubernetes.io/last-applied-configuration");
        }

        if (resource.Group.Length == 0 && resource.Kind is "ConfigMap" or "Secret")
        {
            full.Remove("data");
            full.Remove("binaryData");
            full.Remove("stringData");
        }

        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            full.WriteTo(writer);
        }

        return new LiveObject(resource, ns, name, rv, uid, tracking, hash, buffer.WrittenSpan.ToArray());
    }
}
