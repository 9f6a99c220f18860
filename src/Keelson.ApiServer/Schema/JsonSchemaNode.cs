using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Keelson.ApiServer.Schema;

/// <summary>
/// A parsed JSON schema node: the OpenAPI v3 subset CRDs use (with the <c>x-kubernetes-*</c> extensions) plus the
/// JSON-Schema pieces a <c>values.schema.json</c> needs (type lists, <c>const</c>, local <c>$ref</c>,
/// numeric exclusive bounds). Immutable once parsed; one instance is shared by every request.
/// </summary>
internal sealed class JsonSchemaNode
{
    private static readonly IReadOnlyDictionary<string, JsonSchemaNode> NoProperties = new Dictionary<string, JsonSchemaNode>();

    private JsonSchemaNode? _resolved;
    private Func<string, JsonSchemaNode?>? _resolver;

    public IReadOnlyList<string> Types { get; private set; } = [];

    public string? Format { get; private set; }

    public IReadOnlyDictionary<string, JsonSchemaNode> Properties { get; private set; } = NoProperties;

    public bool HasProperties { get; private set; }

    public IReadOnlyList<(Regex Pattern, JsonSchemaNode Schema)> PatternProperties { get; private set; } = [];

    /// <summary>Schema for keys not in <see cref="Properties"/>; null with <see cref="AdditionalPropertiesFalse"/> unset: unconstrained.</summary>
    public JsonSchemaNode? AdditionalProperties { get; private set; }

    public bool AdditionalPropertiesFalse { get; private set; }

    public bool AdditionalPropertiesTrue { get; private set; }

    public JsonSchemaNode? Items { get; private set; }

    public IReadOnlyList<string> Required { get; private set; } = [];

    public IReadOnlyList<JsonNode?>? Enum { get; private set; }

    public bool HasConst { get; private set; }

    public JsonNode? Const { get; private set; }

    public Regex? Pattern { get; private set; }

    public string? PatternText { get; private set; }

    public decimal? Minimum { get; private set; }

    public decimal? Maximum { get; private set; }

    public bool ExclusiveMinimum { get; private set; }

    public bool ExclusiveMaximum { get; private set; }

    public decimal? MultipleOf { get; private set; }

    public long? MinLength { get; private set; }

    public long? MaxLength { get; private set; }

    public long? MinItems { get; private set; }

    public long? MaxItems { get; private set; }

    public long? MinProperties { get; private set; }

    public long? MaxProperties { get; private set; }

    public bool UniqueItems { get; private set; }

    public bool Nullable { get; private set; }

    public JsonNode? Default { get; private set; }

    public IReadOnlyList<JsonSchemaNode> AllOf { get; private set; } = [];

    public IReadOnlyList<JsonSchemaNode> AnyOf { get; private set; } = [];

    public IReadOnlyList<JsonSchemaNode> OneOf { get; private set; } = [];

    public JsonSchemaNode? Not { get; private set; }

    public bool IntOrString { get; private set; }

    public bool PreserveUnknownFields { get; private set; }

    public bool EmbeddedResource { get; private set; }

    public string? ListType { get; private set; }

    public IReadOnlyList<string> ListMapKeys { get; private set; } = [];

    public string? Description { get; private set; }

    /// <summary>The raw schema this node was parsed from.</summary>
    public JsonObject Source { get; private set; } = new();

    /// <summary>Local reference target; validation follows it transparently.</summary>
    public string? Ref { get; private set; }

    /// <summary>This node, or the node its <c>$ref</c> points to.</summary>
    public JsonSchemaNode Resolved
    {
        get
        {
            if (Ref is null)
            {
                return this;
            }

            _resolved ??= _resolver?.Invoke(Ref) ?? throw new SchemaException($"unresolvable $ref {Ref}");
            return _resolved;
        }
    }

    public bool AllowsType(string type) => Types.Count == 0 || Types.Contains(type) || (type == "integer" && Types.Contains("number"));

    /// <summary>Parses a schema; throws <see cref="SchemaException"/> naming the path of what is malformed.</summary>
    public static JsonSchemaNode Parse(JsonObject schema)
    {
        var definitions = new Dictionary<string, JsonSchemaNode>(StringComparer.Ordinal);
        JsonSchemaNode? root = null;
        JsonSchemaNode? Resolve(string reference)
        {
            if (reference == "#")
            {
                return root;
            }

            if (definitions.TryGetValue(reference, out var found))
            {
                return found;
            }

            if (!reference.StartsWith("#/", StringComparison.Ordinal))
            {
                return null;
            }

            JsonNode? node = schema;
            foreach (var part in reference[2..].Split('/'))
            {
                node = (node as JsonObject)?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            }

            if (node is not JsonObject target)
            {
                return null;
            }

            var parsed = ParseNode(target, reference, Resolve);
            definitions[reference] = parsed;
            return parsed;
        }

        root = ParseNode(schema, "", Resolve);
        return root;
    }

    private static JsonSchemaNode ParseNode(JsonObject schema, string path, Func<string, JsonSchemaNode?> resolver)
    {
        var node = new JsonSchemaNode { Source = schema, _resolver = resolver };
        foreach (var (key, value) in schema)
        {
            var at = path.Length == 0 ? key : $"{path}.{key}";
            switch (key)
            {
                case "$ref":
                    node.Ref = Text(value, at);
                    break;
                case "type":
                    node.Types = value is JsonArray list ? list.Select(t => Text(t, at)).ToList() : [Text(value, at)];
                    foreach (var t in node.Types)
                    {
                        if (t is not ("object" or "array" or "string" or "integer" or "number" or "boolean" or "null"))
                        {
                            throw new SchemaException($"{at}: Unsupported value: {FieldError.Quote(t)}: supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\"");
                        }
                    }

                    break;
                case "format":
                    node.Format = Text(value, at);
                    break;
                case "description":
                    node.Description = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
                    break;
                case "properties":
                    node.HasProperties = true;
                    node.Properties = Children(value, at, resolver);
                    break;
                case "patternProperties":
                    node.PatternProperties = Children(value, at, resolver)
                        .Select(p => (MakeRegex(p.Key, at), p.Value)).ToList();
                    break;
                case "definitions":
                case "$defs":
                case "$schema":
                case "$id":
                case "id":
                case "title":
                case "example":
                case "examples":
                case "externalDocs":
                case "x-kubernetes-validations":
                case "x-kubernetes-map-type":
                case "readOnly":
                case "writeOnly":
                case "deprecated":
                case "discriminator":
                case "xml":
                case "$comment":
                    break;
                case "additionalProperties":
                    if (value is JsonObject extra)
                    {
                        node.AdditionalProperties = ParseNode(extra, at, resolver);
                    }
                    else if (value?.GetValueKind() == JsonValueKind.False)
                    {
                        node.AdditionalPropertiesFalse = true;
                    }
                    else if (value?.GetValueKind() == JsonValueKind.True)
                    {
                        node.AdditionalPropertiesTrue = true;
                    }
                    else
                    {
                        throw new SchemaException($"{at}: must be a boolean or a schema");
                    }

                    break;
                case "items":
                    node.Items = value switch
                    {
                        JsonObject one => ParseNode(one, at, resolver),
                        JsonArray { Count: 1 } many when many[0] is JsonObject first => ParseNode(first, at, resolver),
                        _ => throw new SchemaException($"{at}: must be a schema"),
                    };
                    break;
                case "required":
                    node.Required = value is JsonArray req ? req.Select(r => Text(r, at)).ToList() : throw new SchemaException($"{at}: must be a list of strings");
                    break;
                case "enum":
                    node.Enum = value is JsonArray values ? values.Select(v => v?.DeepClone()).ToList() : throw new SchemaException($"{at}: must be a list");
                    break;
                case "const":
                    node.HasConst = true;
                    node.Const = value?.DeepClone();
                    break;
                case "pattern":
                    node.PatternText = Text(value, at);
                    node.Pattern = MakeRegex(node.PatternText, at);
                    break;
                case "minimum":
                    node.Minimum = Number(value, at);
                    break;
                case "maximum":
                    node.Maximum = Number(value, at);
                    break;
                case "exclusiveMinimum":
                    if (value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                    {
                        node.ExclusiveMinimum = value.GetValue<bool>();
                    }
                    else
                    {
                        node.Minimum = Number(value, at);
                        node.ExclusiveMinimum = true;
                    }

                    break;
                case "exclusiveMaximum":
                    if (value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                    {
                        node.ExclusiveMaximum = value.GetValue<bool>();
                    }
                    else
                    {
                        node.Maximum = Number(value, at);
                        node.ExclusiveMaximum = true;
                    }

                    break;
                case "multipleOf":
                    node.MultipleOf = Number(value, at);
                    if (node.MultipleOf <= 0)
                    {
                        throw new SchemaException($"{at}: must be greater than zero");
                    }

                    break;
                case "minLength":
                    node.MinLength = Integer(value, at);
                    break;
                case "maxLength":
                    node.MaxLength = Integer(value, at);
                    break;
                case "minItems":
                    node.MinItems = Integer(value, at);
                    break;
                case "maxItems":
                    node.MaxItems = Integer(value, at);
                    break;
                case "minProperties":
                    node.MinProperties = Integer(value, at);
                    break;
                case "maxProperties":
                    node.MaxProperties = Integer(value, at);
                    break;
                case "uniqueItems":
                    node.UniqueItems = Flag(value, at);
                    break;
                case "nullable":
                    node.Nullable = Flag(value, at);
                    break;
                case "default":
                    node.Default = value?.DeepClone();
                    break;
                case "allOf":
                    node.AllOf = List(value, at, resolver);
                    break;
                case "anyOf":
                    node.AnyOf = List(value, at, resolver);
                    break;
                case "oneOf":
                    node.OneOf = List(value, at, resolver);
                    break;
                case "not":
                    node.Not = value is JsonObject not ? ParseNode(not, at, resolver) : throw new SchemaException($"{at}: must be a schema");
                    break;
                case "x-kubernetes-int-or-string":
                    node.IntOrString = Flag(value, at);
                    break;
                case "x-kubernetes-preserve-unknown-fields":
                    node.PreserveUnknownFields = Flag(value, at);
                    break;
                case "x-kubernetes-embedded-resource":
                    node.EmbeddedResource = Flag(value, at);
                    break;
                case "x-kubernetes-list-type":
                    node.ListType = Text(value, at);
                    break;
                case "x-kubernetes-list-map-keys":
                    node.ListMapKeys = value is JsonArray keys ? keys.Select(k => Text(k, at)).ToList() : throw new SchemaException($"{at}: must be a list of strings");
                    break;
                default:
                    // Unknown keywords are ignored, as JSON Schema prescribes; CRD-level restrictions are checked separately.
                    break;
            }
        }

        return node;
    }

    private static Dictionary<string, JsonSchemaNode> Children(JsonNode? value, string path, Func<string, JsonSchemaNode?> resolver)
    {
        if (value is not JsonObject map)
        {
            throw new SchemaException($"{path}: must be a map of schemas");
        }

        var result = new Dictionary<string, JsonSchemaNode>(StringComparer.Ordinal);
        foreach (var (name, child) in map)
        {
            result[name] = child is JsonObject c ? ParseNode(c, $"{path}[{name}]", resolver) : throw new SchemaException($"{path}[{name}]: must be a schema");
        }

        return result;
    }

    private static List<JsonSchemaNode> List(JsonNode? value, string path, Func<string, JsonSchemaNode?> resolver) =>
        value is JsonArray list
            ? list.Select((s, i) => s is JsonObject o ? ParseNode(o, $"{path}[{i}]", resolver) : throw new SchemaException($"{path}[{i}]: must be a schema")).ToList()
            : throw new SchemaException($"{path}: must be a list of schemas");

    private static string Text(JsonNode? value, string path) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new SchemaException($"{path}: must be a string");

    private static bool Flag(JsonNode? value, string path) =>
        value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.GetValue<bool>() : throw new SchemaException($"{path}: must be a boolean");

    private static decimal Number(JsonNode? value, string path)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        throw new SchemaException($"{path}: must be a number");
    }

    private static long Integer(JsonNode? value, string path)
    {
        var d = Number(value, path);
        return d >= 0 && d == decimal.Truncate(d) ? (long)d : throw new SchemaException($"{path}: must be a non-negative integer");
    }

    private static Regex MakeRegex(string pattern, string path)
    {
        try
        {
            // Go's RE2 and .NET agree on the patterns CRDs use; a timeout keeps a pathological pattern from stalling a request.
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
        }
        catch (ArgumentException ex)
        {
            throw new SchemaException($"{path}: Invalid value: {FieldError.Quote(pattern)}: must be a valid regular expression: {ex.Message}");
        }
    }
}

/// <summary>A schema that cannot be used; the message names where and why.</summary>
internal sealed class SchemaException(string message) : Exception(message);
