using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.Engine.Apply;
using Keelson.Engine.Diff;
using Keelson.Engine.Render;
using Keelson.Kubernetes;
using Keelson.Kubernetes.Discovery;

namespace Keelson.Engine;

/// <summary>
/// One object as it will be applied: namespace defaulted, marked with the owner's tracking id (and, unless it is a
/// hook, the managed label), with the digest the verdict cache keys on. Shared between calls: never modified.
/// </summary>
internal sealed class DesiredObject
{
    public required ResourceRef Ref { get; init; }

    private readonly byte[] _body = [];

    /// <summary>
    /// The object to apply, as a fresh copy on each read. Kept as compact UTF-8 JSON: a parsed tree costs several
    /// times its bytes, every cached render holds one set per owner, and a steady state needs only <see cref="Hash"/>;
    /// the tree is needed only to dry-run or apply, when the object drifted.
    /// </summary>
    public required JsonObject Object
    {
        get => (JsonObject)JsonNode.Parse(_body)!;
        init => _body = JsonSerializer.SerializeToUtf8Bytes(value);
    }

    /// <summary>Where the kind is served; null when no resource serves it yet (its CRD comes in the same render).</summary>
    public required ApiResource? Resource { get; init; }

    public required bool Namespaced { get; init; }

    public required UInt128 Hash { get; init; }

    public required string TrackingId { get; init; }

    public required string SourceFile { get; init; }

    public HookInfo? Hook { get; init; }
}

/// <summary>The objects of one owner's render, hooks apart (test/delete/rollback hooks dropped).</summary>
internal sealed record DesiredSet(IReadOnlyList<DesiredObject> Objects, IReadOnlyList<DesiredObject> Hooks)
{
    /// <summary>True when every kind resolved, so the set can be reused for the same render.</summary>
    public bool Complete => Objects.All(o => o.Resource is not null) && Hooks.All(o => o.Resource is not null);
}

/// <summary>A rendered object Keelson cannot apply as it stands (no name, no namespace to put it in, a duplicate).</summary>
internal sealed class DesiredStateException(string message, string? file) : Exception(message)
{
    public string? File { get; } = file;
}

/// <summary>Turns a render into a <see cref="DesiredSet"/> for one owner and destination.</summary>
internal static class DesiredState
{
    public static async Task<DesiredSet> PrepareAsync(
        string owner, RenderResult render, string? destinationNamespace, RestMapper mapper, CancellationToken cancellationToken)
    {
        var crdScopes = CrdScopes(render);
        var objects = new List<DesiredObject>(render.Objects.Count);
        var hooks = new List<DesiredObject>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rendered in render.Objects)
        {
            var obj = rendered.Object;
            var gvk = GroupVersionKind.Of(obj);
            if (string.IsNullOrEmpty(obj.GetName()))
            {
                throw new DesiredStateException(
                    $"{Where(rendered)}: {gvk.Kind} has no metadata.name (generateName is not supported: such an object could not be tracked)", rendered.SourceFile);
            }

            var resource = await mapper.TryResolveAsync(gvk, cancellationToken);
            var namespaced = resource?.Namespaced ?? (crdScopes.TryGetValue((gvk.Group, gvk.Kind), out var scoped) ? scoped : obj.GetNamespace() is not null || destinationNamespace is not null);
            if (namespaced && obj.GetNamespace() is null)
            {
                if (string.IsNullOrEmpty(destinationNamespace))
                {
                    throw new DesiredStateException(
                        $"{Where(rendered)}: {gvk.Kind} {obj.GetName()} is namespaced but has no namespace, and the destination names none", rendered.SourceFile);
                }

                obj.SetNamespace(destinationNamespace);
            }
            else if (!namespaced)
            {
                obj.SetNamespace(null);
            }

            var reference = ResourceRef.Of(obj)!;
            var hook = Apply.Hooks.Classify(obj);
            if (hook is { Skipped: true })
            {
                continue;
            }

            if (!seen.TryAdd(reference.Key, Where(rendered)))
            {
                throw new DesiredStateException($"{reference} is rendered twice: in {seen[reference.Key]} and in {Where(rendered)}", rendered.SourceFile);
            }

            var trackingId = Tracking.Id(owner, reference);
            Tracking.Mark(obj, trackingId, label: hook is null);
            var desired = new DesiredObject
            {
                Ref = reference,
                Object = obj,
                Resource = resource,
                Namespaced = namespaced,
                Hash = CanonicalHash.Of(obj),
                TrackingId = trackingId,
                SourceFile = rendered.SourceFile,
                Hook = hook,
            };
            (hook is null ? objects : hooks).Add(desired);
        }

        return new DesiredSet(objects, hooks);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string Where(RenderedObject rendered) => $"{rendered.SourceFile} (document {rendered.DocumentIndex + 1})";

    /// <summary>The scope of each kind defined by a CRD in the render: true when namespaced.</summary>
    private static Dictionary<(string Group, string Kind), bool> CrdScopes(RenderResult render)
    {
        var scopes = new Dictionary<(string, string), bool>();
        foreach (var rendered in render.Objects)
        {
            if (rendered.Kind != "CustomResourceDefinition" || rendered.Object["spec"] is not JsonObject spec)
            {
                continue;
            }

            if (Text(spec["group"]) is { } group && Text((spec["names"] as JsonObject)?["kind"]) is { } kind)
            {
                scopes[(group, kind)] = Text(spec["scope"]) != "Cluster";
            }
        }

        return scopes;
    }
}
