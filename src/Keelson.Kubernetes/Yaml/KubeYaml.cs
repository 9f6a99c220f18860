using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Kubernetes.Yaml;

/// <summary>
/// YAML exactly as Kubernetes tools and Helm see it: sigs.k8s.io/yaml semantics (go-yaml v2 underneath) for reading
/// YAML into JSON and for writing JSON as YAML.
/// </summary>
/// <remarks>
/// What to expect when reading (all as YAMLToJSON does):
/// <list type="bullet">
/// <item>YAML 1.1 implicit types: yes/no/on/off/y/n in go-yaml's case variants are booleans; ~, null and empty are
/// null; 0x.., 0o.., 0b.. and leading-zero octal ints, "_" separators; "1e3" is a float; timestamps stay strings.</item>
/// <item>Numbers come out as Go's encoding/json writes them: 1.0 becomes 1, 1e3 becomes 1000, 1e21 becomes 1e+21;
/// integers beyond 64 bits lose precision through float64 (99999999999999999999 becomes 100000000000000000000); .inf
/// and .nan are errors (JSON has no form for them).</item>
/// <item>Map keys become strings: ints as digits, bools as true/false, floats through float32 ("3.14159265358979"
/// becomes "3.1415927"); null keys, integer keys above int64 and collection keys are errors.</item>
/// <item>Duplicate keys: the last value wins, unless <see cref="YamlReadOptions.RejectDuplicateKeys"/>. Merge keys
/// (&lt;&lt;) follow go-yaml v2: a merge overwrites the keys set before it in the same mapping.</item>
/// <item>Object keys are sorted by UTF-8 bytes, as encoding/json writes them.</item>
/// </list>
/// </remarks>
public static class KubeYaml
{
    /// <summary>Every document of a YAML stream, in order; an empty document (or one holding only null) is null.</summary>
    public static IReadOnlyList<JsonNode?> ParseDocuments(string text, YamlReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= YamlReadOptions.Default;
        var roots = YamlLoader.Load(text, options);
        var documents = new JsonNode?[roots.Count];
        for (var i = 0; i < roots.Count; i++)
        {
            documents[i] = YamlDecoder.ToJson(roots[i], options);
        }

        return documents;
    }

    /// <summary>
    /// The single document of <paramref name="text"/> (null when there is none or it is empty). A stream with more
    /// than one document is an error here (use <see cref="ParseDocuments"/> for those), unless
    /// <see cref="YamlReadOptions.FirstDocumentOnly"/> asks for YAMLToJSON's behaviour of reading only the first.
    /// </summary>
    public static JsonNode? Parse(string text, YamlReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= YamlReadOptions.Default;
        var roots = YamlLoader.Load(text, options, maxDocuments: 1, stopAfterFirst: options.FirstDocumentOnly);
        return roots.Count == 0 ? null : YamlDecoder.ToJson(roots[0], options);
    }

    /// <summary>
    /// The YAML sigs.k8s.io/yaml.Marshal writes for this JSON (and Helm's toYaml before it trims the final newline):
    /// keys sorted the go-yaml way, 2-space indentation, sequences not indented under their key, go-yaml's quoting
    /// and block-scalar choices, long strings wrapped at 80 columns. Always ends with a newline.
    /// </summary>
    /// <exception cref="YamlException">The tree holds a number JSON cannot (NaN or infinity).</exception>
    public static string ToYaml(JsonNode? node)
    {
        try
        {
            return YamlEmitter.Write(node);
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            // JsonValue holding double.NaN or an infinity refuses to produce JSON text; so does Go's json.Marshal.
            throw new YamlException($"cannot write the value as YAML: {e.Message}", e);
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new YamlException("cannot write the value as YAML: it nests too deeply", e);
        }
    }

    /// <summary>Parses JSON text into a node (null for "null"), allowing deeper nesting than the BCL default of 64.</summary>
    public static JsonNode? JsonToNode(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonNode.Parse(json, null, new JsonDocumentOptions { MaxDepth = YamlReadOptions.Default.MaxDepth });
    }
}
