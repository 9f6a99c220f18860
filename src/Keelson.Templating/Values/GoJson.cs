using System.Globalization;
using System.Numerics;
using System.Text;
using Keelson.Templating.Fmt;

namespace Keelson.Templating;

/// <summary>An error encoding/json reports (unsupported type or value, cycle); the message is Go's.</summary>
public sealed class GoJsonException(string message) : Exception(message);

/// <summary>
/// Go's encoding/json Marshal and MarshalIndent over the value model (Go 1.22+ string escaping: \b and \f are
/// written as short escapes). Map keys are sorted, &lt; &gt; &amp; are escaped unless <c>escapeHtml</c> is false
/// (Sprig's toRawJson), floats use Go's encoder format (1e+21, 1e-7), []byte becomes base64.
/// </summary>
public static class GoJson
{
    private const string Hex = "0123456789abcdef";
    private const int MaxDepth = 1000;

    public static string Marshal(object? value, bool escapeHtml = true)
    {
        var sb = new StringBuilder();
        Encode(sb, value, null, escapeHtml, 0);
        return sb.ToString();
    }

    public static string MarshalIndent(object? value, string prefix, string indent, bool escapeHtml = true)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(indent);
        return Indent(Marshal(value, escapeHtml), prefix, indent);
    }

    private static void Encode(StringBuilder sb, object? v, GoType? staticType, bool escapeHtml, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new GoJsonException("json: unsupported value: encountered a cycle via " + (GoValues.TypeOf(v)?.Name ?? "interface {}"));
        }

        switch (v)
        {
            case null:
                sb.Append("null");
                return;
            case string s:
                AppendString(sb, s, escapeHtml);
                return;
            case bool b:
                sb.Append(b ? "true" : "false");
                return;
            case double d:
                AppendFloat(sb, d, 64);
                return;
            case nint n:
                sb.Append(((long)n).ToString(CultureInfo.InvariantCulture));
                return;
            case long l:
                sb.Append(l.ToString(CultureInfo.InvariantCulture));
                return;
            case byte[] bytes:
                sb.Append('"').Append(Convert.ToBase64String(bytes)).Append('"');
                return;
            case GoTypedNil:
                sb.Append("null");
                return;
        }

        var type = GoValues.TypeOf(v)!;
        if (type.MarshalJson is { } marshal)
        {
            Compact(sb, marshal(v), escapeHtml);
            return;
        }

        switch (type.Kind)
        {
            case GoKind.Bool:
                sb.Append((bool)v ? "true" : "false");
                return;
            case GoKind.String:
                AppendString(sb, GoValues.StringOf(v), escapeHtml);
                return;
            case GoKind.Float32:
                AppendFloat(sb, GoValues.ToDouble(v), 32);
                return;
            case GoKind.Float64:
                AppendFloat(sb, GoValues.ToDouble(v), 64);
                return;
            case GoKind.Map:
                EncodeMap(sb, v, type, escapeHtml, depth);
                return;
            case GoKind.Slice:
            case GoKind.Array:
            {
                if (type.Elem?.Kind == GoKind.Uint8 && v is IEnumerable<byte> raw)
                {
                    sb.Append('"').Append(Convert.ToBase64String(raw.ToArray())).Append('"');
                    return;
                }

                sb.Append('[');
                var n = GoValues.Len(v);
                for (var i = 0; i < n; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Encode(sb, GoValues.Index(v, i), type.Elem, escapeHtml, depth + 1);
                }

                sb.Append(']');
                return;
            }

            case GoKind.Struct:
            case GoKind.Ptr when type.Elem?.Kind == GoKind.Struct:
                EncodeStruct(sb, v, type, escapeHtml, depth);
                return;
        }

        if (type.Kind.IsSignedInt())
        {
            sb.Append(GoValues.ToInt64(v).ToString(CultureInfo.InvariantCulture));
            return;
        }

        if (type.Kind.IsUnsignedInt())
        {
            sb.Append(GoValues.ToUInt64(v).ToString(CultureInfo.InvariantCulture));
            return;
        }

        throw new GoJsonException("json: unsupported type: " + type.Name);
    }

    private static void EncodeMap(StringBuilder sb, object v, GoType type, bool escapeHtml, int depth)
    {
        var entries = GoValues.SortedEntries(v);
        if (type.Key is { Kind: not GoKind.String })
        {
            // Non-string keys are written as their decimal text and sorted as strings.
            entries.Sort((a, b) => GoStrings.Compare(KeyText(a.Key), KeyText(b.Key)));
        }

        sb.Append('{');
        var first = true;
        foreach (var kv in entries)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            AppendString(sb, KeyText(kv.Key), escapeHtml);
            sb.Append(':');
            Encode(sb, kv.Value, type.Elem, escapeHtml, depth + 1);
        }

        sb.Append('}');
    }

    private static string KeyText(object key) => key switch
    {
        string s => s,
        _ when GoValues.KindOf(key) == GoKind.String => GoValues.StringOf(key),
        _ when GoValues.KindOf(key).IsSignedInt() => GoValues.ToInt64(key).ToString(CultureInfo.InvariantCulture),
        _ when GoValues.KindOf(key).IsUnsignedInt() => GoValues.ToUInt64(key).ToString(CultureInfo.InvariantCulture),
        _ => throw new GoJsonException("json: unsupported type: map[" + GoValues.TypeName(key) + "]"),
    };

    private static void EncodeStruct(StringBuilder sb, object v, GoType type, bool escapeHtml, int depth)
    {
        sb.Append('{');
        var first = true;
        foreach (var f in type.Fields)
        {
            if (f.JsonName == "-" || !f.IsExported)
            {
                continue;
            }

            var value = f.Get(v);
            if (f.OmitEmpty && IsEmptyValue(value))
            {
                continue;
            }

            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            AppendString(sb, f.JsonName ?? f.Name, escapeHtml);
            sb.Append(':');
            Encode(sb, value, f.Type, escapeHtml, depth + 1);
        }

        sb.Append('}');
    }

    private static bool IsEmptyValue(object? v)
    {
        switch (v)
        {
            case null:
            case GoTypedNil:
                return true;
            case string s:
                return s.Length == 0;
            case bool b:
                return !b;
            case double d:
                return d == 0;
            case nint n:
                return n == 0;
            case long l:
                return l == 0;
        }

        var t = GoValues.TypeOf(v)!;
        return t.Kind switch
        {
            GoKind.Map or GoKind.Slice or GoKind.Array or GoKind.String => GoValues.Len(v) == 0,
            GoKind.Float32 or GoKind.Float64 => GoValues.ToDouble(v) == 0,
            _ when t.Kind.IsSignedInt() => GoValues.ToInt64(v) == 0,
            _ when t.Kind.IsUnsignedInt() => GoValues.ToUInt64(v) == 0,
            GoKind.Bool => !(bool)v,
            _ => false,
        };
    }

    private static void AppendFloat(StringBuilder sb, double f, int bits)
    {
        if (double.IsNaN(f) || double.IsInfinity(f))
        {
            throw new GoJsonException("json: unsupported value: " + GoStrconv.FormatFloat(f, 'g', -1, bits));
        }

        // Like ES6: decimal notation unless the exponent is small or large.
        var abs = Math.Abs(f);
        var fmt = 'f';
        if (abs != 0)
        {
            if (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && ((float)abs < 1e-6f || (float)abs >= 1e21f))
            {
                fmt = 'e';
            }
        }

        var start = sb.Length;
        GoStrconv.AppendFloat(sb, f, fmt, -1, bits);
        if (fmt == 'e')
        {
            // Clean up e-09 to e-9.
            var n = sb.Length - start;
            if (n >= 4 && sb[^4] == 'e' && sb[^3] == '-' && sb[^2] == '0')
            {
                sb[^2] = sb[^1];
                sb.Length--;
            }
        }
    }

    internal static void AppendString(StringBuilder sb, string s, bool escapeHtml)
    {
        sb.Append('"');
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            string? esc = null;
            if (c < 0x80)
            {
                if (c >= 0x20 && c != '"' && c != '\\' && (!escapeHtml || c is not ('<' or '>' or '&')))
                {
                    continue;
                }

                esc = c switch
                {
                    '\\' => "\\\\",
                    '"' => "\\\"",
                    '\b' => "\\b",
                    '\f' => "\\f",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => "\\u00" + Hex[c >> 4] + Hex[c & 0xF],
                };
            }
            else if (c is '\u2028' or '\u2029')
            {
                esc = c == '\u2028' ? "\\u2028" : "\\u2029";
            }
            else if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                {
                    i++;
                    continue;
                }

                esc = "\ufffd";
            }

            if (esc is null)
            {
                continue;
            }

            sb.Append(s, start, i - start).Append(esc);
            start = i + 1;
        }

        sb.Append(s, start, s.Length - start).Append('"');
    }

    /// <summary>json.Compact with Go's HTML escaping, applied to what a json.Marshaler returns.</summary>
    private static void Compact(StringBuilder sb, string json, bool escapeHtml)
    {
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                if (c == '\\' && i + 1 < json.Length)
                {
                    sb.Append(c).Append(json[++i]);
                    continue;
                }

                if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c is ' ' or '\t' or '\n' or '\r')
            {
                continue;
            }

            if (escapeHtml && c is '<' or '>' or '&')
            {
                sb.Append("\\u00").Append(Hex[c >> 4]).Append(Hex[c & 0xF]);
            }
            else if (c is '\u2028' or '\u2029')
            {
                sb.Append(c == '\u2028' ? "\\u2028" : "\\u2029");
            }
            else
            {
                sb.Append(c);
            }
        }
    }

    /// <summary>json.Indent over compact JSON: each element on a new line starting with prefix and indents.</summary>
    private static string Indent(string compact, string prefix, string indent)
    {
        var sb = new StringBuilder(compact.Length * 2);
        var depth = 0;
        var inString = false;
        var needIndent = false;
        for (var i = 0; i < compact.Length; i++)
        {
            var c = compact[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < compact.Length)
                {
                    sb.Append(compact[++i]);
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (needIndent && c is not (']' or '}'))
            {
                needIndent = false;
                depth++;
                NewLine(sb, prefix, indent, depth);
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    sb.Append(c);
                    break;
                case '{':
                case '[':
                    sb.Append(c);
                    needIndent = true;
                    break;
                case ',':
                    sb.Append(c);
                    NewLine(sb, prefix, indent, depth);
                    break;
                case ':':
                    sb.Append(c).Append(' ');
                    break;
                case '}':
                case ']':
                    if (needIndent)
                    {
                        // Suppress the indent in an empty object or array.
                        needIndent = false;
                    }
                    else
                    {
                        depth--;
                        NewLine(sb, prefix, indent, depth);
                    }

                    sb.Append(c);
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();

        static void NewLine(StringBuilder sb, string prefix, string indent, int depth)
        {
            sb.Append('\n').Append(prefix);
            for (var i = 0; i < depth; i++)
            {
                sb.Append(indent);
            }
        }
    }
}
