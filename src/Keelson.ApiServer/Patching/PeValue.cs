using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>
/// An immutable JSON value as it appears inside a path element (the value of a set item or of a key field).
/// Ordering and equality follow structured-merge-diff's value.Compare: numbers first (ints and floats compared
/// numerically), then strings, booleans, lists, maps and null last.
/// </summary>
internal sealed class PeValue : IEquatable<PeValue>, IComparable<PeValue>
{
    private PeValue(ValueKind kind) => Kind = kind;

    public static PeValue Null { get; } = new(ValueKind.Null);

    public ValueKind Kind { get; }

    public long Int { get; private init; }

    public double Float { get; private init; }

    public string Str { get; private init; } = "";

    public bool Bool { get; private init; }

    public IReadOnlyList<PeValue> List { get; private init; } = [];

    /// <summary>Map entries sorted by key.</summary>
    public IReadOnlyList<KeyValuePair<string, PeValue>> Map { get; private init; } = [];

    public static PeValue From(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return Null;
            case JsonObject obj:
                var entries = obj.Select(p => new KeyValuePair<string, PeValue>(p.Key, From(p.Value))).ToList();
                entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                return new PeValue(ValueKind.Map) { Map = entries };
            case JsonArray arr:
                return new PeValue(ValueKind.List) { List = arr.Select(From).ToList() };
            default:
                var value = node.AsValue();
                switch (JsonValues.KindOf(value))
                {
                    case ValueKind.String:
                        return new PeValue(ValueKind.String) { Str = value.GetValue<string>() };
                    case ValueKind.Bool:
                        return new PeValue(ValueKind.Bool) { Bool = JsonValues.BoolOf(value) };
                    case ValueKind.Int:
                    case ValueKind.Float:
                        var number = JsonValues.NumberOf(value);
                        return number.IsInt
                            ? new PeValue(ValueKind.Int) { Int = number.Int, Float = number.Int }
                            : new PeValue(ValueKind.Float) { Float = number.Float };
                    default:
                        return Null;
                }
        }
    }

    public static PeValue FromString(string value) => new(ValueKind.String) { Str = value };

    /// <summary>Parses JSON text (a FieldsV1 key) without building a JsonNode; throws <see cref="JsonException"/>.</summary>
    public static PeValue Parse(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        if (!reader.Read())
        {
            throw new JsonException("empty JSON");
        }

        var value = Read(ref reader);
        if (reader.Read())
        {
            throw new JsonException("unexpected data after the value");
        }

        return value;
    }

    private static PeValue Read(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return FromString(reader.GetString()!);
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var l)
                    ? new PeValue(ValueKind.Int) { Int = l, Float = l }
                    : new PeValue(ValueKind.Float) { Float = reader.GetDouble() };
            case JsonTokenType.True:
            case JsonTokenType.False:
                return new PeValue(ValueKind.Bool) { Bool = reader.GetBoolean() };
            case JsonTokenType.Null:
                return Null;
            case JsonTokenType.StartArray:
                var items = new List<PeValue>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(Read(ref reader));
                }

                return new PeValue(ValueKind.List) { List = items };
            case JsonTokenType.StartObject:
                var entries = new List<KeyValuePair<string, PeValue>>();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    entries.Add(new(name, Read(ref reader)));
                }

                entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                return new PeValue(ValueKind.Map) { Map = entries };
            default:
                throw new JsonException($"unexpected {reader.TokenType}");
        }
    }

    public JsonNode? ToNode() => Kind switch
    {
        ValueKind.Null => null,
        ValueKind.String => JsonValue.Create(Str),
        ValueKind.Bool => JsonValue.Create(Bool),
        ValueKind.Int => JsonValue.Create(Int),
        ValueKind.Float => JsonValue.Create(Float),
        ValueKind.List => new JsonArray(List.Select(v => v.ToNode()).ToArray()),
        _ => new JsonObject(Map.Select(e => new KeyValuePair<string, JsonNode?>(e.Key, e.Value.ToNode()))),
    };

    public int CompareTo(PeValue? other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var l = this;
        var r = other;
        var lNum = l.Kind is ValueKind.Int or ValueKind.Float;
        var rNum = r.Kind is ValueKind.Int or ValueKind.Float;
        if (lNum || rNum)
        {
            if (!lNum)
            {
                return 1;
            }

            if (!rNum)
            {
                return -1;
            }

            return l.Kind == ValueKind.Int && r.Kind == ValueKind.Int ? l.Int.CompareTo(r.Int) : l.Float.CompareTo(r.Float);
        }

        var order = Rank(l.Kind).CompareTo(Rank(r.Kind));
        if (order != 0)
        {
            return order;
        }

        switch (l.Kind)
        {
            case ValueKind.String:
                return Math.Sign(string.CompareOrdinal(l.Str, r.Str));
            case ValueKind.Bool:
                return l.Bool == r.Bool ? 0 : l.Bool ? 1 : -1;
            case ValueKind.List:
                for (var i = 0; i < Math.Min(l.List.Count, r.List.Count); i++)
                {
                    var c = l.List[i].CompareTo(r.List[i]);
                    if (c != 0)
                    {
                        return c;
                    }
                }

                return l.List.Count.CompareTo(r.List.Count);
            case ValueKind.Map:
                for (var i = 0; i < Math.Min(l.Map.Count, r.Map.Count); i++)
                {
                    var c = Math.Sign(string.CompareOrdinal(l.Map[i].Key, r.Map[i].Key));
                    if (c != 0)
                    {
                        return c;
                    }

                    c = l.Map[i].Value.CompareTo(r.Map[i].Value);
                    if (c != 0)
                    {
                        return c;
                    }
                }

                return l.Map.Count.CompareTo(r.Map.Count);
            default:
                return 0;
        }
    }

    public bool Equals(PeValue? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is PeValue other && Equals(other);

    public override int GetHashCode() => Kind switch
    {
        ValueKind.Int or ValueKind.Float => Float.GetHashCode(),
        ValueKind.String => string.GetHashCode(Str, StringComparison.Ordinal),
        ValueKind.Bool => Bool ? 1 : 2,
        ValueKind.List => List.Count,
        ValueKind.Map => Map.Count * 31,
        _ => 0,
    };

    /// <summary>The value as JSON, the way Go's encoding/json writes it (sorted keys, HTML-safe escaping).</summary>
    public void WriteJson(StringBuilder sb)
    {
        switch (Kind)
        {
            case ValueKind.Null:
                sb.Append("null");
                break;
            case ValueKind.String:
                GoFormat.WriteJsonString(sb, Str);
                break;
            case ValueKind.Bool:
                sb.Append(Bool ? "true" : "false");
                break;
            case ValueKind.Int:
                sb.Append(Int.ToString(CultureInfo.InvariantCulture));
                break;
            case ValueKind.Float:
                sb.Append(GoFormat.JsonFloat(Float));
                break;
            case ValueKind.List:
                sb.Append('[');
                for (var i = 0; i < List.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    List[i].WriteJson(sb);
                }

                sb.Append(']');
                break;
            default:
                sb.Append('{');
                for (var i = 0; i < Map.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    GoFormat.WriteJsonString(sb, Map[i].Key);
                    sb.Append(':');
                    Map[i].Value.WriteJson(sb);
                }

                sb.Append('}');
                break;
        }
    }

    /// <summary>The human-readable form structured-merge-diff uses in field paths: strings quoted, numbers bare.</summary>
    public override string ToString() => Kind switch
    {
        ValueKind.Null => "null",
        ValueKind.String => GoFormat.Quote(Str),
        ValueKind.Bool => Bool ? "true" : "false",
        ValueKind.Int => Int.ToString(CultureInfo.InvariantCulture),
        ValueKind.Float => GoFormat.FloatV(Float),
        ValueKind.List => "[" + string.Join(",", List.Select(v => v.ToString())) + "]",
        _ => "{" + string.Join(",", Map.Select(e => e.Key + "=" + e.Value)) + "}",
    };

    private static int Rank(ValueKind kind) => kind switch
    {
        ValueKind.String => 1,
        ValueKind.Bool => 2,
        ValueKind.List => 3,
        ValueKind.Map => 4,
        _ => 5,
    };
}
