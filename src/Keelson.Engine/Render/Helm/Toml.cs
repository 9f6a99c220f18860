using System.Globalization;
using System.Text;
using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// TOML as Helm's toToml/fromToml see it through BurntSushi/toml: the encoder writes a map's plain keys (sorted)
/// before its tables, indents nested tables by two spaces, writes floats with a decimal point (JSON numbers are
/// floats, so 3 becomes 3.0) and skips nil values; the decoder gives int64, float64, string, bool, lists and maps.
/// </summary>
internal static class Toml
{
    /// <summary>toToml: the TOML text, or the error message when the value cannot be encoded.</summary>
    public static string Encode(object? value)
    {
        try
        {
            return EncodeOrThrow(value);
        }
        catch (TomlException e)
        {
            return e.Message;
        }
    }

    public static string EncodeOrThrow(object? value)
    {
        var enc = new Encoder();
        enc.EncodeTop(value);
        return enc.ToString();
    }

    /// <summary>fromToml: the document as a map; on error a map holding the message under "Error".</summary>
    public static Dictionary<string, object?> DecodeForTemplate(string text)
    {
        try
        {
            return new Decoder(text).Parse();
        }
        catch (TomlException e)
        {
            return new Dictionary<string, object?>(StringComparer.Ordinal) { ["Error"] = e.Message };
        }
    }

    internal sealed class TomlException(string message) : Exception(message);

    private sealed class Encoder
    {
        private readonly StringBuilder _sb = new();
        private bool _written;

        public override string ToString() => _sb.ToString();

        public void EncodeTop(object? value)
        {
            switch (value)
            {
                case null:
                    throw new TomlException("toml: cannot encode a nil value");
                case IDictionary<string, object?> or IDictionary<string, string>:
                    Map([], value, inline: false);
                    break;
                default:
                    if (GoValues.KindOf(value) == GoKind.Struct || GoValues.KindOf(value) == GoKind.Ptr)
                    {
                        throw new TomlException("toml: unsupported type " + GoValues.TypeName(value));
                    }

                    throw new TomlException("toml: top-level values must be Go maps or structs");
            }
        }

        private void Write(string s)
        {
            _sb.Append(s);
            _written = true;
        }

        private void Newline()
        {
            if (_written)
            {
                _sb.Append('\n');
            }
        }

        private static List<KeyValuePair<string, object?>> Entries(object map) => map switch
        {
            IDictionary<string, object?> d => d.ToList(),
            IDictionary<string, string> ds => ds.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)).ToList(),
            _ => [],
        };

        private void Map(List<string> key, object map, bool inline)
        {
            var direct = new List<KeyValuePair<string, object?>>();
            var sub = new List<KeyValuePair<string, object?>>();
            foreach (var kv in Entries(map))
            {
                (IsTable(kv.Value) ? sub : direct).Add(kv);
            }

            direct.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            sub.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            if (inline)
            {
                Write("{");
            }

            WriteKeys(key, direct, inline, trailingComma: sub.Count > 0);
            WriteKeys(key, sub, inline, trailingComma: false);
            if (inline)
            {
                Write("}");
            }
        }

        private void WriteKeys(List<string> key, List<KeyValuePair<string, object?>> entries, bool inline, bool trailingComma)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var (k, v) = (entries[i].Key, entries[i].Value);
                if (v is null or GoTypedNil)
                {
                    continue;
                }

                if (inline)
                {
                    KeyValue([k], v, inline: true);
                    if (trailingComma || i != entries.Count - 1)
                    {
                        Write(", ");
                    }
                }
                else
                {
                    EncodeKey([.. key, k], v);
                }
            }
        }

        private void EncodeKey(List<string> key, object? value)
        {
            switch (value)
            {
                case null or GoTypedNil:
                    return;
                case IDictionary<string, object?> or IDictionary<string, string>:
                    Table(key, value);
                    return;
            }

            if (IsArrayOfTables(value))
            {
                foreach (var item in (System.Collections.IEnumerable)value)
                {
                    if (item is null)
                    {
                        continue;
                    }

                    Newline();
                    Write(Indent(key) + "[[" + KeyString(key) + "]]");
                    Newline();
                    Map(key, item, inline: false);
                }

                return;
            }

            KeyValue(key, value, inline: false);
        }

        private void Table(List<string> key, object map)
        {
            if (key.Count == 1)
            {
                Newline();
            }

            if (key.Count > 0)
            {
                Write(Indent(key) + "[" + KeyString(key) + "]");
                Newline();
            }

            Map(key, map, inline: false);
        }

        private void KeyValue(List<string> key, object? value, bool inline)
        {
            Write(Indent(key) + MaybeQuoted(key[^1]) + " = ");
            Element(value);
            if (!inline)
            {
                Newline();
            }
        }

        private void Element(object? value)
        {
            switch (value)
            {
                case null or GoTypedNil:
                    throw new TomlException("toml: cannot encode array with nil element");
                case string s:
                    Write(Quote(s));
                    return;
                case bool b:
                    Write(b ? "true" : "false");
                    return;
                case double d:
                    Write(FormatFloat(d, 64));
                    return;
                case float f:
                    Write(FormatFloat(f, 32));
                    return;
                case IDictionary<string, object?> or IDictionary<string, string>:
                    Map([], value, inline: true);
                    return;
                case byte[] bytes:
                    Write(Quote(Encoding.UTF8.GetString(bytes)));
                    return;
            }

            var kind = GoValues.KindOf(value);
            if (kind is GoKind.Int or GoKind.Int8 or GoKind.Int16 or GoKind.Int32 or GoKind.Int64 or GoKind.Uint or GoKind.Uint8 or GoKind.Uint16 or GoKind.Uint32 or GoKind.Uint64)
            {
                Write(GoFmt.Sprintf("%d", value));
                return;
            }

            if (kind is GoKind.Slice or GoKind.Array && value is System.Collections.IEnumerable items)
            {
                Write("[");
                var first = true;
                foreach (var item in items)
                {
                    if (!first)
                    {
                        Write(", ");
                    }

                    first = false;
                    Element(item);
                }

                Write("]");
                return;
            }

            if (kind == GoKind.String)
            {
                Write(Quote(GoFmt.Sprintf("%s", value)));
                return;
            }

            throw new TomlException($"toml: unsupported type for key: {GoValues.TypeName(value)}");
        }

        private static bool IsTable(object? value) =>
            value is IDictionary<string, object?> or IDictionary<string, string> || IsArrayOfTables(value);

        private static bool IsArrayOfTables(object? value)
        {
            if (value is string or null || GoValues.KindOf(value) is not (GoKind.Slice or GoKind.Array) || value is not System.Collections.IEnumerable items)
            {
                return false;
            }

            var any = false;
            foreach (var item in items)
            {
                if (item is not (IDictionary<string, object?> or IDictionary<string, string>))
                {
                    return false;
                }

                any = true;
            }

            return any;
        }

        private static string Indent(List<string> key) => new(' ', 2 * Math.Max(0, key.Count - 1));

        private static string KeyString(List<string> key) => string.Join('.', key.Select(MaybeQuoted));

        private static string MaybeQuoted(string k)
        {
            if (k.Length == 0)
            {
                return "\"\"";
            }

            foreach (var c in k)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                {
                    return Quote(k);
                }
            }

            return k;
        }

        private static string FormatFloat(double d, int bits)
        {
            if (double.IsNaN(d))
            {
                return "nan";
            }

            if (double.IsInfinity(d))
            {
                return d > 0 ? "+inf" : "-inf";
            }

            // strconv.FormatFloat(f, 'f', -1, bits): the shortest digits, never an exponent.
            var shortest = bits == 32 ? GoFmt.Sprintf("%v", (float)d) : GoFmt.Sprintf("%v", d);
            var s = decimal.TryParse(shortest, NumberStyles.Float, CultureInfo.InvariantCulture, out var dec)
                ? dec.ToString(CultureInfo.InvariantCulture)
                : d.ToString("F0", CultureInfo.InvariantCulture);
            return s.Contains('.', StringComparison.Ordinal) ? s : s + ".0";
        }
    }

    internal static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\f': sb.Append("\\f"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>A TOML 1.0 reader; date-times are kept as their text.</summary>
    private sealed class Decoder(string text)
    {
        private readonly string _s = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        private readonly HashSet<object> _explicitTables = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<object> _inlineTables = new(ReferenceEqualityComparer.Instance);
        private int _pos;
        private int _line = 1;
        private string _lastKey = "";

        public Dictionary<string, object?> Parse()
        {
            var root = NewTable();
            var current = root;
            while (true)
            {
                SkipWhitespaceAndNewlines();
                if (Eof)
                {
                    return root;
                }

                var c = Peek;
                if (c == '#')
                {
                    SkipComment();
                    continue;
                }

                if (c == '[')
                {
                    current = TableHeader(root);
                    continue;
                }

                KeyValueInto(current);
                ExpectLineEnd();
            }
        }

        private static Dictionary<string, object?> NewTable() => new(StringComparer.Ordinal);

        private bool Eof => _pos >= _s.Length;

        private char Peek => _s[_pos];

        private TomlException Error(string message) =>
            new(_lastKey.Length > 0 ? $"toml: line {_line} (last key \"{_lastKey}\"): {message}" : $"toml: line {_line}: {message}");

        private void SkipWhitespace()
        {
            while (!Eof && (Peek == ' ' || Peek == '\t'))
            {
                _pos++;
            }
        }

        private void SkipWhitespaceAndNewlines()
        {
            while (!Eof && (Peek is ' ' or '\t' or '\n'))
            {
                if (Peek == '\n')
                {
                    _line++;
                }

                _pos++;
            }
        }

        private void SkipComment()
        {
            while (!Eof && Peek != '\n')
            {
                _pos++;
            }
        }

        private void ExpectLineEnd()
        {
            SkipWhitespace();
            if (Eof)
            {
                return;
            }

            if (Peek == '#')
            {
                SkipComment();
            }

            if (!Eof && Peek != '\n')
            {
                throw Error($"expected a top-level item to end with a newline, comment, or EOF, but got '{Peek}' instead");
            }
        }

        private Dictionary<string, object?> TableHeader(Dictionary<string, object?> root)
        {
            _pos++;
            var isArray = !Eof && Peek == '[';
            if (isArray)
            {
                _pos++;
            }

            SkipWhitespace();
            var keys = Key();
            SkipWhitespace();
            if (Eof || Peek != ']')
            {
                throw Error("expected ']' to close the table name");
            }

            _pos++;
            if (isArray)
            {
                if (Eof || Peek != ']')
                {
                    throw Error("expected ']]' to close the array of tables name");
                }

                _pos++;
            }

            ExpectLineEnd();
            var table = root;
            for (var i = 0; i < keys.Count - 1; i++)
            {
                table = Descend(table, keys[i]);
            }

            var last = keys[^1];
            _lastKey = string.Join('.', keys);
            if (isArray)
            {
                if (!table.TryGetValue(last, out var existing))
                {
                    existing = new List<object?>();
                    table[last] = existing;
                }

                if (existing is not List<object?> list)
                {
                    throw Error($"key '{_lastKey}' was already created and cannot be used as an array");
                }

                var item = NewTable();
                list.Add(item);
                return item;
            }

            if (table.TryGetValue(last, out var found))
            {
                if (found is not Dictionary<string, object?> t || _explicitTables.Contains(t) || _inlineTables.Contains(t))
                {
                    throw Error($"key '{_lastKey}' has already been defined");
                }

                _explicitTables.Add(t);
                return t;
            }

            var created = NewTable();
            _explicitTables.Add(created);
            table[last] = created;
            return created;
        }

        private Dictionary<string, object?> Descend(Dictionary<string, object?> table, string key)
        {
            if (!table.TryGetValue(key, out var next))
            {
                var created = NewTable();
                table[key] = created;
                return created;
            }

            return next switch
            {
                Dictionary<string, object?> t when !_inlineTables.Contains(t) => t,
                List<object?> { Count: > 0 } l when l[^1] is Dictionary<string, object?> last => last,
                _ => throw Error($"key '{key}' has already been defined"),
            };
        }

        private void KeyValueInto(Dictionary<string, object?> table)
        {
            var keys = Key();
            SkipWhitespace();
            if (Eof)
            {
                throw Error("unexpected EOF; expected key separator '='");
            }

            if (Peek != '=')
            {
                throw Error($"expected key separator '=', but got '{Peek}' instead");
            }

            _pos++;
            SkipWhitespace();
            _lastKey = string.Join('.', keys);
            var value = Value();
            for (var i = 0; i < keys.Count - 1; i++)
            {
                table = Descend(table, keys[i]);
            }

            if (table.ContainsKey(keys[^1]))
            {
                throw Error($"key '{_lastKey}' has already been defined");
            }

            table[keys[^1]] = value;
        }

        private List<string> Key()
        {
            var keys = new List<string>();
            while (true)
            {
                SkipWhitespace();
                if (Eof)
                {
                    throw Error("unexpected EOF; expected key separator '='");
                }

                var c = Peek;
                if (c == '"')
                {
                    keys.Add(BasicString());
                }
                else if (c == '\'')
                {
                    keys.Add(LiteralString());
                }
                else
                {
                    var start = _pos;
                    while (!Eof && (char.IsAsciiLetterOrDigit(Peek) || Peek is '_' or '-'))
                    {
                        _pos++;
                    }

                    if (start == _pos)
                    {
                        if (c == '\n')
                        {
                            throw Error("unexpected newline; expected key separator '='");
                        }

                        throw Error($"bare keys cannot contain '{c}'");
                    }

                    keys.Add(_s[start.._pos]);
                }

                SkipWhitespace();
                if (!Eof && Peek == '.')
                {
                    _pos++;
                    continue;
                }

                return keys;
            }
        }

        private object? Value()
        {
            if (Eof)
            {
                throw Error("unexpected EOF; expected value");
            }

            var c = Peek;
            switch (c)
            {
                case '"':
                    return _s.AsSpan(_pos).StartsWith("\"\"\"") ? MultilineBasic() : BasicString();
                case '\'':
                    return _s.AsSpan(_pos).StartsWith("'''") ? MultilineLiteral() : LiteralString();
                case '[':
                    return Array();
                case '{':
                    return InlineTable();
            }

            var start = _pos;
            while (!Eof && Peek is not (',' or ']' or '}' or '\n' or '#') && !(Peek == ' ' && !LooksLikeDateTimeSpace(start)))
            {
                _pos++;
            }

            var raw = _s[start.._pos].TrimEnd();
            return Scalar(raw);
        }

        // A local date-time may use a space between date and time ("1979-05-27 07:32:00").
        private bool LooksLikeDateTimeSpace(int start) =>
            _pos - start == 10 && _pos + 1 < _s.Length && char.IsAsciiDigit(_s[_pos + 1]) && _s[start + 4] == '-';

        private object? Scalar(string raw)
        {
            switch (raw)
            {
                case "true":
                    return true;
                case "false":
                    return false;
                case "inf" or "+inf":
                    return double.PositiveInfinity;
                case "-inf":
                    return double.NegativeInfinity;
                case "nan" or "+nan" or "-nan":
                    return double.NaN;
            }

            if (raw.Length == 0)
            {
                throw Error("expected value but found end of line");
            }

            var clean = raw.Replace("_", "", StringComparison.Ordinal);
            if (raw.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(clean[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
            {
                return hex;
            }

            if (raw.StartsWith("0o", StringComparison.Ordinal))
            {
                try
                {
                    return Convert.ToInt64(clean[2..], 8);
                }
                catch (FormatException)
                {
                    throw Error($"invalid integer \"{raw}\"");
                }
            }

            if (raw.StartsWith("0b", StringComparison.Ordinal))
            {
                try
                {
                    return Convert.ToInt64(clean[2..], 2);
                }
                catch (FormatException)
                {
                    throw Error($"invalid integer \"{raw}\"");
                }
            }

            if (long.TryParse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) && !HasLeadingZero(clean))
            {
                return i;
            }

            if ((clean.Contains('.', StringComparison.Ordinal) || clean.Contains('e', StringComparison.OrdinalIgnoreCase))
                && double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !clean.EndsWith('.') && !clean.StartsWith('.'))
            {
                return d;
            }

            if (raw.Length >= 8 && char.IsAsciiDigit(raw[0]) && (raw.Contains('-', StringComparison.Ordinal) || raw.Contains(':', StringComparison.Ordinal)))
            {
                return raw;
            }

            throw Error($"expected value but found \"{raw}\" instead");
        }

        private static bool HasLeadingZero(string s)
        {
            var t = s.TrimStart('+', '-');
            return t.Length > 1 && t[0] == '0';
        }

        private string BasicString()
        {
            _pos++;
            var sb = new StringBuilder();
            while (true)
            {
                if (Eof || Peek == '\n')
                {
                    throw Error("unexpected EOF; expected '\"'");
                }

                var c = _s[_pos++];
                if (c == '"')
                {
                    return sb.ToString();
                }

                if (c == '\\')
                {
                    Escape(sb);
                }
                else
                {
                    sb.Append(c);
                }
            }
        }

        private void Escape(StringBuilder sb)
        {
            if (Eof)
            {
                throw Error("unexpected EOF in escape");
            }

            var e = _s[_pos++];
            switch (e)
            {
                case 'b': sb.Append('\b'); break;
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'f': sb.Append('\f'); break;
                case 'r': sb.Append('\r'); break;
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case 'u':
                case 'U':
                {
                    var n = e == 'u' ? 4 : 8;
                    if (_pos + n > _s.Length || !int.TryParse(_s.AsSpan(_pos, n), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var cp))
                    {
                        throw Error("invalid unicode escape");
                    }

                    _pos += n;
                    sb.Append(char.ConvertFromUtf32(cp));
                    break;
                }

                default:
                    throw Error($"invalid escape character '{e}'");
            }
        }

        private string LiteralString()
        {
            _pos++;
            var start = _pos;
            while (!Eof && Peek != '\'' && Peek != '\n')
            {
                _pos++;
            }

            if (Eof || Peek != '\'')
            {
                throw Error("unexpected EOF; expected \"'\"");
            }

            var s = _s[start.._pos];
            _pos++;
            return s;
        }

        private string MultilineBasic()
        {
            _pos += 3;
            if (!Eof && Peek == '\n')
            {
                _pos++;
                _line++;
            }

            var sb = new StringBuilder();
            while (true)
            {
                if (Eof)
                {
                    throw Error("unexpected EOF; expected '\"\"\"'");
                }

                if (_s.AsSpan(_pos).StartsWith("\"\"\""))
                {
                    _pos += 3;
                    while (!Eof && Peek == '"' && sb.Length < int.MaxValue)
                    {
                        sb.Append('"');
                        _pos++;
                    }

                    return sb.ToString();
                }

                var c = _s[_pos++];
                if (c == '\\')
                {
                    if (!Eof && (Peek is ' ' or '\t' or '\n'))
                    {
                        while (!Eof && (Peek is ' ' or '\t' or '\n'))
                        {
                            if (Peek == '\n')
                            {
                                _line++;
                            }

                            _pos++;
                        }

                        continue;
                    }

                    Escape(sb);
                    continue;
                }

                if (c == '\n')
                {
                    _line++;
                }

                sb.Append(c);
            }
        }

        private string MultilineLiteral()
        {
            _pos += 3;
            if (!Eof && Peek == '\n')
            {
                _pos++;
                _line++;
            }

            var end = _s.IndexOf("'''", _pos, StringComparison.Ordinal);
            if (end < 0)
            {
                throw Error("unexpected EOF; expected \"'''\"");
            }

            var s = _s[_pos..end];
            _line += s.Count(c => c == '\n');
            _pos = end + 3;
            while (!Eof && Peek == '\'')
            {
                s += "'";
                _pos++;
            }

            return s;
        }

        private List<object?> Array()
        {
            _pos++;
            var list = new List<object?>();
            while (true)
            {
                SkipArraySpace();
                if (Eof)
                {
                    throw Error("unexpected EOF; expected ']'");
                }

                if (Peek == ']')
                {
                    _pos++;
                    return list;
                }

                list.Add(Value());
                SkipArraySpace();
                if (Eof)
                {
                    throw Error("unexpected EOF; expected ']'");
                }

                if (Peek == ',')
                {
                    _pos++;
                    continue;
                }

                if (Peek != ']')
                {
                    throw Error($"expected a comma (',') or array terminator (']'), but got '{Peek}'");
                }
            }
        }

        private void SkipArraySpace()
        {
            while (true)
            {
                SkipWhitespaceAndNewlines();
                if (!Eof && Peek == '#')
                {
                    SkipComment();
                    continue;
                }

                return;
            }
        }

        private Dictionary<string, object?> InlineTable()
        {
            _pos++;
            var table = NewTable();
            _inlineTables.Add(table);
            SkipWhitespace();
            if (!Eof && Peek == '}')
            {
                _pos++;
                return table;
            }

            while (true)
            {
                KeyValueInto(table);
                SkipWhitespace();
                if (Eof)
                {
                    throw Error("unexpected EOF; expected '}'");
                }

                if (Peek == ',')
                {
                    _pos++;
                    continue;
                }

                if (Peek == '}')
                {
                    _pos++;
                    return table;
                }

                throw Error($"expected a comma or an inline table terminator '}}', but got '{Peek}' instead");
            }
        }
    }
}
