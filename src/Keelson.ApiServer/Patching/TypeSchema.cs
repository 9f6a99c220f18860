using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>
/// How the lists and maps of one kind merge, for strategic merge patch and server-side apply: the built-in table for
/// kinds the simulator serves, a custom resource's OpenAPI v3 schema, or untyped data.
/// </summary>
public sealed class TypeSchema
{
    private readonly string _emptyObject;

    private TypeSchema(SchemaNode root, string emptyObject, bool strategic)
    {
        Root = root;
        _emptyObject = emptyObject;
        SupportsStrategicMergePatch = strategic;
        Zero = emptyObject == "{}" ? null : (JsonObject)JsonNode.Parse(emptyObject)!;
        Materialize(Zero);
    }

    // A parsed JsonObject builds its members on first access; doing it now makes the shared instance safe to read
    // from several threads.
    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj)
                {
                    Materialize(value);
                }

                break;
            case JsonArray arr:
                foreach (var item in arr)
                {
                    Materialize(item);
                }

                break;
        }
    }

    /// <summary>
    /// Untyped data (what an unknown kind gets): every map is granular, every list atomic, as the apiserver treats
    /// custom resources without list or map markers. Strategic merge patch is not supported.
    /// </summary>
    public static TypeSchema Unstructured { get; } = new(
        SchemaNode.Struct(
            [
                new("apiVersion", SchemaNode.Scalar),
                new("kind", SchemaNode.Scalar),
                new("metadata", BuiltInTypes.ObjectMeta),
            ],
            elements: SchemaNode.Deduced),
        "{}",
        strategic: false);

    /// <summary>False for custom resources: the apiserver answers 415 UnsupportedMediaType to a strategic merge patch.</summary>
    public bool SupportsStrategicMergePatch { get; }

    internal SchemaNode Root { get; }

    /// <summary>Merge knowledge for a built-in kind (group "" or "core" for the core API); unknown kinds get <see cref="Unstructured"/>.</summary>
    public static TypeSchema ForBuiltIn(string group, string version, string kind)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(kind);
        var info = BuiltInTypes.Find(group == "core" ? "" : group, version, kind);
        return info is null ? Unstructured : new TypeSchema(info.Root, info.EmptyObject, strategic: true);
    }

    /// <summary>
    /// Merge knowledge from a CustomResourceDefinition version's <c>openAPIV3Schema</c>: <c>x-kubernetes-list-type</c>,
    /// <c>x-kubernetes-list-map-keys</c>, <c>x-kubernetes-map-type</c>, <c>x-kubernetes-preserve-unknown-fields</c> and
    /// <c>x-kubernetes-embedded-resource</c>. Fields the schema does not declare are rejected in applied configurations,
    /// as the apiserver does ("field not declared in schema").
    /// </summary>
    public static TypeSchema FromOpenApi(JsonObject openApiV3Schema)
    {
        ArgumentNullException.ThrowIfNull(openApiV3Schema);
        var root = OpenApiSchemas.Convert(openApiV3Schema);
        if (root.Kind != NodeKind.Map)
        {
            root = SchemaNode.Struct([], elements: SchemaNode.Deduced);
        }

        root = root.WithFields(
        [
            new("apiVersion", SchemaNode.Scalar),
            new("kind", SchemaNode.Scalar),
            new("metadata", BuiltInTypes.ObjectMeta),
        ]);
        return new TypeSchema(root, "{}", strategic: false);
    }

    /// <summary>The kind's Go zero value without apiVersion and kind (shared, never modified).</summary>
    internal JsonObject? Zero { get; private init; }

    /// <summary>The kind's Go zero value as JSON: what the apiserver compares a newly created object against.</summary>
    internal JsonObject NewEmptyObject(string? apiVersion, string? kind)
    {
        var obj = (JsonObject)JsonNode.Parse(_emptyObject)!;
        var result = new JsonObject();
        if (apiVersion is not null)
        {
            result["apiVersion"] = apiVersion;
        }

        if (kind is not null)
        {
            result["kind"] = kind;
        }

        foreach (var (key, value) in obj.ToList())
        {
            obj.Remove(key);
            result[key] = value;
        }

        return result;
    }
}

/// <summary>Conversion of a structural OpenAPI v3 schema into merge knowledge, as kube-openapi's schemaconv does.</summary>
internal static class OpenApiSchemas
{
    public static SchemaNode Convert(JsonObject schema)
    {
        if (IsTrue(schema, "x-kubernetes-int-or-string"))
        {
            return SchemaNode.Scalar;
        }

        var type = schema["type"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
        var preserve = IsTrue(schema, "x-kubernetes-preserve-unknown-fields");
        var embedded = IsTrue(schema, "x-kubernetes-embedded-resource");

        if (type == "array")
        {
            var itemSchema = schema["items"] as JsonObject;
            var item = itemSchema is null ? SchemaNode.Deduced : Convert(itemSchema);
            var listType = Text(schema, "x-kubernetes-list-type") switch
            {
                "set" => ListKind.Set,
                "map" => ListKind.Map,
                _ => ListKind.Atomic,
            };
            var keys = schema["x-kubernetes-list-map-keys"] is JsonArray k
                ? k.Select(n => n is JsonValue v && v.TryGetValue<string>(out var name) ? name : null).OfType<string>().ToList()
                : [];
            var defaults = new Dictionary<string, PeValue>(StringComparer.Ordinal);
            if (itemSchema?["properties"] is JsonObject itemProperties)
            {
                foreach (var key in keys)
                {
                    if (itemProperties[key] is JsonObject keySchema && keySchema.TryGetPropertyValue("default", out var d))
                    {
                        defaults[key] = PeValue.From(d);
                    }
                }
            }

            return SchemaNode.ListOf(item, listType, listType == ListKind.Map ? keys : [], defaults);
        }

        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"];
        if (type == "object" || properties is not null || additional is not null || embedded)
        {
            var fields = new List<KeyValuePair<string, SchemaNode>>();
            if (properties is not null)
            {
                foreach (var (name, property) in properties)
                {
                    fields.Add(new(name, property is JsonObject p ? Convert(p) : SchemaNode.Deduced));
                }
            }

            if (embedded)
            {
                fields.Add(new("apiVersion", SchemaNode.Scalar));
                fields.Add(new("kind", SchemaNode.Scalar));
                fields.Add(new("metadata", BuiltInTypes.ObjectMeta));
            }

            SchemaNode? elements = additional switch
            {
                JsonObject a => Convert(a),
                JsonValue v when v.TryGetValue<bool>(out var allowed) && allowed => SchemaNode.Deduced,
                _ => null,
            };
            if (elements is null && preserve)
            {
                elements = SchemaNode.Deduced;
            }

            var atomic = Text(schema, "x-kubernetes-map-type") == "atomic";
            return SchemaNode.Struct(fields, atomic, elements, strict: elements is null);
        }

        return preserve || type is null ? SchemaNode.Deduced : SchemaNode.Scalar;
    }

    private static bool IsTrue(JsonObject schema, string name) =>
        schema[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static string? Text(JsonObject schema, string name) =>
        schema[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
