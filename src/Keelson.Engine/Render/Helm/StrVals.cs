using System.Globalization;
using System.Text;
using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Helm's parser for <c>--set</c>, <c>--set-string</c>, <c>--set-file</c> and <c>--set-json</c> (pkg/strvals):
/// <c>a.b=c,list[0]=x,list[1].name=y,tags={a,b}</c>, backslash escapes, and type inference for --set (int64 for
/// integers without a leading zero, true/false, null; everything else a string).
/// </summary>
internal sealed class StrVals
{
    public const int MaxIndex = 65536;
    public const int MaxNestedNameLevel = 30;

    private readonly string _s;
    private readonly Func<string, object?> _reader;
    private readonly bool _json;
    private int _pos;

    private StrVals(string s, Func<string, object?> reader, bool json)
    {
        _s = s;
        _reader = reader;
        _json = json;
    }

    /// <summary>--set: parses into <paramref name="dest"/> with type inference.</summary>
    public static void ParseInto(string s, Dictionary<string, object?> dest) => Run(s, dest, v => TypedValue(v, forceString: false), json: false);

    /// <summary>--set-string: every value is a string.</summary>
    public static void ParseIntoString(string s, Dictionary<string, object?> dest) => Run(s, dest, v => v, json: false);

    /// <summary>--set-file: each value is a path whose content <paramref name="readFile"/> returns.</summary>
    public static void ParseIntoFile(string s, Dictionary<string, object?> dest, Func<string, string> readFile) => Run(s, dest, v => readFile(v), json: false);

    /// <summary>--set-json: each value is JSON.</summary>
    public static void ParseJson(string s, Dictionary<string, object?> dest) => Run(s, dest, v => v, json: true);

    public static Dictionary<string, object?> Parse(string s)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        ParseInto(s, d);
        return d;
    }

    private static void Run(string s, Dictionary<string, object?> dest, Func<string, object?> reader, bool json)
    {
        var p = new StrVals(s, reader, json);
        while (!p.Key(dest, 0))
        {
        }
    }

    /// <summary>Go's typedVal.</summary>
    internal static object? TypedValue(string val, bool forceString)
    {
        if (forceString)
        {
            return val;
        }

        if (val.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (val.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (val.Equals("null", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (val == "0")
        {
            return 0L;
        }

        if (val.Length > 0 && val[0] != '0' && IsGoInt(val) && long.TryParse(val, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
        {
            return i;
        }

        return val;
    }

    // strconv.ParseInt base 10 accepts an optional sign and digits only.
    private static bool IsGoInt(string s)
    {
        var start = s[0] is '+' or '-' ? 1 : 0;
        if (start == s.Length)
        {
            return false;
        }

        for (var i = start; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    private bool Eof => _pos >= _s.Length;

    /// <summary>Reads up to a stop character, unescaping backslashes; eof is true when the input ended first.</summary>
    private (string Text, char Last, bool Eof) RunesUntil(string stops)
    {
        var sb = new StringBuilder();
        while (true)
        {
            if (Eof)
            {
                return (sb.ToString(), '\0', true);
            }

            var r = _s[_pos++];
            if (stops.Contains(r, StringComparison.Ordinal))
            {
                return (sb.ToString(), r, false);
            }

            if (r == '\\')
            {
                if (Eof)
                {
                    return (sb.ToString(), '\0', true);
                }

                sb.Append(_s[_pos++]);
                continue;
            }

            sb.Append(r);
        }
    }

    /// <summary>Parses one key=value (or key path); true where Go's parser returns io.EOF (input ended at a key).</summary>
    private bool Key(Dictionary<string, object?> data, int nested)
    {
        while (true)
        {
            var (k, last, eof) = RunesUntil("=[,.");
            if (eof)
            {
                if (k.Length == 0)
                {
                    return true;
                }

                throw new HelmException($"key \"{k}\" has no value");
            }

            switch (last)
            {
                case '[':
                {
                    var i = KeyIndex();
                    var list = new List<object?>();
                    if (data.TryGetValue(k, out var existing))
                    {
                        list = existing as List<object?> ?? throw Conversion(existing, "[]interface {}");
                    }

                    var (result, done) = ListItem(list, i, nested);
                    Set(data, k, result);
                    return done;
                }

                case '=':
                    if (_json)
                    {
                        if (EmptyValue())
                        {
                            Set(data, k, null);
                            return false;
                        }

                        Set(data, k, JsonValue());
                        EmptyValue();
                        return false;
                    }

                    switch (ValueList())
                    {
                        case (List<object?> vl, _):
                            Set(data, k, vl);
                            return false;
                        case (null, true):
                            Set(data, k, "");
                            return true;
                        default:
                        {
                            var (rs, _, _) = RunesUntil(",");
                            Set(data, k, _reader(rs));
                            return false;
                        }
                    }

                case ',':
                    Set(data, k, "");
                    throw new HelmException($"key \"{k}\" has no value (cannot end with ,)");
                case '.':
                {
                    nested++;
                    if (nested > MaxNestedNameLevel)
                    {
                        throw new HelmException($"value name nested level is greater than maximum supported nested level of {MaxNestedNameLevel}");
                    }

                    var inner = new Dictionary<string, object?>(StringComparer.Ordinal);
                    if (data.TryGetValue(k, out var existing))
                    {
                        inner = ValueTree.AsTable(existing) ?? throw Conversion(existing, "map[string]interface {}");
                    }

                    bool done;
                    try
                    {
                        done = Key(inner, nested);
                    }
                    catch (HelmException) when (inner.Count != 0)
                    {
                        Set(data, k, inner);
                        throw;
                    }

                    if (inner.Count == 0)
                    {
                        // "a." at the very end sets nothing, without an error, as in Helm.
                        return done ? true : throw new HelmException($"key map \"{k}\" has no value");
                    }

                    Set(data, k, inner);
                    return done;
                }
            }
        }
    }

    private static HelmException Conversion(object? value, string want) =>
        new($"unable to parse key: interface conversion: interface {{}} is {GoValues.TypeName(value)}, not {want}");

    private static void Set(Dictionary<string, object?> data, string key, object? value)
    {
        if (key.Length > 0)
        {
            data[key] = value;
        }
    }

    private static List<object?> SetIndex(List<object?> list, int index, object? value)
    {
        if (index < 0)
        {
            throw new HelmException($"negative {index} index not allowed");
        }

        if (index > MaxIndex)
        {
            throw new HelmException($"index of {index} is greater than maximum supported index of {MaxIndex}");
        }

        while (list.Count <= index)
        {
            list.Add(null);
        }

        list[index] = value;
        return list;
    }

    private int KeyIndex()
    {
        var (v, _, eof) = RunesUntil("]");
        if (eof)
        {
            throw new HelmException("error parsing index: EOF");
        }

        if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
        {
            throw new HelmException($"error parsing index: strconv.Atoi: parsing \"{v}\": invalid syntax");
        }

        return i;
    }

    private (List<object?> List, bool Done) ListItem(List<object?> list, int i, int nested)
    {
        if (i < 0)
        {
            throw new HelmException($"negative {i} index not allowed");
        }

        var (k, last, eof) = RunesUntil("[.=");
        if (k.Length > 0)
        {
            throw new HelmException($"unexpected data at end of array index: \"{k}\"");
        }

        if (eof)
        {
            return (list, true);
        }

        switch (last)
        {
            case '=':
                if (_json)
                {
                    if (EmptyValue())
                    {
                        return (SetIndex(list, i, null), false);
                    }

                    var jv = JsonValue();
                    SetIndex(list, i, jv);
                    EmptyValue();
                    return (list, false);
                }

                switch (ValueList())
                {
                    case (List<object?> vl, _):
                        return (SetIndex(list, i, vl), false);
                    case (null, true):
                        return (SetIndex(list, i, ""), false);
                    default:
                    {
                        var (rs, _, _) = RunesUntil(",");
                        return (SetIndex(list, i, _reader(rs)), false);
                    }
                }

            case '[':
            {
                var next = KeyIndex();
                var current = new List<object?>();
                if (list.Count > i && list[i] is { } existed)
                {
                    current = existed as List<object?> ?? throw Conversion(existed, "[]interface {}");
                }

                var (inner, done) = ListItem(current, next, nested);
                return (SetIndex(list, i, inner), done);
            }

            case '.':
            {
                var inner = new Dictionary<string, object?>(StringComparer.Ordinal);
                if (list.Count > i)
                {
                    if (ValueTree.AsTable(list[i]) is { } m)
                    {
                        inner = m;
                    }
                    else
                    {
                        list[i] = inner;
                    }
                }

                var done = Key(inner, nested);
                return (SetIndex(list, i, inner), done);
            }

            default:
                throw new HelmException($"parse error: unexpected token {last}");
        }
    }

    /// <summary>A {a,b,c} list value; (null, false) when the value is not a list, (null, true) at end of input.</summary>
    private (List<object?>? List, bool Eof) ValueList()
    {
        if (Eof)
        {
            return (null, true);
        }

        if (_s[_pos] != '{')
        {
            return (null, false);
        }

        _pos++;
        var list = new List<object?>();
        while (true)
        {
            var (rs, last, eof) = RunesUntil(",}");
            if (eof)
            {
                throw new HelmException("list must terminate with '}'");
            }

            if (last == '}')
            {
                if (!Eof && _s[_pos] == ',')
                {
                    _pos++;
                }

                list.Add(_reader(rs));
                return (list, false);
            }

            list.Add(_reader(rs));
        }
    }

    /// <summary>Skips spaces up to a comma or the end (an empty value) or stops before anything else.</summary>
    private bool EmptyValue()
    {
        while (!Eof)
        {
            var r = _s[_pos];
            if (r == ',')
            {
                _pos++;
                return true;
            }

            if (!char.IsWhiteSpace(r))
            {
                return false;
            }

            _pos++;
        }

        return true;
    }

    private object? JsonValue()
    {
        var rest = _s[_pos..];
        var reader = new System.Text.Json.Utf8JsonReader(Encoding.UTF8.GetBytes(rest), new System.Text.Json.JsonReaderOptions { AllowMultipleValues = true, MaxDepth = 1000 });
        try
        {
            using var doc = System.Text.Json.JsonDocument.ParseValue(ref reader);
            var consumed = Encoding.UTF8.GetCharCount(Encoding.UTF8.GetBytes(rest), 0, (int)reader.BytesConsumed);
            _pos += consumed;
            return GoValues.FromJson(doc.RootElement.GetRawText());
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new HelmException("invalid JSON value: " + e.Message);
        }
    }
}
