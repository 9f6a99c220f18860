using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

internal enum NodeKind
{
    Scalar,

    /// <summary>A struct (declared fields), a map (element type for every key), or both.</summary>
    Map,
    List,

    /// <summary>Untyped data as structured-merge-diff deduces it: maps are granular with undeclared keys, lists atomic.</summary>
    Deduced,

    /// <summary>
    /// A part of a built-in type the table does not spell out: every key counts as a declared struct field and lists
    /// are atomic, which is what the real schema says for the fields the table leaves out.
    /// </summary>
    Loose,
}

internal enum ListKind
{
    Atomic,
    Set,
    Map,
}

/// <summary>How one position in an object merges: the knowledge structured-merge-diff reads from OpenAPI.</summary>
internal sealed class SchemaNode
{
    private static readonly IReadOnlyDictionary<string, SchemaNode> NoFields = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
    private static readonly IReadOnlyDictionary<string, PathElement> NoElements = new Dictionary<string, PathElement>(StringComparer.Ordinal);

    private SchemaNode(NodeKind kind) => Kind = kind;

    public static SchemaNode Scalar { get; } = new(NodeKind.Scalar);

    public static SchemaNode Deduced { get; } = new(NodeKind.Deduced);

    public static SchemaNode Loose { get; } = new(NodeKind.Loose);

    private static SchemaNode DeducedMap { get; } = new(NodeKind.Map) { Elements = Deduced };

    private static SchemaNode DeducedList { get; } = new(NodeKind.List) { Item = Deduced };

    private static SchemaNode LooseMap { get; } = new(NodeKind.Map);

    private static SchemaNode LooseList { get; } = new(NodeKind.List) { Item = Loose };

    public NodeKind Kind { get; }

    /// <summary>Declared struct fields of a map node.</summary>
    public IReadOnlyDictionary<string, SchemaNode> Fields
    {
        get => _fields;
        private init
        {
            _fields = value;
            _elements = value.Count == 0 ? NoElements : value.Keys.ToDictionary(k => k, PathElement.Field, StringComparer.Ordinal);
        }
    }

    private readonly IReadOnlyDictionary<string, SchemaNode> _fields = NoFields;
    private readonly IReadOnlyDictionary<string, PathElement> _elements = NoElements;
    /// <summary>The path element of a key of this map (shared for declared fields, so walks allocate less).</summary>
    public PathElement ElementFor(string key) => _elements.TryGetValue(key, out var pe) ? pe : PathElement.Field(key);

    /// <summary>The type of keys that are not declared fields; null for a plain struct.</summary>
    public SchemaNode? Elements { get; private init; }

    /// <summary>A map/struct replaced as a whole (<c>x-kubernetes-map-type: atomic</c>).</summary>
    public bool Atomic { get; private init; }

    /// <summary>Keys that are neither declared nor covered by <see cref="Elements"/> are errors in applied configurations.</summary>
    public bool Strict { get; private init; }

    public ListKind ListType { get; private init; }

    public IReadOnlyList<string> Keys { get; private init; } = [];

    /// <summary>Defaults of key fields, used when an item omits them (e.g. <c>protocol: TCP</c> of ports).</summary>
    public IReadOnlyDictionary<string, PeValue> KeyDefaults { get; private init; } = new Dictionary<string, PeValue>(StringComparer.Ordinal);

    public SchemaNode? Item { get; private init; }

    /// <summary>Strategic merge patch strategy of this field: "merge", "replace" (default), possibly with "retainKeys".</summary>
    public string? PatchStrategy { get; private init; }

    public string? PatchMergeKey { get; private init; }

    public bool IsMapLike => Kind is NodeKind.Map or NodeKind.Deduced or NodeKind.Loose;

    public static SchemaNode Struct(IEnumerable<KeyValuePair<string, SchemaNode>> fields, bool atomic = false, SchemaNode? elements = null, bool strict = false) =>
        new(NodeKind.Map)
        {
            Fields = fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
            Atomic = atomic,
            Elements = elements,
            Strict = strict,
        };

    public static SchemaNode MapOf(SchemaNode elements, bool atomic = false) =>
        new(NodeKind.Map) { Elements = elements, Atomic = atomic, Strict = true };

    public static SchemaNode ListOf(SchemaNode item, ListKind type, IReadOnlyList<string>? keys = null,
        IReadOnlyDictionary<string, PeValue>? keyDefaults = null, string? patchStrategy = null, string? patchMergeKey = null) =>
        new(NodeKind.List)
        {
            Item = item,
            ListType = type,
            Keys = keys ?? [],
            KeyDefaults = keyDefaults ?? new Dictionary<string, PeValue>(StringComparer.Ordinal),
            PatchStrategy = patchStrategy,
            PatchMergeKey = patchMergeKey,
        };

    /// <summary>This node with fields added or replaced (used to give custom resources a typed metadata).</summary>
    public SchemaNode WithFields(IEnumerable<KeyValuePair<string, SchemaNode>> extra)
    {
        var fields = Fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        foreach (var (name, type) in extra)
        {
            fields[name] = type;
        }

        return new SchemaNode(NodeKind.Map)
        {
            Fields = fields,
            Elements = Elements,
            Atomic = Atomic,
            Strict = Strict,
            PatchStrategy = PatchStrategy,
            PatchMergeKey = PatchMergeKey,
        };
    }

    public SchemaNode WithPatchStrategy(string? strategy, string? mergeKey = null) => new(Kind)
    {
        Fields = Fields,
        Elements = Elements,
        Atomic = Atomic,
        Strict = Strict,
        ListType = ListType,
        Keys = Keys,
        KeyDefaults = KeyDefaults,
        Item = Item,
        PatchStrategy = strategy,
        PatchMergeKey = mergeKey,
    };

    /// <summary>The concrete node for a value: untyped nodes take the shape of the value.</summary>
    public SchemaNode Resolve(JsonNode? value) => Kind switch
    {
        NodeKind.Deduced => value is JsonObject ? DeducedMap : value is JsonArray ? DeducedList : Scalar,
        NodeKind.Loose => value is JsonObject ? LooseMap : value is JsonArray ? LooseList : Scalar,
        _ => this,
    };

    /// <summary>The type of a key of this map node, and whether the key is a declared struct field.</summary>
    public SchemaNode FieldType(string name, out bool declared)
    {
        switch (Kind)
        {
            case NodeKind.Map:
                if (Fields.TryGetValue(name, out var field))
                {
                    declared = true;
                    return field;
                }

                if (Elements is not null)
                {
                    declared = false;
                    return Elements;
                }

                declared = !Strict;
                return Strict ? Deduced : Loose;
            case NodeKind.Loose:
                declared = true;
                return Loose;
            default:
                declared = false;
                return Deduced;
        }
    }

    /// <summary>True when <paramref name="name"/> is not allowed here by a strict (custom resource) schema.</summary>
    public bool IsUnknownField(string name) => Kind == NodeKind.Map && Strict && Elements is null && !Fields.ContainsKey(name);

    public SchemaNode ItemType => Kind switch
    {
        NodeKind.List => Item ?? Deduced,
        NodeKind.Loose => Loose,
        _ => Deduced,
    };

    public bool IsAtomicList => Kind == NodeKind.List && ListType == ListKind.Atomic;
}
