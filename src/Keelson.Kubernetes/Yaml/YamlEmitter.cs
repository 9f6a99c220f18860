using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Kubernetes.Yaml;

/// <summary>
/// Writes a JSON tree as sigs.k8s.io/yaml.Marshal does: the JSON is decoded by go-yaml v2 (so numbers become Go ints,
/// uints or floats by go-yaml's rules) and re-encoded by go-yaml v2's libyaml-derived emitter. This class reproduces
/// that emitter's decisions for the shapes JSON can produce: block mappings with sorted keys, block sequences not
/// indented under their key, flow style only for empty collections, scalar styles chosen by its analysis, 2-space
/// indentation and line wrapping at 80 columns.
/// </summary>
/// <remarks>
/// Line wrapping: go-yaml v2.4.0 wraps long plain and quoted scalars at spaces once a line passes 80 columns, unless
/// the process called yaml.FutureLineWrap(). Neither sigs.k8s.io/yaml (v1.3 to v1.6) nor Helm 3 or 4 calls it: the
/// sigs.k8s.io/yaml maintainers kept wrapping on purpose (kubernetes-sigs/kustomize#947 and #4222,
/// kubernetes-sigs/yaml#68 and #116 show wrapped output), and Helm issue helm/helm#31173 (2025, Helm 3.x) shows
/// toYaml output folded at 80 columns. So wrapping at 80 is what `helm template` prints, in Helm 3 and Helm 4.
/// </remarks>
internal sealed class YamlEmitter
{
    private const int BestIndent = 2;

    private static readonly System.Buffers.SearchValues<char> LineBreaks = System.Buffers.SearchValues.Create("\r\n\u0085\u2028\u2029");
    private const int BestWidth = 80;

    private readonly StringBuilder _out;
    private int _column;
    private int _indent = -1;
    private bool _whitespace = true;
    private bool _indention = true;

    private YamlEmitter(StringBuilder output) => _out = output;

    private enum Style
    {
        Plain,
        SingleQuoted,
        DoubleQuoted,
        Literal,
    }

    public static string Write(JsonNode? node)
    {
        var emitter = new YamlEmitter(new StringBuilder(256));
        emitter.Node(node, mapContext: false);
        emitter.WriteIndent(); // the document end: finish the last line
        return emitter._out.ToString();
    }

    private void Node(JsonNode? node, bool mapContext, bool simpleKey = false)
    {
        switch (node)
        {
            case null:
                Scalar("null", Style.Plain, simpleKey);
                break;
            case JsonObject obj:
                RuntimeHelpers.EnsureSufficientExecutionStack();
                Mapping(obj);
                break;
            case JsonArray array:
                RuntimeHelpers.EnsureSufficientExecutionStack();
                Sequence(array, mapContext);
                break;
            case JsonValue value:
                Value(value, simpleKey);
                break;
        }
    }

    private void Value(JsonValue value, bool simpleKey)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                var text = value.TryGetValue<string>(out var s) ? s : JsonSerializer.Deserialize<string>(value.ToJsonString())!;
                String(GoStrings.ThroughGoJson(text), simpleKey);
                break;
            case JsonValueKind.Number:
                Number(value.TryGetValue<JsonElement>(out var e) ? e.GetRawText() : value.ToJsonString(), simpleKey);
                break;
            case JsonValueKind.True:
                Scalar("true", Style.Plain, simpleKey);
                break;
            case JsonValueKind.False:
                Scalar("false", Style.Plain, simpleKey);
                break;
            default:
                Scalar("null", Style.Plain, simpleKey);
                break;
        }
    }

    /// <summary>A JSON number as go-yaml reads it (a plain scalar) and writes the Go value back.</summary>
    private void Number(string json, bool simpleKey)
    {
        var r = ScalarResolver.ResolvePlain(json);
        switch (r.Kind)
        {
            case ScalarKind.Int:
                Scalar(r.Int.ToString(CultureInfo.InvariantCulture), Style.Plain, simpleKey);
                break;
            case ScalarKind.Uint:
                Scalar(r.Uint.ToString(CultureInfo.InvariantCulture), Style.Plain, simpleKey);
                break;
            case ScalarKind.Float:
                Scalar(GoNumbers.FormatYamlFloat(r.Float), Style.Plain, simpleKey);
                break;
            default:
                // Out of float64 range ("1e400"): go-yaml keeps the text as a string.
                String(json, simpleKey);
                break;
        }
    }

    /// <summary>go-yaml's stringv: literal block if there is a newline, plain if it reads back as the same string.</summary>
    private void String(string s, bool simpleKey, Analysis? analysis = null)
    {
        var style = s.Contains('\n', StringComparison.Ordinal) ? Style.Literal
            : ScalarResolver.NeedsQuotes(s) ? Style.DoubleQuoted
            : Style.Plain;
        Scalar(s, style, simpleKey, analysis);
    }

    private void Mapping(JsonObject obj)
    {
        if (obj.Count == 0)
        {
            EmptyFlow("{}");
            return;
        }

        var keys = new string[obj.Count];
        var n = 0;
        foreach (var member in obj)
        {
            keys[n++] = member.Key;
        }

        GoKeyOrder.Sort(keys);
        var saved = _indent;
        _indent = _indent < 0 ? 0 : _indent + BestIndent;
        foreach (var key in keys)
        {
            var name = GoStrings.ThroughGoJson(key, isKey: true);
            WriteIndent();
            var analysis = Analysis.Of(name);
            if (!analysis.Multiline && (name.Length <= 42 || Encoding.UTF8.GetByteCount(name) <= 128))
            {
                String(name, simpleKey: true, analysis);
                WriteIndicator(":", needWhitespace: false, isWhitespace: false, isIndention: false);
            }
            else
            {
                // Not a simple key: "? key" then ": value" on its own line.
                WriteIndicator("?", needWhitespace: true, isWhitespace: false, isIndention: true);
                String(name, simpleKey: false, analysis);
                WriteIndent();
                WriteIndicator(":", needWhitespace: true, isWhitespace: false, isIndention: true);
            }

            try
            {
                Node(obj[key], mapContext: true);
            }
            catch (YamlException e) when (e.Line == 0)
            {
                throw e.Within(key);
            }
        }

        _indent = saved;
    }

    private void Sequence(JsonArray array, bool mapContext)
    {
        if (array.Count == 0)
        {
            EmptyFlow("[]");
            return;
        }

        // A sequence that is a mapping value starts on the next line at the key's own indentation ("key:\n- a").
        var indentless = mapContext && !_indention;
        var saved = _indent;
        _indent = _indent < 0 ? 0 : indentless ? _indent : _indent + BestIndent;
        var index = 0;
        foreach (var item in array)
        {
            WriteIndent();
            WriteIndicator("-", needWhitespace: true, isWhitespace: false, isIndention: true);
            try
            {
                Node(item, mapContext: false);
            }
            catch (YamlException e) when (e.Line == 0)
            {
                throw e.Within($"[{index}]");
            }

            index++;
        }

        _indent = saved;
    }

    private void EmptyFlow(string text)
    {
        WriteIndicator(text[..1], needWhitespace: true, isWhitespace: true, isIndention: false);
        WriteIndicator(text[1..], needWhitespace: false, isWhitespace: false, isIndention: false);
    }

    private void Scalar(string value, Style requested, bool simpleKey, Analysis? known = null)
    {
        var analysis = known ?? Analysis.Of(value);
        var style = requested;
        if (simpleKey && analysis.Multiline)
        {
            style = Style.DoubleQuoted;
        }

        if (style == Style.Plain && (!analysis.BlockPlainAllowed || value.Length == 0 && simpleKey))
        {
            style = Style.SingleQuoted;
        }

        if (style == Style.SingleQuoted && !analysis.SingleQuotedAllowed)
        {
            style = Style.DoubleQuoted;
        }

        if (style == Style.Literal && (!analysis.BlockAllowed || simpleKey))
        {
            style = Style.DoubleQuoted;
        }

        var saved = _indent;
        _indent = _indent < 0 ? BestIndent : _indent + BestIndent;
        switch (style)
        {
            case Style.Plain:
                WritePlain(value, allowBreaks: !simpleKey);
                break;
            case Style.SingleQuoted:
                WriteSingleQuoted(value, allowBreaks: !simpleKey);
                break;
            case Style.DoubleQuoted:
                WriteDoubleQuoted(value, allowBreaks: !simpleKey);
                break;
            default:
                WriteLiteral(value);
                break;
        }

        _indent = saved;
    }

    private void WritePlain(string value, bool allowBreaks)
    {
        if (!_whitespace)
        {
            Put(' ');
        }

        // Plain scalars hold no line breaks (the analysis rules them out), so only spaces can become line breaks:
        // a single space after column 80 that is not followed by another space.
        var i = 0;
        var spaces = false;
        while (i < value.Length)
        {
            var space = value.IndexOf(' ', i);
            var end = space < 0 ? value.Length : space;
            if (end > i)
            {
                WriteRun(value, i, end - i);
                spaces = false;
                i = end;
            }

            if (space < 0)
            {
                break;
            }

            if (allowBreaks && !spaces && _column > BestWidth && !IsSpaceAt(value, i + 1))
            {
                WriteIndent();
            }
            else
            {
                Put(' ');
            }

            spaces = true;
            i++;
        }

        _whitespace = false;
        _indention = false;
    }

    private void WriteSingleQuoted(string value, bool allowBreaks)
    {
        WriteIndicator("'", needWhitespace: true, isWhitespace: false, isIndention: false);
        var spaces = false;
        var breaks = false;
        for (var i = 0; i < value.Length;)
        {
            var run = i;
            while (run < value.Length && value[run] is not (' ' or '\'' or '\r' or '\n' or '\u0085' or '\u2028' or '\u2029'))
            {
                run++;
            }

            if (run > i)
            {
                if (breaks)
                {
                    WriteIndent();
                }

                WriteRun(value, i, run - i);
                _indention = false;
                spaces = false;
                breaks = false;
                i = run;
                continue;
            }

            var c = value[i];
            if (c == ' ')
            {
                if (allowBreaks && !spaces && _column > BestWidth && i > 0 && i < value.Length - 1 && !IsSpaceAt(value, i + 1))
                {
                    WriteIndent();
                }
                else
                {
                    Put(' ');
                }

                spaces = true;
            }
            else if (IsBreak(c))
            {
                if (!breaks && c == '\n')
                {
                    PutBreak();
                }

                WriteBreak(value, i, 1);
                _indention = true;
                breaks = true;
            }
            else
            {
                // A quote, doubled.
                if (breaks)
                {
                    WriteIndent();
                }

                Put('\'');
                Put('\'');
                _indention = false;
                spaces = false;
                breaks = false;
            }

            i++;
        }

        WriteIndicator("'", needWhitespace: false, isWhitespace: false, isIndention: false);
        _whitespace = false;
        _indention = false;
    }

    private void WriteDoubleQuoted(string value, bool allowBreaks)
    {
        WriteIndicator("\"", needWhitespace: true, isWhitespace: false, isIndention: false);
        // libyaml's is_bom looks at the start of the value, not the current character: a value that starts with a
        // byte-order mark gets every character escaped.
        var escapeAll = value.Length > 0 && value[0] == '\uFEFF';
        var spaces = false;
        for (var i = 0; i < value.Length;)
        {
            if (!escapeAll)
            {
                var run = i;
                while (run < value.Length && value[run] is > ' ' and <= '~' and not ('"' or '\\') or (>= '\u00A0' and < '\uD800' and not ('\u2028' or '\u2029')) or (>= '\uE000' and <= '\uFFFD' and not '\uFEFF'))
                {
                    run++;
                }

                if (run > i)
                {
                    WriteRun(value, i, run - i);
                    spaces = false;
                    i = run;
                    continue;
                }
            }

            var (cp, width) = CodePoint(value, i);
            if (escapeAll || !IsPrintable(cp) || IsBreak(cp) || cp is '"' or '\\')
            {
                Escape(cp);
                spaces = false;
            }
            else if (cp == ' ')
            {
                if (allowBreaks && !spaces && _column > BestWidth && i > 0 && i < value.Length - 1)
                {
                    WriteIndent();
                    if (IsSpaceAt(value, i + 1))
                    {
                        Put('\\');
                    }
                }
                else
                {
                    Put(' ');
                }

                spaces = true;
            }
            else
            {
                Write(value, i, width);
                spaces = false;
            }

            i += width;
        }

        WriteIndicator("\"", needWhitespace: false, isWhitespace: false, isIndention: false);
        _whitespace = false;
        _indention = false;
    }

    private void Escape(int cp)
    {
        Put('\\');
        var named = cp switch
        {
            0x00 => '0',
            0x07 => 'a',
            0x08 => 'b',
            0x09 => 't',
            0x0A => 'n',
            0x0B => 'v',
            0x0C => 'f',
            0x0D => 'r',
            0x1B => 'e',
            0x22 => '"',
            0x5C => '\\',
            0x85 => 'N',
            0xA0 => '_',
            0x2028 => 'L',
            0x2029 => 'P',
            _ => '\0',
        };
        if (named != '\0')
        {
            Put(named);
            return;
        }

        var (letter, digits) = cp <= 0xFF ? ('x', 2) : cp <= 0xFFFF ? ('u', 4) : ('U', 8);
        Put(letter);
        for (var shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        {
            Put("0123456789ABCDEF"[(cp >> shift) & 0xF]);
        }
    }

    private void WriteLiteral(string value)
    {
        WriteIndicator("|", needWhitespace: true, isWhitespace: false, isIndention: false);
        if (value.Length > 0 && (value[0] == ' ' || IsBreak(value[0])))
        {
            WriteIndicator("2", needWhitespace: false, isWhitespace: false, isIndention: false);
        }

        var chomp = Chomping(value);
        if (chomp != '\0')
        {
            WriteIndicator(chomp == '-' ? "-" : "+", needWhitespace: false, isWhitespace: false, isIndention: false);
        }

        PutBreak();
        _indention = true;
        _whitespace = true;
        var breaks = true;
        for (var i = 0; i < value.Length;)
        {
            if (IsBreak(value[i]))
            {
                WriteBreak(value, i, 1);
                _indention = true;
                breaks = true;
                i++;
                continue;
            }

            var end = value.AsSpan(i).IndexOfAny(LineBreaks);
            end = end < 0 ? value.Length : i + end;
            if (breaks)
            {
                WriteIndent();
            }

            WriteRun(value, i, end - i);
            _indention = false;
            breaks = false;
            i = end;
        }
    }

    /// <summary>'-' when the value does not end in a line break, '+' when it ends in more than one, else clip.</summary>
    private static char Chomping(string value)
    {
        if (value.Length == 0)
        {
            return '-';
        }

        var last = value.Length - 1;
        if (char.IsLowSurrogate(value[last]) && last > 0)
        {
            last--;
        }

        if (!IsBreak(value[last]))
        {
            return '-';
        }

        if (last == 0)
        {
            return '+';
        }

        var previous = last - 1;
        if (char.IsLowSurrogate(value[previous]) && previous > 0)
        {
            previous--;
        }

        return IsBreak(value[previous]) ? '+' : '\0';
    }

    private void WriteIndent()
    {
        var indent = _indent < 0 ? 0 : _indent;
        if (!_indention || _column > indent || (_column == indent && !_whitespace))
        {
            PutBreak();
        }

        if (_column < indent)
        {
            _out.Append(' ', indent - _column);
            _column = indent;
        }

        _whitespace = true;
        _indention = true;
    }

    private void WriteIndicator(string indicator, bool needWhitespace, bool isWhitespace, bool isIndention)
    {
        if (needWhitespace && !_whitespace)
        {
            Put(' ');
        }

        _out.Append(indicator);
        _column += indicator.Length;
        _whitespace = isWhitespace;
        _indention = _indention && isIndention;
    }

    private void Put(char c)
    {
        _out.Append(c);
        _column++;
    }

    private void PutBreak()
    {
        _out.Append('\n');
        _column = 0;
    }

    private void Write(string value, int index, int width)
    {
        if (width == 1)
        {
            _out.Append(value[index]);
        }
        else
        {
            _out.Append(value, index, width);
        }

        _column++;
    }

    /// <summary>Appends characters that need no escaping or wrapping; the column advances by code points.</summary>
    private void WriteRun(string value, int index, int length)
    {
        var run = value.AsSpan(index, length);
        _out.Append(run);
        _column += length - CountLowSurrogates(run);
    }

    private static int CountLowSurrogates(ReadOnlySpan<char> run)
    {
        var count = 0;
        var at = run.IndexOfAnyInRange('\uDC00', '\uDFFF');
        while (at >= 0)
        {
            count++;
            run = run[(at + 1)..];
            at = run.IndexOfAnyInRange('\uDC00', '\uDFFF');
        }

        return count;
    }

    private void WriteBreak(string value, int index, int width)
    {
        if (value[index] == '\n')
        {
            PutBreak();
            return;
        }

        _out.Append(value, index, width);
        _column = 0;
    }

    private static (int CodePoint, int Width) CodePoint(string s, int i) =>
        char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])
            ? (char.ConvertToUtf32(s[i], s[i + 1]), 2)
            : (s[i], 1);

    private static bool IsSpaceAt(string s, int i) => i < s.Length && s[i] == ' ';

    internal static bool IsBreak(int cp) => cp is '\r' or '\n' or 0x85 or 0x2028 or 0x2029;

    /// <summary>libyaml's is_printable: what may appear unescaped (non-BMP characters may not).</summary>
    internal static bool IsPrintable(int cp) =>
        cp == 0x0A || cp is >= 0x20 and <= 0x7E || cp is >= 0xA0 and <= 0xD7FF || cp is >= 0xE000 and <= 0xFFFD && cp != 0xFEFF;

    /// <summary>libyaml's yaml_emitter_analyze_scalar, reduced to the facts block context needs.</summary>
    private readonly record struct Analysis(bool Multiline, bool BlockPlainAllowed, bool SingleQuotedAllowed, bool BlockAllowed)
    {
        private static readonly System.Buffers.SearchValues<char> Simple =
            System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-");

        public static Analysis Of(string value)
        {
            if (value.Length == 0)
            {
                return new Analysis(false, BlockPlainAllowed: true, SingleQuotedAllowed: true, BlockAllowed: false);
            }

            // Most Kubernetes strings (names, kinds, image tags, paths) hold nothing the analysis reacts to.
            if (char.IsAsciiLetterOrDigit(value[0]) && !value.AsSpan().ContainsAnyExcept(Simple))
            {
                return new Analysis(false, BlockPlainAllowed: true, SingleQuotedAllowed: true, BlockAllowed: true);
            }

            var blockIndicators = value.StartsWith("---", StringComparison.Ordinal) || value.StartsWith("...", StringComparison.Ordinal);
            bool lineBreaks = false, special = false;
            bool leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false;
            bool breakSpace = false, spaceBreak = false, previousSpace = false, previousBreak = false;
            var precededByWhitespace = true;
            for (var i = 0; i < value.Length;)
            {
                var (cp, width) = CodePoint(value, i);
                var last = i + width >= value.Length;
                var followedByWhitespace = last || value[i + width] is ' ' or '\t';
                if (i == 0)
                {
                    switch (cp)
                    {
                        case '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`':
                            blockIndicators = true;
                            break;
                        case '?' or ':' when followedByWhitespace:
                            blockIndicators = true;
                            break;
                        case '-' when followedByWhitespace:
                            blockIndicators = true;
                            break;
                    }
                }
                else if (cp == ':' && followedByWhitespace || cp == '#' && precededByWhitespace)
                {
                    blockIndicators = true;
                }

                if (!IsPrintable(cp))
                {
                    special = true;
                }

                if (cp == ' ')
                {
                    leadingSpace |= i == 0;
                    trailingSpace |= last;
                    breakSpace |= previousBreak;
                    previousSpace = true;
                    previousBreak = false;
                }
                else if (IsBreak(cp))
                {
                    lineBreaks = true;
                    leadingBreak |= i == 0;
                    trailingBreak |= last;
                    spaceBreak |= previousSpace;
                    previousSpace = false;
                    previousBreak = true;
                }
                else
                {
                    previousSpace = false;
                    previousBreak = false;
                }

                precededByWhitespace = cp is ' ' or '\t' or '\0' || IsBreak(cp);
                i += width;
            }

            var blockPlain = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak || breakSpace || spaceBreak
                || special || lineBreaks || blockIndicators);
            var single = !(breakSpace || spaceBreak || special);
            var block = !(trailingSpace || spaceBreak || special);
            return new Analysis(lineBreaks, blockPlain, single, block);
        }
    }
}
