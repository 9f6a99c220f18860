using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Kubernetes.Yaml;

/// <summary>
/// Decodes one document tree the way sigs.k8s.io/yaml.YAMLToJSON does: go-yaml v2 Unmarshal into interface{} (its
/// alias accounting, merge keys, implicit types), then map keys turned into strings, then encoding/json. The result
/// is built as JSON text and parsed once, so every number keeps Go's exact JSON spelling.
/// </summary>
internal sealed class YamlDecoder
{
    // go-yaml v2's alias ratio rule (decode.go): up to 99% of decoded nodes may come from aliases in documents of up
    // to 400,000 decode steps, scaling down to 10% at 4,000,000.
    private const int AliasRatioRangeLow = 400_000;
    private const int AliasRatioRangeHigh = 4_000_000;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = int.MaxValue,
    };

    private readonly YamlReadOptions _options;
    private readonly HashSet<YamlNode> _expanding = new(ReferenceEqualityComparer.Instance);
    private int _decodeCount;
    private int _aliasCount;
    private int _aliasDepth;

    private YamlDecoder(YamlReadOptions options) => _options = options;

    public static JsonNode? ToJson(YamlNode root, YamlReadOptions options)
    {
        var decoder = new YamlDecoder(options);
        decoder._decodeCount = 1; // go-yaml counts the document node itself
        var value = decoder.Value(root, 0);
        if (value is JLiteral { Text: "null" })
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, value);
        }

        return JsonNode.Parse(buffer.WrittenSpan, null, new JsonDocumentOptions { MaxDepth = options.MaxDepth + 2 });
    }

    private JValue Value(YamlNode node, int depth)
    {
        Count(node);
        switch (node.Kind)
        {
            case NodeKind.Alias:
                return Expand(node, n => Value(n, depth));
            case NodeKind.Scalar:
                return ValueOf(Scalar(node), node);
            case NodeKind.Sequence:
                CheckDepth(node, depth);
                var items = new List<JValue>(node.Children.Count);
                foreach (var child in node.Children)
                {
                    items.Add(Value(child, depth + 1));
                }

                return new JArray(items);
            default:
                CheckDepth(node, depth);
                var members = new Members(_options.RejectDuplicateKeys);
                Fill(node, members, depth);
                return members.ToObject();
        }
    }

    /// <summary>Decodes a mapping's pairs into <paramref name="members"/>, applying merge keys in go-yaml v2's order.</summary>
    private void Fill(YamlNode mapping, Members members, int depth)
    {
        var children = mapping.Children;
        for (var i = 0; i + 1 < children.Count; i += 2)
        {
            var keyNode = children[i];
            var valueNode = children[i + 1];
            if (IsMerge(keyNode))
            {
                Merge(valueNode, members, depth);
                continue;
            }

            var key = Key(keyNode, depth);
            var value = Value(valueNode, depth + 1);
            members.Set(key, value, valueNode);
        }
    }

    // v2 applies a merge where the "<<" key stands: merged keys overwrite earlier ones and later keys overwrite them.
    private void Merge(YamlNode value, Members members, int depth)
    {
        switch (value.Kind)
        {
            case NodeKind.Mapping:
                Count(value);
                Fill(value, members, depth);
                break;
            case NodeKind.Alias when value.Target!.Kind == NodeKind.Mapping:
                Count(value);
                Expand(value, target =>
                {
                    Count(target);
                    Fill(target, members, depth);
                    return JLiteral.Null;
                });
                break;
            case NodeKind.Sequence:
                // Earlier maps in the list win, so they are applied last.
                for (var i = value.Children.Count - 1; i >= 0; i--)
                {
                    var item = value.Children[i];
                    if (item.Kind is not (NodeKind.Mapping or NodeKind.Alias)
                        || item.Kind == NodeKind.Alias && item.Target!.Kind != NodeKind.Mapping)
                    {
                        throw WantMap(item);
                    }

                    Merge(item, members, depth);
                }

                break;
            default:
                throw WantMap(value);
        }
    }

    private static YamlException WantMap(YamlNode node) =>
        new("map merge requires map or sequence of maps as the value", node.Line, node.Column);

    private static bool IsMerge(YamlNode key) =>
        key.Kind == NodeKind.Scalar && key.Value == "<<" && (key.Implicit || key.Tag == ScalarResolver.MergeTag);

    private MapKey Key(YamlNode node, int depth)
    {
        Count(node);
        switch (node.Kind)
        {
            case NodeKind.Scalar:
                return new MapKey(Scalar(node), node);
            case NodeKind.Alias:
                MapKey key = default;
                Expand(node, target =>
                {
                    key = Key(target, depth);
                    return JLiteral.Null;
                });
                return key;
            default:
                // go-yaml decodes the collection first (so its own errors come first), then refuses it as a key.
                var kind = node.Kind == NodeKind.Mapping ? "mapping" : "sequence";
                if (node.Kind == NodeKind.Mapping)
                {
                    Fill(node, new Members(false), depth + 1);
                }
                else
                {
                    foreach (var child in node.Children)
                    {
                        Value(child, depth + 1);
                    }
                }

                throw new YamlException($"invalid map key: a {kind} cannot be a key", node.Line, node.Column);
        }
    }

    private JValue Expand(YamlNode alias, Func<YamlNode, JValue> decode)
    {
        if (!_expanding.Add(alias))
        {
            throw new YamlException($"anchor '{alias.Value}' value contains itself", alias.Line, alias.Column);
        }

        _aliasDepth++;
        try
        {
            return decode(alias.Target!);
        }
        finally
        {
            _aliasDepth--;
            _expanding.Remove(alias);
        }
    }

    private void Count(YamlNode node)
    {
        _decodeCount++;
        if (_aliasDepth > 0)
        {
            _aliasCount++;
        }

        if (_aliasCount > 100 && _decodeCount > 1000 && (double)_aliasCount / _decodeCount > AllowedAliasRatio(_decodeCount))
        {
            throw new YamlException("document contains excessive aliasing", node.Line, node.Column);
        }

        if (_aliasCount > _options.MaxAliasExpansions)
        {
            throw new YamlException($"document expands aliases into more than {_options.MaxAliasExpansions} nodes", node.Line, node.Column);
        }
    }

    private static double AllowedAliasRatio(int decodeCount) => decodeCount switch
    {
        <= AliasRatioRangeLow => 0.99,
        >= AliasRatioRangeHigh => 0.10,
        _ => 0.99 - (0.89 * ((double)(decodeCount - AliasRatioRangeLow) / (AliasRatioRangeHigh - AliasRatioRangeLow))),
    };

    private void CheckDepth(YamlNode node, int depth)
    {
        if (depth >= _options.MaxDepth)
        {
            throw new YamlException($"exceeded max depth of {_options.MaxDepth}", node.Line, node.Column);
        }

        RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    /// <summary>The Go value of a scalar: go-yaml's resolve() plus its !!binary and timestamp handling.</summary>
    private static GoScalar Scalar(YamlNode node)
    {
        // Quoted and block scalars without a tag are strings, whatever they look like.
        if (node.Tag is null && !node.Implicit)
        {
            return new GoScalar(Resolved.String, node.Value);
        }

        if (!ScalarResolver.TryResolve(node.Tag, node.Value, out var resolved, out var error))
        {
            throw new YamlException(error!, node.Line, node.Column);
        }

        if (node.Tag == ScalarResolver.BinaryTag)
        {
            return new GoScalar(Resolved.String, DecodeBinary(node));
        }

        // v2 hands timestamps to interface{} as their text.
        return new GoScalar(resolved, node.Value);
    }

    private static string DecodeBinary(YamlNode node)
    {
        // Go's base64.StdEncoding ignores line breaks and nothing else.
        var text = node.Value.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        var bytes = new byte[text.Length / 4 * 3];
        if (text.AsSpan().IndexOfAny(" \t\f\v") >= 0 || !Convert.TryFromBase64String(text, bytes, out var written))
        {
            throw new YamlException("!!binary value contains invalid base64 data", node.Line, node.Column);
        }

        return GoStrings.FromBytes(bytes.AsSpan(0, written));
    }

    private static JValue ValueOf(GoScalar scalar, YamlNode node)
    {
        var r = scalar.Resolved;
        switch (r.Kind)
        {
            case ScalarKind.Null:
                return JLiteral.Null;
            case ScalarKind.Bool:
                return r.Bool ? JLiteral.True : JLiteral.False;
            case ScalarKind.Int:
                return new JLiteral(r.Int.ToString(CultureInfo.InvariantCulture));
            case ScalarKind.Uint:
                return new JLiteral(r.Uint.ToString(CultureInfo.InvariantCulture));
            case ScalarKind.Float:
                if (!double.IsFinite(r.Float))
                {
                    throw new YamlException(
                        $"json: unsupported value: {node.Value} ({(double.IsNaN(r.Float) ? "NaN" : "infinity")} has no JSON form)",
                        node.Line,
                        node.Column);
                }

                return new JLiteral(GoNumbers.FormatJsonFloat(r.Float));
            default:
                return new JString(scalar.Text);
        }
    }

    private static void Write(Utf8JsonWriter writer, JValue value)
    {
        switch (value)
        {
            case JString s:
                writer.WriteStringValue(s.Value);
                break;
            case JLiteral l:
                writer.WriteRawValue(l.Text, skipInputValidation: true);
                break;
            case JArray a:
                writer.WriteStartArray();
                foreach (var item in a.Items)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JObject o:
                writer.WriteStartObject();
                foreach (var (key, member) in o.Members)
                {
                    writer.WritePropertyName(key);
                    Write(writer, member);
                }

                writer.WriteEndObject();
                break;
        }
    }

    private readonly record struct GoScalar(Resolved Resolved, string Text);

    /// <summary>A decoded mapping key, kept as its Go value until it is turned into a JSON key.</summary>
    private readonly struct MapKey(GoScalar scalar, YamlNode node)
    {
        public GoScalar Scalar { get; } = scalar;

        public YamlNode Node { get; } = node;

        /// <summary>sigs.k8s.io/yaml's key conversion: ints, bools and floats (through float32!) become strings.</summary>
        public string ToJsonKey()
        {
            var r = Scalar.Resolved;
            return r.Kind switch
            {
                ScalarKind.String or ScalarKind.Timestamp => Scalar.Text,
                ScalarKind.Int => r.Int.ToString(CultureInfo.InvariantCulture),
                ScalarKind.Bool => r.Bool ? "true" : "false",
                ScalarKind.Float => GoNumbers.FormatYamlFloat(r.Float, single: true),
                ScalarKind.Null => throw new YamlException("unsupported map key: null cannot be a JSON object key", Node.Line, Node.Column),
                _ => throw new YamlException(
                    $"unsupported map key of type uint64: {r.Uint} (integers above 9223372036854775807 cannot be keys)",
                    Node.Line,
                    Node.Column),
            };
        }

        /// <summary>Identity of the key in go-yaml's map[interface{}]interface{} (only needed for strict decoding).</summary>
        public (ScalarKind, string)? Identity()
        {
            var r = Scalar.Resolved;
            return r.Kind switch
            {
                ScalarKind.String or ScalarKind.Timestamp => (ScalarKind.String, Scalar.Text),
                ScalarKind.Int => (ScalarKind.Int, r.Int.ToString(CultureInfo.InvariantCulture)),
                ScalarKind.Uint => (ScalarKind.Uint, r.Uint.ToString(CultureInfo.InvariantCulture)),
                ScalarKind.Bool => (ScalarKind.Bool, r.Bool ? "true" : "false"),
                ScalarKind.Null => (ScalarKind.Null, ""),
                _ when double.IsNaN(r.Float) => null, // NaN never equals itself, so never repeats
                _ => (ScalarKind.Float, BitConverter.DoubleToInt64Bits(r.Float == 0 ? 0 : r.Float).ToString(CultureInfo.InvariantCulture)),
            };
        }
    }

    /// <summary>
    /// The members of one JSON object in the order they were set. The last value set for a key wins, as in Go's map,
    /// and the object is written with keys sorted as encoding/json sorts them (by UTF-8 bytes).
    /// </summary>
    private sealed class Members(bool strict)
    {
        private readonly List<KeyValuePair<string, JValue>> _set = [];
        private readonly HashSet<(ScalarKind, string)>? _seen = strict ? [] : null;

        public void Set(MapKey key, JValue value, YamlNode valueNode)
        {
            if (_seen is not null && key.Identity() is { } identity && !_seen.Add(identity))
            {
                throw new YamlException($"key {GoStrings.Quote(key.Scalar.Text)} already set in map", valueNode.Line, valueNode.Column);
            }

            _set.Add(new(key.ToJsonKey(), value));
        }

        public JObject ToObject()
        {
            var count = _set.Count;
            if (count <= 1)
            {
                return new JObject(_set);
            }

            var order = new int[count];
            for (var i = 0; i < count; i++)
            {
                order[i] = i;
            }

            var set = _set;
            Array.Sort(order, (a, b) =>
            {
                var c = GoStrings.CompareUtf8(set[a].Key, set[b].Key);
                return c != 0 ? c : a.CompareTo(b);
            });
            var members = new List<KeyValuePair<string, JValue>>(count);
            for (var i = 0; i < count; i++)
            {
                if (i + 1 < count && set[order[i]].Key == set[order[i + 1]].Key)
                {
                    continue; // a later set of the same key wins
                }

                members.Add(set[order[i]]);
            }

            return new JObject(members);
        }
    }

    private abstract class JValue;

    private sealed class JString(string value) : JValue
    {
        public string Value { get; } = value;
    }

    private sealed class JLiteral(string text) : JValue
    {
        public static readonly JLiteral Null = new("null");
        public static readonly JLiteral True = new("true");
        public static readonly JLiteral False = new("false");

        public string Text { get; } = text;
    }

    private sealed class JArray(List<JValue> items) : JValue
    {
        public List<JValue> Items { get; } = items;
    }

    private sealed class JObject(List<KeyValuePair<string, JValue>> members) : JValue
    {
        public List<KeyValuePair<string, JValue>> Members { get; } = members;
    }
}
