using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

internal enum ValueKind
{
    Null,
    Bool,
    Int,
    Float,
    String,
    List,
    Map,
}

internal readonly record struct JsonNumber(bool IsInt, long Int, double Float);

/// <summary>Reading and comparing System.Text.Json nodes the way the Go apiserver sees decoded JSON.</summary>
internal static class JsonValues
{
    public static ValueKind KindOf(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return ValueKind.Null;
            case JsonObject:
                return ValueKind.Map;
            case JsonArray:
                return ValueKind.List;
        }

        var value = node.AsValue();
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return ValueKind.String;
            case JsonValueKind.True:
            case JsonValueKind.False:
                return ValueKind.Bool;
            case JsonValueKind.Number:
                return NumberOf(value).IsInt ? ValueKind.Int : ValueKind.Float;
            default:
                return ValueKind.Null;
        }
    }

    public static bool IsScalar(JsonNode? node) => node is not JsonObject and not JsonArray;

    public static bool BoolOf(JsonValue value) => value.GetValueKind() == JsonValueKind.True;

    /// <summary>
    /// A JSON number as Go's unstructured decoder produces it: an int64 when the text is an integer that fits,
    /// otherwise a float64.
    /// </summary>
    public static JsonNumber NumberOf(JsonValue value)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            if (element.TryGetInt64(out var l))
            {
                return new JsonNumber(true, l, l);
            }

            return new JsonNumber(false, 0, element.GetDouble());
        }

        if (value.TryGetValue<int>(out var i))
        {
            return new JsonNumber(true, i, i);
        }

        if (value.TryGetValue<long>(out var l2))
        {
            return new JsonNumber(true, l2, l2);
        }

        if (value.TryGetValue<double>(out var d))
        {
            return FromDouble(d);
        }

        if (value.TryGetValue<decimal>(out var m))
        {
            return decimal.Truncate(m) == m && m >= long.MinValue && m <= long.MaxValue
                ? new JsonNumber(true, (long)m, (double)m)
                : new JsonNumber(false, 0, (double)m);
        }

        if (value.TryGetValue<float>(out var f))
        {
            return FromDouble(f);
        }

        // Any other numeric CLR type: fall back to its JSON text.
        var text = value.ToJsonString();
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? new JsonNumber(true, parsed, parsed)
            : new JsonNumber(false, 0, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    private static JsonNumber FromDouble(double d) => new(false, 0, d);

    /// <summary>Semantic equality: objects unordered, arrays ordered, numbers compared by value (1 == 1.0).</summary>
    public static bool Equal(JsonNode? a, JsonNode? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        switch (a)
        {
            case null:
                return b is null;
            case JsonObject ao:
                if (b is not JsonObject bo || ao.Count != bo.Count)
                {
                    return false;
                }

                foreach (var (key, av) in ao)
                {
                    if (!bo.TryGetPropertyValue(key, out var bv) || !Equal(av, bv))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray aa:
                if (b is not JsonArray ba || aa.Count != ba.Count)
                {
                    return false;
                }

                for (var i = 0; i < aa.Count; i++)
                {
                    if (!Equal(aa[i], ba[i]))
                    {
                        return false;
                    }
                }

                return true;
        }

        if (b is null or JsonObject or JsonArray)
        {
            return false;
        }

        var av2 = a.AsValue();
        var bv2 = b.AsValue();
        var ak = av2.GetValueKind();
        var bk = bv2.GetValueKind();
        switch (ak)
        {
            case JsonValueKind.String:
                return bk == JsonValueKind.String && StringEquals(av2, bv2);
            case JsonValueKind.Number:
                if (bk != JsonValueKind.Number)
                {
                    return false;
                }

                var an = NumberOf(av2);
                var bn = NumberOf(bv2);
                return an.IsInt && bn.IsInt ? an.Int == bn.Int : an.Float == bn.Float;
            default:
                return ak == bk;
        }
    }

    /// <summary>Compares two string values without materializing them when they come from parsed JSON.</summary>
    public static bool StringEquals(JsonValue a, JsonValue b)
    {
        var aElement = a.TryGetValue<JsonElement>(out var ae);
        var bElement = b.TryGetValue<JsonElement>(out var be);
        if (aElement && bElement)
        {
            var ar = JsonMarshal.GetRawUtf8Value(ae);
            var br = JsonMarshal.GetRawUtf8Value(be);
            if (ar.SequenceEqual(br))
            {
                return true;
            }

            // The same text can be escaped differently.
            return (ar.Contains((byte)'\\') || br.Contains((byte)'\\')) && ae.GetString() == be.GetString();
        }

        if (aElement)
        {
            return b.TryGetValue<string>(out var bs) && ae.ValueEquals(bs);
        }

        if (bElement)
        {
            return a.TryGetValue<string>(out var aString) && be.ValueEquals(aString);
        }

        return a.TryGetValue<string>(out var x) && b.TryGetValue<string>(out var y) && x == y;
    }

    /// <summary>Equality of two scalars the way Go compares decoded interface{} values with ==.</summary>
    public static bool GoScalarEqual(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a is JsonObject or JsonArray || b is JsonObject or JsonArray)
        {
            return false;
        }

        var av = a.AsValue();
        var bv = b.AsValue();
        var ak = av.GetValueKind();
        var bk = bv.GetValueKind();
        if (ak == JsonValueKind.Number && bk == JsonValueKind.Number)
        {
            // The patch code decodes numbers as float64.
            return NumberOf(av).Float == NumberOf(bv).Float;
        }

        if (ak == JsonValueKind.String && bk == JsonValueKind.String)
        {
            return av.GetValue<string>() == bv.GetValue<string>();
        }

        return ak == bk && ak is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null;
    }

    public static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

    /// <summary>The Go reflect type name of a decoded JSON value, as it appears in strategic merge patch errors.</summary>
    public static string GoTypeName(JsonNode? node) => KindOf(node) switch
    {
        ValueKind.Null => "<nil>",
        ValueKind.Map => "map[string]interface {}",
        ValueKind.List => "[]interface {}",
        ValueKind.String => "string",
        ValueKind.Bool => "bool",
        _ => "float64",
    };
}
