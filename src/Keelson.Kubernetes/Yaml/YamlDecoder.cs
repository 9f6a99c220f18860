using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Kubernetes.Yaml;

/// <summary>
/// Decodes one document tree the way sigs.k8s.io/yaml.YAMLToJSON does, in its two phases: go-yaml v2 Unmarshal into
/// interface{} (alias accounting, merge keys, implicit types, duplicate keys overwriting earlier ones), then the
/// conversion to JSON (keys become strings, NaN and infinities are refused) of whatever survived. The JSON is written
/// as text and parsed once, so every number keeps Go's exact JSON spelling.
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
    private YamlNode? _outermostAlias;

    private YamlDecoder(YamlReadOptions options) => _options = options;

    public static JsonNode? ToJson(YamlNode root, YamlReadOptions options)
    {
        var decoder = new YamlDecoder(options);
        decoder._decodeCount = 1; // go-yaml counts the document node itself
        var value = decoder.Value(root, 0);
        if (value is GoScalar { Resolved.Kind: ScalarKind.Null })
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

    private GoValue Value(YamlNode node, int depth)
    {
        Count(node);
        switch (node.Kind)
        {
            case NodeKind.Alias:
                return Expand(node, n => Value(n, depth));
            case NodeKind.Scalar:
                return Scalar(node);
            case NodeKind.Sequence:
                CheckDepth(node, depth);
                var items = new List<GoValue>(node.Children.Count);
                foreach (var child in node.Children)
                {
                    items.Add(Value(child, depth + 1));
                }

                return new GoSequence(items);
            default:
                CheckDepth(node, depth);
                var map = new GoMap(_options.RejectDuplicateKeys);
                Fill(node, map, depth);
                return map;
        }
    }

    /// <summary>Decodes a mapping's pairs into <paramref name="map"/>, applying merge keys in go-yaml v2's order.</summary>
    private void Fill(YamlNode mapping, GoMap map, int depth)
    {
        var children = mapping.Children;
        for (var i = 0; i + 1 < children.Count; i += 2)
        {
            var keyNode = children[i];
            var valueNode = children[i + 1];
            if (IsMerge(keyNode))
            {
                Merge(valueNode, map, depth);
                continue;
            }

            var key = Key(keyNode, depth);
            var value = Value(valueNode, depth + 1);
            map.Set(key, value, valueNode);
        }
    }

    // v2 applies a merge where the "<<" key stands: merged keys overwrite earlier ones and later keys overwrite them.
    private void Merge(YamlNode value, GoMap map, int depth)
    {
        switch (value.Kind)
        {
            case NodeKind.Mapping:
                Count(value);
                Fill(value, map, depth);
                break;
            case NodeKind.Alias when value.Target!.Kind == NodeKind.Mapping:
                Count(value);
                Expand(value, target =>
                {
                    Count(target);
                    Fill(target, map, depth);
                    return map;
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

                    Merge(item, map, depth);
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

    private GoScalar Key(YamlNode node, int depth)
    {
        Count(node);
        switch (node.Kind)
        {
            case NodeKind.Scalar:
                return Scalar(node);
            case NodeKind.Alias:
                return (GoScalar)Expand(node, target => Key(target, depth));
            default:
                // go-yaml decodes the collection first (so its own errors come first), then refuses it as a key.
                if (node.Kind == NodeKind.Mapping)
                {
                    Fill(node, new GoMap(false), depth + 1);
                }
                else
                {
                    foreach (var child in node.Children)
                    {
                        Value(child, depth + 1);
                    }
                }

                throw new YamlException(
                    $"invalid map key: a {(node.Kind == NodeKind.Mapping ? "mapping" : "sequence")} cannot be a key",
                    node.Line,
                    node.Column);
        }
    }

    private GoValue Expand(YamlNode alias, Func<YamlNode, GoValue> decode)
    {
        if (!_expanding.Add(alias))
        {
            throw new YamlException($"anchor '{alias.Value}' value contains itself", alias.Line, alias.Column);
        }

        if (_aliasDepth++ == 0)
        {
            _outermostAlias = alias;
        }

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

        // Blame the alias in the document that led here, not a node inside the anchor it repeats.
        var at = _aliasDepth > 0 ? _outermostAlias! : node;
        if (_aliasCount > 100 && _decodeCount > 1000 && (double)_aliasCount / _decodeCount > AllowedAliasRatio(_decodeCount))
        {
            throw new YamlException("document contains excessive aliasing", at.Line, at.Column);
        }

        if (_aliasCount > _options.MaxAliasExpansions)
        {
            throw new YamlException($"document expands aliases into more than {_options.MaxAliasExpansions} nodes", at.Line, at.Column);
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
            return new GoScalar(Resolved.String, node.Value, node);
        }

        if (!ScalarResolver.TryResolve(node.Tag, node.Value, out var resolved, out var error))
        {
            throw new YamlException(error!, node.Line, node.Column);
        }

        if (node.Tag == ScalarResolver.BinaryTag)
        {
            return new GoScalar(Resolved.String, DecodeBinary(node), node);
        }

        // v2 hands timestamps to interface{} as their text.
        return new GoScalar(resolved, node.Value, node);
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

    // The second phase: sigs.k8s.io/yaml's conversion of what go-yaml decoded, written straight out as JSON.
    private static void Write(Utf8JsonWriter writer, GoValue value)
    {
        switch (value)
        {
            case GoScalar scalar:
                WriteScalar(writer, scalar);
                break;
            case GoSequence sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Items)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case GoMap map:
                writer.WriteStartObject();
                foreach (var (key, member) in map.JsonMembers())
                {
                    writer.WritePropertyName(key);
                    Write(writer, member);
                }

                writer.WriteEndObject();
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, GoScalar scalar)
    {
        var r = scalar.Resolved;
        switch (r.Kind)
        {
            case ScalarKind.Null:
                writer.WriteNullValue();
                break;
            case ScalarKind.Bool:
                writer.WriteBooleanValue(r.Bool);
                break;
            case ScalarKind.Int:
                writer.WriteNumberValue(r.Int);
                break;
            case ScalarKind.Uint:
                writer.WriteNumberValue(r.Uint);
                break;
            case ScalarKind.Float:
                if (!double.IsFinite(r.Float))
                {
                    var node = scalar.Node;
                    throw new YamlException(
                        $"json: unsupported value: {node.Value} ({(double.IsNaN(r.Float) ? "NaN" : "infinity")} has no JSON form)",
                        node.Line,
                        node.Column);
                }

                writer.WriteRawValue(GoNumbers.FormatJsonFloat(r.Float), skipInputValidation: true);
                break;
            default:
                writer.WriteStringValue(scalar.Text);
                break;
        }
    }

    private abstract class GoValue;

    /// <summary>A decoded scalar: its Go value (for strings and timestamps the text) and where it came from.</summary>
    private sealed class GoScalar(Resolved resolved, string text, YamlNode node) : GoValue
    {
        public Resolved Resolved { get; } = resolved;

        public string Text { get; } = text;

        public YamlNode Node { get; } = node;

        /// <summary>sigs.k8s.io/yaml's key conversion: ints, bools and floats (through float32!) become strings.</summary>
        public string ToJsonKey() => Resolved.Kind switch
        {
            ScalarKind.String or ScalarKind.Timestamp => Text,
            ScalarKind.Int => Resolved.Int.ToString(CultureInfo.InvariantCulture),
            ScalarKind.Bool => Resolved.Bool ? "true" : "false",
            ScalarKind.Float => GoNumbers.FormatYamlFloat(Resolved.Float, single: true),
            ScalarKind.Null => throw new YamlException("unsupported map key: null cannot be a JSON object key", Node.Line, Node.Column),
            _ => throw new YamlException(
                $"unsupported map key of type uint64: {Resolved.Uint} (integers above 9223372036854775807 cannot be keys)",
                Node.Line,
                Node.Column),
        };

        /// <summary>Equality of keys in go-yaml's map[interface{}]interface{}: same Go type and value.</summary>
        public bool SameKey(GoScalar other)
        {
            var a = Resolved;
            var b = other.Resolved;
            var ka = a.Kind == ScalarKind.Timestamp ? ScalarKind.String : a.Kind;
            var kb = b.Kind == ScalarKind.Timestamp ? ScalarKind.String : b.Kind;
            return ka == kb && ka switch
            {
                ScalarKind.String => string.Equals(Text, other.Text, StringComparison.Ordinal),
                ScalarKind.Int => a.Int == b.Int,
                ScalarKind.Uint => a.Uint == b.Uint,
                ScalarKind.Bool => a.Bool == b.Bool,
                ScalarKind.Float => a.Float == b.Float, // NaN never equals itself, as in Go
                _ => true,
            };
        }

        public int KeyHash() => Resolved.Kind switch
        {
            ScalarKind.String or ScalarKind.Timestamp => string.GetHashCode(Text, StringComparison.Ordinal),
            ScalarKind.Int => Resolved.Int.GetHashCode(),
            ScalarKind.Uint => Resolved.Uint.GetHashCode(),
            ScalarKind.Bool => Resolved.Bool ? 1 : 0,
            ScalarKind.Float => Resolved.Float == 0 ? 0 : Resolved.Float.GetHashCode(),
            _ => 0,
        };
    }

    private sealed class GoSequence(List<GoValue> items) : GoValue
    {
        public List<GoValue> Items { get; } = items;
    }

    /// <summary>
    /// go-yaml's map[interface{}]interface{}: setting a key that is already there replaces its value (or, decoding
    /// strictly, is an error). Keys become JSON keys only when the document is converted.
    /// </summary>
    private sealed class GoMap(bool strict) : GoValue
    {
        private const int IndexFrom = 8;

        private readonly List<KeyValuePair<GoScalar, GoValue>> _entries = [];
        private Dictionary<GoScalar, int>? _index;

        public void Set(GoScalar key, GoValue value, YamlNode valueNode)
        {
            var at = Find(key);
            if (at >= 0)
            {
                if (strict)
                {
                    throw new YamlException($"key {GoStrings.Quote(key.Text)} already set in map", valueNode.Line, valueNode.Column);
                }

                _entries[at] = new(_entries[at].Key, value);
                return;
            }

            _entries.Add(new(key, value));
            if (_index is not null)
            {
                _index[key] = _entries.Count - 1;
            }
            else if (_entries.Count > IndexFrom)
            {
                _index = new Dictionary<GoScalar, int>(KeyComparer.Instance);
                for (var i = 0; i < _entries.Count; i++)
                {
                    _index.TryAdd(_entries[i].Key, i);
                }
            }
        }

        private int Find(GoScalar key)
        {
            if (_index is not null)
            {
                return _index.TryGetValue(key, out var i) ? i : -1;
            }

            for (var i = 0; i < _entries.Count; i++)
            {
                if (_entries[i].Key.SameKey(key))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>
        /// Members with JSON keys, sorted as encoding/json sorts map keys (UTF-8 bytes). Distinct YAML keys that
        /// become the same string (1 and "1") collide; Go keeps one of them at random, this keeps the one set last.
        /// </summary>
        public List<KeyValuePair<string, GoValue>> JsonMembers()
        {
            var count = _entries.Count;
            var converted = new KeyValuePair<string, GoValue>[count];
            for (var i = 0; i < count; i++)
            {
                converted[i] = new(_entries[i].Key.ToJsonKey(), _entries[i].Value);
            }

            var order = new int[count];
            for (var i = 0; i < count; i++)
            {
                order[i] = i;
            }

            Array.Sort(order, (a, b) =>
            {
                var c = GoStrings.CompareUtf8(converted[a].Key, converted[b].Key);
                return c != 0 ? c : a.CompareTo(b);
            });
            var members = new List<KeyValuePair<string, GoValue>>(count);
            for (var i = 0; i < count; i++)
            {
                if (i + 1 < count && converted[order[i]].Key == converted[order[i + 1]].Key)
                {
                    continue;
                }

                members.Add(converted[order[i]]);
            }

            return members;
        }
    }

    private sealed class KeyComparer : IEqualityComparer<GoScalar>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(GoScalar? x, GoScalar? y) => x!.SameKey(y!);

        public int GetHashCode(GoScalar obj) => obj.KeyHash();
    }
}
