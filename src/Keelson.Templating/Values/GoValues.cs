using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Templating;

/// <summary>
/// A value of a host (declared) Go type: a struct, a pointer to one, or a named map/slice type with methods.
/// A map-kind host value must also implement <see cref="IDictionary{TKey,TValue}"/> (string keys) or
/// <see cref="IDictionary"/>; a slice-kind one <see cref="IList"/>.
/// </summary>
public interface IGoValue
{
    GoType GoType { get; }
}

/// <summary>A nil of a specific Go type (a nil map, slice or pointer), which Go prints and compares differently from an untyped nil.</summary>
public sealed class GoTypedNil : IGoValue
{
    internal GoTypedNil(GoType type)
    {
        GoType = type;
    }

    public GoType GoType { get; }

    public override string ToString() => "<nil " + GoType.Name + ">";
}

/// <summary>A Go error value (what errors.New returns), for data that carries errors.</summary>
public sealed class GoError : IGoValue
{
    private static readonly GoType PointerType = CreatePointerType();

    public GoError(string message)
    {
        Message = message;
    }

    public string Message { get; }

    public GoType GoType => PointerType;

    public override string ToString() => Message;

    private static GoType CreatePointerType()
    {
        var b = new GoTypeBuilder("errors.errorString");
        b.Method("Error", new GoSignature([], GoType.String), static (r, _, _) => ((GoError)r).Message);
        b.Build();
        return b.PointerType;
    }
}

/// <summary>
/// The value model shared by the template engine, Sprig and Helm. Each Go type has one CLR shape:
/// <list type="table">
/// <item><term>nil (untyped)</term><description>null</description></item>
/// <item><term>bool, string</term><description>bool, string</description></item>
/// <item><term>int, int8, int16, int32, int64</term><description>nint, sbyte, short, int, long</description></item>
/// <item><term>uint, uint8, uint16, uint32, uint64</term><description>nuint, byte, ushort, uint, ulong</description></item>
/// <item><term>float32, float64, complex128</term><description>float, double, System.Numerics.Complex</description></item>
/// <item><term>[]interface {}</term><description>List&lt;object?&gt; (object?[] is accepted too)</description></item>
/// <item><term>[]string, []int, []int64, []float64</term><description>List&lt;T&gt; or T[] of string, nint, long, double</description></item>
/// <item><term>[]byte</term><description>byte[]</description></item>
/// <item><term>map[string]interface {}</term><description>Dictionary&lt;string, object?&gt; (any IDictionary&lt;string, object?&gt;)</description></item>
/// <item><term>map[string]string</term><description>Dictionary&lt;string, string&gt;</description></item>
/// <item><term>typed nil</term><description><see cref="GoTypedNil"/> (GoType.Nil)</description></item>
/// <item><term>declared types</term><description><see cref="IGoValue"/> with a <see cref="GoType"/> from <see cref="GoTypeBuilder"/></description></item>
/// <item><term>func</term><description><see cref="GoFunction"/></description></item>
/// </list>
/// </summary>
public static class GoValues
{
    /// <summary>The Go type of a value; null for untyped nil. Throws for CLR values outside the model.</summary>
    public static GoType? TypeOf(object? value) => value switch
    {
        null => null,
        string => GoType.String,
        double => GoType.Float64,
        bool => GoType.Bool,
        nint => GoType.Int,
        long => GoType.Int64,
        int => GoType.Int32,
        IGoValue g => g.GoType,
        List<object?> => GoType.SliceOfInterface,
        Dictionary<string, object?> => GoType.MapOfStringInterface,
        byte[] => GoType.Bytes,
        IList<string> => GoType.SliceOfString,
        IList<object?> => GoType.SliceOfInterface,
        IDictionary<string, object?> => GoType.MapOfStringInterface,
        IDictionary<string, string> => GoType.MapOfStringString,
        IList<nint> => GoType.SliceOfInt,
        IList<long> => GoType.SliceOfInt64,
        IList<int> => GoType.SliceOfInt32,
        IList<double> => GoType.SliceOfFloat64,
        IList<bool> => GoType.SliceOfBool,
        float => GoType.Float32,
        short => GoType.Int16,
        sbyte => GoType.Int8,
        nuint => GoType.Uint,
        ulong => GoType.Uint64,
        uint => GoType.Uint32,
        ushort => GoType.Uint16,
        byte => GoType.Uint8,
        Complex => GoType.Complex128,
        _ => throw new InvalidOperationException($"a value of CLR type {value.GetType()} is not part of the Go value model"),
    };

    /// <summary>The Go kind of a value (Invalid for nil).</summary>
    public static GoKind KindOf(object? value) => TypeOf(value)?.Kind ?? GoKind.Invalid;

    /// <summary>What %T prints: the type name, or "&lt;nil&gt;".</summary>
    public static string TypeName(object? value) => TypeOf(value)?.Name ?? "<nil>";

    /// <summary>
    /// Converts JSON to what Go's encoding/json gives when unmarshalling into interface{}: objects become
    /// map[string]interface {}, arrays []interface {}, numbers float64.
    /// </summary>
    public static object? FromJson(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
            {
                var map = new Dictionary<string, object?>(obj.Count, StringComparer.Ordinal);
                foreach (var (key, child) in obj)
                {
                    map[key] = FromJson(child);
                }

                return map;
            }

            case JsonArray arr:
            {
                var list = new List<object?>(arr.Count);
                foreach (var child in arr)
                {
                    list.Add(FromJson(child));
                }

                return list;
            }

            default:
            {
                var value = node.AsValue();
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        return value.GetValue<string>();
                    case JsonValueKind.True:
                        return true;
                    case JsonValueKind.False:
                        return false;
                    case JsonValueKind.Null:
                        return null;
                    case JsonValueKind.Number:
                        return ParseJsonNumber(value.ToJsonString());
                    default:
                        throw new FormatException("unsupported JSON value " + value.ToJsonString());
                }
            }
        }
    }

    /// <summary>
    /// Parses JSON text like encoding/json into interface{} (duplicate keys: the last wins); null gives null. This
    /// overload wins for strings: JsonNode converts implicitly from string, which would make the text a JSON string.
    /// </summary>
    [OverloadResolutionPriority(1)]
    public static object? FromJson(string? json)
    {
        if (json is null)
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 10_000 });
        if (!reader.Read())
        {
            throw new FormatException("unexpected end of JSON input");
        }

        var result = ReadJson(ref reader);
        if (reader.Read())
        {
            throw new FormatException("invalid character after top-level value");
        }

        return result;
    }

    private static object? ReadJson(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    map[key] = ReadJson(ref reader);
                }

                return map;
            }

            case JsonTokenType.StartArray:
            {
                var list = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(ReadJson(ref reader));
                }

                return list;
            }

            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return ParseJsonNumber(Encoding.UTF8.GetString(reader.ValueSpan));
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.Null:
                return null;
            default:
                throw new FormatException("unexpected JSON token " + reader.TokenType);
        }
    }

    private static double ParseJsonNumber(string text)
    {
        if (!Fmt.GoStrconv.TryParseFloat(text, out var d))
        {
            throw new FormatException($"json: cannot unmarshal number {text} into Go value of type float64");
        }

        return d;
    }

    /// <summary>text/template's truth: false, 0, nil, and empty strings, slices and maps are false; structs are true.</summary>
    public static bool IsTrue(object? value) => Truth(value, out var truth) && truth;

    /// <summary>Go's truth with whether the value has one at all (functions and channels do not... nor do unknown kinds).</summary>
    internal static bool Truth(object? value, out bool truth)
    {
        truth = false;
        switch (value)
        {
            case null:
                return true;
            case string s:
                truth = s.Length > 0;
                return true;
            case bool b:
                truth = b;
                return true;
            case double d:
                truth = d != 0;
                return true;
            case nint i:
                truth = i != 0;
                return true;
            case long l:
                truth = l != 0;
                return true;
            case GoTypedNil:
                return true;
            case GoFunction:
                truth = true;
                return true;
        }

        var t = TypeOf(value)!;
        switch (t.Kind)
        {
            case GoKind.Map:
            case GoKind.Slice:
            case GoKind.Array:
                truth = Len(value) > 0;
                return true;
            case GoKind.Struct:
            case GoKind.Ptr:
            case GoKind.Chan:
            case GoKind.Interface:
                truth = true;
                return true;
            case GoKind.String:
                truth = StringOf(value).Length > 0;
                return true;
            case GoKind.Complex64:
            case GoKind.Complex128:
                truth = (Complex)value != Complex.Zero;
                return true;
            case GoKind.Float32:
            case GoKind.Float64:
                truth = ToDouble(value) != 0;
                return true;
            case GoKind.Bool:
                truth = (bool)value;
                return true;
            default:
                if (t.Kind.IsSignedInt())
                {
                    truth = ToInt64(value) != 0;
                    return true;
                }

                if (t.Kind.IsUnsignedInt())
                {
                    truth = ToUInt64(value) != 0;
                    return true;
                }

                return false;
        }
    }

    // ---- Scalar access (values of basic kinds, including those of declared types over them) ----

    internal static long ToInt64(object v) => v switch
    {
        nint i => i,
        long l => l,
        int i32 => i32,
        short s => s,
        sbyte sb => sb,
        IGoScalar g => g.Int64Value,
        _ => throw new InvalidCastException($"{TypeName(v)} is not a signed integer"),
    };

    internal static ulong ToUInt64(object v) => v switch
    {
        nuint u => u,
        ulong ul => ul,
        uint u32 => u32,
        ushort us => us,
        byte b => b,
        IGoScalar g => g.UInt64Value,
        _ => throw new InvalidCastException($"{TypeName(v)} is not an unsigned integer"),
    };

    internal static double ToDouble(object v) => v switch
    {
        double d => d,
        float f => f,
        IGoScalar g => g.Float64Value,
        _ => throw new InvalidCastException($"{TypeName(v)} is not a float"),
    };

    internal static string StringOf(object v) => v switch
    {
        string s => s,
        IGoScalar g => g.StringValue,
        _ => throw new InvalidCastException($"{TypeName(v)} is not a string"),
    };

    // ---- Collection access ----

    /// <summary>len() of a string (UTF-8 bytes), slice, array or map; -1 for other kinds.</summary>
    public static int Len(object? value)
    {
        switch (value)
        {
            case string s:
                return Utf8Length(s);
            case ICollection c:
                return c.Count;
            case ICollection<string> cs:
                return cs.Count;
            case ICollection<object?> co:
                return co.Count;
            case ICollection<KeyValuePair<string, object?>> d:
                return d.Count;
            case ICollection<KeyValuePair<string, string>> ds:
                return ds.Count;
            case GoTypedNil:
                return 0;
            case IGoScalar g when g.GoType.Kind == GoKind.String:
                return Utf8Length(g.StringValue);
            default:
                return -1;
        }
    }

    internal static int Utf8Length(string s)
    {
        foreach (var c in s)
        {
            if (c >= 0x80)
            {
                return Encoding.UTF8.GetByteCount(s);
            }
        }

        return s.Length;
    }

    /// <summary>Element i of a slice or array value.</summary>
    internal static object? Index(object list, int i) => list switch
    {
        List<object?> l => l[i],
        IList<object?> l => l[i],
        IList<string> l => l[i],
        IList l => l[i],
        _ => throw new InvalidCastException($"{TypeName(list)} is not a slice"),
    };

    /// <summary>Looks a string key up in a map value.</summary>
    internal static bool TryGetMapValue(object map, string key, out object? value)
    {
        switch (map)
        {
            case Dictionary<string, object?> d:
                return d.TryGetValue(key, out value);
            case IDictionary<string, object?> d:
                return d.TryGetValue(key, out value);
            case IDictionary<string, string> ds:
            {
                var ok = ds.TryGetValue(key, out var s);
                value = s;
                return ok;
            }

            case IReadOnlyDictionary<string, object?> r:
                return r.TryGetValue(key, out value);
            case IDictionary nd:
                if (nd.Contains(key))
                {
                    value = nd[key];
                    return true;
                }

                value = null;
                return false;
            default:
                value = null;
                return false;
        }
    }

    /// <summary>The entries of a map value, keys in Go's sorted order (fmt and range order).</summary>
    internal static List<KeyValuePair<object, object?>> SortedEntries(object map)
    {
        var entries = new List<KeyValuePair<object, object?>>();
        switch (map)
        {
            case IDictionary<string, object?> d:
                foreach (var kv in d)
                {
                    entries.Add(new(kv.Key, kv.Value));
                }

                break;
            case IDictionary<string, string> ds:
                foreach (var kv in ds)
                {
                    entries.Add(new(kv.Key, kv.Value));
                }

                break;
            case IReadOnlyDictionary<string, object?> r:
                foreach (var kv in r)
                {
                    entries.Add(new(kv.Key, kv.Value));
                }

                break;
            case IDictionary nd:
                foreach (DictionaryEntry kv in nd)
                {
                    entries.Add(new(kv.Key, kv.Value));
                }

                break;
        }

        entries.Sort(static (a, b) => CompareKeys(a.Key, b.Key));
        return entries;
    }

    /// <summary>internal/fmtsort's order for keys of one type.</summary>
    internal static int CompareKeys(object a, object b)
    {
        if (a is string sa && b is string sb)
        {
            return GoStrings.Compare(sa, sb);
        }

        var ka = KindOf(a);
        if (ka.IsSignedInt())
        {
            return ToInt64(a).CompareTo(ToInt64(b));
        }

        if (ka.IsUnsignedInt())
        {
            return ToUInt64(a).CompareTo(ToUInt64(b));
        }

        if (ka.IsFloat())
        {
            var x = ToDouble(a);
            var y = ToDouble(b);
            if (double.IsNaN(x))
            {
                return double.IsNaN(y) ? 0 : -1;
            }

            return double.IsNaN(y) ? 1 : x.CompareTo(y);
        }

        if (ka == GoKind.Bool)
        {
            return ((bool)a).CompareTo((bool)b);
        }

        if (ka == GoKind.String)
        {
            return GoStrings.Compare(StringOf(a), StringOf(b));
        }

        return 0;
    }

    /// <summary>reflect.DeepEqual for values of the model.</summary>
    public static bool DeepEqual(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (ReferenceEquals(a, b))
        {
            return true;
        }

        var ta = TypeOf(a)!;
        var tb = TypeOf(b)!;
        if (!ta.IdenticalTo(tb))
        {
            return false;
        }

        switch (ta.Kind)
        {
            case GoKind.Slice:
            case GoKind.Array:
            {
                if (a is GoTypedNil || b is GoTypedNil)
                {
                    return a is GoTypedNil && b is GoTypedNil;
                }

                var n = Len(a);
                if (n != Len(b))
                {
                    return false;
                }

                for (var i = 0; i < n; i++)
                {
                    if (!DeepEqual(Index(a, i), Index(b, i)))
                    {
                        return false;
                    }
                }

                return true;
            }

            case GoKind.Map:
            {
                if (a is GoTypedNil || b is GoTypedNil)
                {
                    return a is GoTypedNil && b is GoTypedNil;
                }

                if (Len(a) != Len(b))
                {
                    return false;
                }

                foreach (var kv in SortedEntries(a))
                {
                    if (kv.Key is not string key || !TryGetMapValue(b, key, out var other) || !DeepEqual(kv.Value, other))
                    {
                        return false;
                    }
                }

                return true;
            }

            case GoKind.Float32:
            case GoKind.Float64:
                return ToDouble(a) == ToDouble(b);
            case GoKind.Struct:
                foreach (var f in ta.Fields)
                {
                    if (!DeepEqual(f.Get(a), f.Get(b)))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return a.Equals(b);
        }
    }
}

/// <summary>
/// A host value of a declared basic type (e.g. <c>type Duration int64</c>): exposes the underlying scalar so
/// the engine can compare, print and index it.
/// </summary>
public interface IGoScalar : IGoValue
{
    long Int64Value => throw new InvalidCastException(GoType.Name + " is not a signed integer");

    ulong UInt64Value => throw new InvalidCastException(GoType.Name + " is not an unsigned integer");

    double Float64Value => throw new InvalidCastException(GoType.Name + " is not a float");

    string StringValue => throw new InvalidCastException(GoType.Name + " is not a string");
}

/// <summary>Go string ordering: byte-wise on UTF-8, which is code point order (not UTF-16 ordinal order).</summary>
internal static class GoStrings
{
    public static int Compare(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x == y)
            {
                continue;
            }

            // Surrogates (U+D800..DFFF) encode code points above U+FFFF, which sort after U+E000..U+FFFF.
            if (x >= 0xD800 && y >= 0xD800)
            {
                return Fix(x).CompareTo(Fix(y));
            }

            return x.CompareTo(y);
        }

        return a.Length.CompareTo(b.Length);

        static int Fix(char c) => c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }
}
