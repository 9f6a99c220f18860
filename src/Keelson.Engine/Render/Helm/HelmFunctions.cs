using System.Text.Json.Nodes;
using Keelson.Kubernetes.Yaml;
using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Helm's template functions on top of Sprig (pkg/engine/funcs.go): YAML/JSON/TOML conversions, <c>required</c>,
/// <c>fail</c>, <c>lookup</c> (empty without a cluster) and, for Helm 4, the duration helpers. <c>include</c> and
/// <c>tpl</c> depend on the render and are added per render by <see cref="HelmEngine"/>.
/// </summary>
internal static class HelmFunctions
{
    /// <summary>Marks a message from required/fail so the render error shows it alone, as Helm's warnWrap does.</summary>
    public const string ErrStart = "HELM_ERR_START";
    public const string ErrEnd = "HELM_ERR_END";

    private static readonly GoSignature StringToString = new([GoType.String], GoType.String);

    /// <summary>Sprig's text function map without env and expandenv (Helm removes them).</summary>
    public static FunctionMap Sprig => Keelson.Templating.Sprig.Functions;

    private static readonly Lazy<FunctionMap> V3Map = new(() => Create(HelmVersion.V3));
    private static readonly Lazy<FunctionMap> V4Map = new(() => Create(HelmVersion.V4));

    /// <summary>Sprig plus Helm's render-independent functions.</summary>
    public static FunctionMap For(HelmVersion version) => version == HelmVersion.V4 ? V4Map.Value : V3Map.Value;

    private static FunctionMap Create(HelmVersion version)
    {
        var functions = new List<GoFunction>
        {
            GoFunction.Create("toYaml", (object? v) => TryToYaml(v) ?? ""),
            GoFunction.Create("mustToYaml", (object? v) => ToYamlOrThrow(v)),
            GoFunction.Create("toYamlPretty", (object? v) => TryToYaml(v) is { } y ? PrettyYaml.Reindent(y) : ""),
            GoFunction.Create("fromYaml", (string s) => FromYaml(s)),
            GoFunction.Create("fromYamlArray", (string s) => FromYamlArray(s)),
            GoFunction.Create("toJson", (object? v) => TryToJson(v) ?? ""),
            new GoFunction("mustToJson", new GoSignature([GoType.Interface], GoType.String, ReturnsError: true),
                static (_, a) => TryToJson(a[0]) ?? throw new InvalidOperationException(JsonError(a[0]))),
            GoFunction.Create("fromJson", (string s) => FromJson(s)),
            GoFunction.Create("fromJsonArray", (string s) => FromJsonArray(s)),
            GoFunction.Create("toToml", (object? v) => Toml.Encode(v)),
            GoFunction.Create("fromToml", (string s) => Toml.DecodeForTemplate(s)),
            new GoFunction("required", new GoSignature([GoType.String, GoType.Interface], GoType.Interface, ReturnsError: true), static (_, a) =>
                a[1] is null || a[1] is string { Length: 0 }
                    ? throw new InvalidOperationException(ErrStart + (string)a[0]! + ErrEnd)
                    : a[1]),
            new GoFunction("fail", new GoSignature([GoType.String], GoType.String, ReturnsError: true),
                static (_, a) => throw new InvalidOperationException(ErrStart + (string)a[0]! + ErrEnd)),
            new GoFunction("lookup", new GoSignature([GoType.String, GoType.String, GoType.String, GoType.String], GoType.MapOfStringInterface, ReturnsError: true),
                static (_, _) => new Dictionary<string, object?>(StringComparer.Ordinal)),

            // Helm never resolves names while rendering unless --enable-dns is given, which Keelson does not offer.
            new GoFunction("getHostByName", StringToString, static (_, _) => ""),
        };

        // toToml prints the encoder's error in place of the TOML; mustToToml fails the render with it.
        functions.Add(new GoFunction("mustToToml", new GoSignature([GoType.Interface], GoType.String, ReturnsError: true), static (_, a) =>
        {
            try
            {
                return Toml.EncodeOrThrow(a[0]);
            }
            catch (Toml.TomlException e)
            {
                throw new InvalidOperationException(e.Message, e);
            }
        }));
        if (version == HelmVersion.V4)
        {
            functions.AddRange(HelmDurations.HelmFunctions());
        }

        return Without(Sprig, "env", "expandenv").With(functions);
    }

    /// <summary>A map without the named functions (FunctionMap only adds, so the rest is copied).</summary>
    private static FunctionMap Without(FunctionMap map, params string[] names)
    {
        if (!names.Any(map.Contains))
        {
            return map;
        }

        return FunctionMap.Builtins.With(map.Names.Where(n => !names.Contains(n)).Select(n => map[n]));
    }

    /// <summary>sigs.k8s.io/yaml.Marshal without the final newline; null when the value cannot be marshalled.</summary>
    public static string? TryToYaml(object? value)
    {
        try
        {
            return ToYamlOrThrow(value);
        }
        catch (Exception e) when (e is GoJsonException or YamlException or InvalidOperationException)
        {
            return null;
        }
    }

    public static string ToYamlOrThrow(object? value)
    {
        var json = GoJson.Marshal(value);
        var yaml = KubeYaml.ToYaml(KubeYaml.JsonToNode(json));
        return yaml.EndsWith('\n') ? yaml[..^1] : yaml;
    }

    /// <summary>toYaml as Files.AsConfig uses it (errors give an empty string).</summary>
    public static string ToYaml(object? value) => TryToYaml(value) ?? "";

    private static string? TryToJson(object? value)
    {
        try
        {
            return GoJson.Marshal(value);
        }
        catch (GoJsonException)
        {
            return null;
        }
    }

    private static string JsonError(object? value)
    {
        try
        {
            GoJson.Marshal(value);
            return "json: error";
        }
        catch (GoJsonException e)
        {
            return e.Message;
        }
    }

    private static Dictionary<string, object?> FromYaml(string text)
    {
        var m = new Dictionary<string, object?>(StringComparer.Ordinal);
        try
        {
            switch (FirstDocument(text))
            {
                case null:
                    break;
                case JsonObject obj:
                    foreach (var (k, v) in obj)
                    {
                        m[k] = GoValues.FromJson(v);
                    }

                    break;
                case var other:
                    m["Error"] = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal " + JsonKind(other) + " into Go value of type map[string]interface {}";
                    break;
            }
        }
        catch (YamlException e)
        {
            m["Error"] = "error converting YAML to JSON: " + ChartLoader.YamlMessage(e);
        }

        return m;
    }

    private static List<object?> FromYamlArray(string text)
    {
        try
        {
            return FirstDocument(text) switch
            {
                null => [],
                JsonArray arr => (List<object?>)GoValues.FromJson(arr)!,
                var other => ["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal " + JsonKind(other) + " into Go value of type []interface {}"],
            };
        }
        catch (YamlException e)
        {
            return ["error converting YAML to JSON: " + ChartLoader.YamlMessage(e)];
        }
    }

    private static JsonNode? FirstDocument(string text) => KubeYaml.Parse(text, ChartLoader.FirstDocument);

    private static Dictionary<string, object?> FromJson(string text)
    {
        var m = new Dictionary<string, object?>(StringComparer.Ordinal);
        try
        {
            switch (GoValues.FromJson(text))
            {
                case null:
                    break;
                case Dictionary<string, object?> d:
                    foreach (var (k, v) in d)
                    {
                        m[k] = v;
                    }

                    break;
                case var other:
                    m["Error"] = "json: cannot unmarshal " + GoKindName(other) + " into Go value of type map[string]interface {}";
                    break;
            }
        }
        catch (FormatException e)
        {
            m["Error"] = JsonSyntax(e);
        }

        return m;
    }

    private static List<object?> FromJsonArray(string text)
    {
        try
        {
            return GoValues.FromJson(text) switch
            {
                null => [],
                List<object?> l => l,
                var other => ["json: cannot unmarshal " + GoKindName(other) + " into Go value of type []interface {}"],
            };
        }
        catch (FormatException e)
        {
            return [JsonSyntax(e)];
        }
    }

    private static string JsonSyntax(FormatException e) =>
        e.Message.StartsWith("json:", StringComparison.Ordinal) || e.Message.StartsWith("unexpected end", StringComparison.Ordinal) || e.Message.StartsWith("invalid character", StringComparison.Ordinal)
            ? e.Message
            : "invalid character in JSON input: " + e.Message;

    private static string GoKindName(object? v) => v switch
    {
        Dictionary<string, object?> => "object",
        List<object?> => "array",
        string => "string",
        bool => "bool",
        _ => "number",
    };

    private static string JsonKind(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        _ => node.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => "string",
            System.Text.Json.JsonValueKind.Number => "number",
            _ => "bool",
        },
    };
}
