using System.Globalization;
using System.Text;
using System.Text.Json;
using Keelson.Kubernetes.Yaml;

namespace Keelson.Kubernetes.Tests.Yaml;

/// <summary>
/// Seeded generators of JSON and YAML documents aimed at the places where YAML libraries disagree: strings that look
/// like other types, indicators, whitespace, line breaks, unicode, long text, number spellings, key order.
/// </summary>
internal sealed class RandomDocuments(int seed)
{
    private static readonly string[] Fragments =
    [
        "", " ", "a", "word", "hello world", "true", "True", "yes", "NO", "on", "Off", "y", "n", "null", "Null", "~",
        "0", "-0", "123", "+1", "0x1F", "0o17", "017", "08", "1_000", "0b101", "1.0", "1.", ".5", "-.5", "1e3", "1E-3",
        "1e400", ".inf", "-.Inf", ".nan", "inf", "2001-12-14", "2001-12-14T21:59:43Z", "2001-12-14 21:59:43.10",
        "1:30", "12:30:45", "a: b", "a:b", "a #b", "a#b", "#x", "- x", "-x", "-", "--", "---", "...", "? x", "?x",
        ":x", ": x", "@x", "`x", "%x", "!x", "&x", "*x", "|", ">", "'q'", "\"d\"", "it's", "say \"hi\"", "{", "}",
        "[", "]", ",", "a,b", "<<", "=", "\t", "a\tb", "\n", "\n\n", "a\nb", "x\n", " lead", "trail ", "a  b",
        "é", "café", "日本語", "😀", "ª", "\u00a0", "\u0085", "\u2028", "\ufeff", "\u0000", "\u0001", "\u007f",
        "\u009f", "\r", "\r\n", "\\", "/", "%", "{{ .Values.x }}", "http://example.com:8080/a?b=c#d", "--flag=1",
        "lorem ipsum dolor sit amet", "consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore",
    ];

    private static readonly string[] KeyFragments =
    [
        "a", "b", "name", "value", "app.kubernetes.io/name", "x-y", "x_y", "key1", "key2", "key10", "k9", "A", "Z",
        "_", "-", ".", "é", "日本", "😀", "true", "yes", "null", "1", "2", "10", "1.5", "", " ", "a b", "a: b", "#c",
        "<<", "metadata", "spec", "status", "apiVersion", "kind", "item-3", "item-12", "v1", "v10", "v2beta1",
    ];

    private readonly Random _random = new(seed);

    /// <summary>A random JSON document as text (exact number spellings matter, so it is built as text).</summary>
    public string Json()
    {
        var text = new StringBuilder();
        JsonValue(text, 0);
        return text.ToString();
    }

    private void JsonValue(StringBuilder text, int depth)
    {
        var pick = _random.Next(depth >= 4 ? 60 : 100);
        if (pick < 35)
        {
            JsonString(text, RandomString());
        }
        else if (pick < 50)
        {
            text.Append(Number());
        }
        else if (pick < 56)
        {
            text.Append(_random.Next(3) switch
            {
                0 => "true",
                1 => "false",
                _ => "null",
            });
        }
        else if (pick < 60)
        {
            text.Append(_random.Next(2) == 0 ? "{}" : "[]");
        }
        else if (pick < 80)
        {
            text.Append('{');
            var keys = Keys(_random.Next(1, 7));
            for (var i = 0; i < keys.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                JsonString(text, keys[i]);
                text.Append(':');
                JsonValue(text, depth + 1);
            }

            text.Append('}');
        }
        else
        {
            text.Append('[');
            var count = _random.Next(1, 5);
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                JsonValue(text, depth + 1);
            }

            text.Append(']');
        }
    }

    private static void JsonString(StringBuilder text, string s) =>
        text.Append(JsonSerializer.Serialize(s, YamlCorpus.Canonical));

    /// <summary>
    /// Distinct keys on which go-yaml's key order is transitive: for other sets Go's own output depends on random
    /// map iteration, so there is nothing fixed to compare with.
    /// </summary>
    private List<string> Keys(int count)
    {
        for (var attempt = 0; ; attempt++)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            while (keys.Count < count)
            {
                keys.Add(_random.Next(4) == 0 ? RandomString() : KeyFragments[_random.Next(KeyFragments.Length)] + (_random.Next(3) == 0 ? KeyFragments[_random.Next(KeyFragments.Length)] : ""));
            }

            var list = keys.ToList();
            if (Transitive(list) || attempt > 50)
            {
                return Transitive(list) ? list : [list[0]];
            }
        }
    }

    public static bool Transitive(List<string> keys)
    {
        var n = keys.Count;
        var less = new bool[n, n];
        for (var a = 0; a < n; a++)
        {
            for (var b = 0; b < n; b++)
            {
                less[a, b] = a != b && GoKeyOrder.Less(keys[a], keys[b]);
            }
        }

        for (var a = 0; a < n; a++)
        {
            for (var b = 0; b < n; b++)
            {
                if (!less[a, b])
                {
                    continue;
                }

                for (var c = 0; c < n; c++)
                {
                    if (less[b, c] && !less[a, c])
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    public string RandomString()
    {
        var pick = _random.Next(100);
        if (pick < 45)
        {
            return Fragments[_random.Next(Fragments.Length)];
        }

        if (pick < 80)
        {
            var parts = _random.Next(2, 5);
            var text = new StringBuilder();
            for (var i = 0; i < parts; i++)
            {
                text.Append(Fragments[_random.Next(Fragments.Length)]);
                if (_random.Next(2) == 0)
                {
                    text.Append(' ');
                }
            }

            return text.ToString();
        }

        if (pick < 92)
        {
            // Long text that wraps, sometimes with runs of spaces or a line break.
            var words = _random.Next(10, 60);
            var text = new StringBuilder();
            for (var i = 0; i < words; i++)
            {
                if (i > 0)
                {
                    text.Append(_random.Next(12) switch
                    {
                        0 => "  ",
                        1 => "\n",
                        _ => " ",
                    });
                }

                text.Append(Fragments[_random.Next(Fragments.Length)] is { Length: > 0 } f && !f.Contains('\n', StringComparison.Ordinal) ? f : "w");
            }

            return text.ToString();
        }

        var chars = new StringBuilder();
        var length = _random.Next(1, 12);
        for (var i = 0; i < length; i++)
        {
            chars.Append(RandomChar());
        }

        return chars.ToString();
    }

    private string RandomChar() => _random.Next(10) switch
    {
        0 => ((char)_random.Next(0, 0x20)).ToString(),
        1 => ((char)_random.Next(0x7F, 0x100)).ToString(),
        2 => ((char)_random.Next(0x100, 0xD800)).ToString(),
        3 => char.ConvertFromUtf32(_random.Next(0x10000, 0x1FFFF)),
        4 => ((char)_random.Next(0xE000, 0x10000)).ToString(),
        _ => ((char)_random.Next(0x20, 0x7F)).ToString(),
    };

    private string Number()
    {
        var pick = _random.Next(100);
        if (pick < 30)
        {
            return _random.Next(-1000, 100000).ToString(CultureInfo.InvariantCulture);
        }

        if (pick < 45)
        {
            // Long integers around and beyond 64 bits.
            var digits = _random.Next(15, 26);
            var text = new StringBuilder(_random.Next(2) == 0 ? "-" : "");
            text.Append((char)('1' + _random.Next(9)));
            for (var i = 1; i < digits; i++)
            {
                text.Append((char)('0' + _random.Next(10)));
            }

            return text.ToString();
        }

        if (pick < 60)
        {
            return (_random.NextDouble() * Math.Pow(10, _random.Next(-12, 25)) * (_random.Next(2) == 0 ? 1 : -1))
                .ToString("R", CultureInfo.InvariantCulture);
        }

        // Hand-spelled JSON numbers: fractions, exponents, zeros.
        var mantissa = _random.Next(0, 100000).ToString(CultureInfo.InvariantCulture);
        var result = new StringBuilder(_random.Next(4) == 0 ? "-" : "").Append(mantissa);
        if (_random.Next(2) == 0)
        {
            result.Append('.').Append(_random.Next(0, 1000).ToString(CultureInfo.InvariantCulture));
        }

        if (_random.Next(2) == 0)
        {
            result.Append(_random.Next(2) == 0 ? 'e' : 'E').Append(_random.Next(3) switch
            {
                0 => "+",
                1 => "-",
                _ => "",
            }).Append(_random.Next(0, _random.Next(10) == 0 ? 400 : 30).ToString(CultureInfo.InvariantCulture));
        }

        return result.ToString();
    }

    /// <summary>A random YAML document mixing scalar styles, tags, anchors, aliases and merge keys.</summary>
    public string Yaml()
    {
        var text = new StringBuilder();
        var anchors = new List<(string Name, bool IsMap)>();
        if (_random.Next(5) == 0)
        {
            BlockSequence(text, 0, 0, anchors);
        }
        else
        {
            BlockMapping(text, 0, 0, anchors);
        }

        return text.ToString();
    }

    private void BlockMapping(StringBuilder text, int indent, int depth, List<(string Name, bool IsMap)> anchors, bool firstInline = false)
    {
        var count = _random.Next(1, 6);
        for (var i = 0; i < count; i++)
        {
            if (!(firstInline && i == 0))
            {
                text.Append(' ', indent);
            }

            if (_random.Next(15) == 0 && anchors.Any(a => a.IsMap))
            {
                var maps = anchors.Where(a => a.IsMap).ToList();
                text.Append("<<: *").Append(maps[_random.Next(maps.Count)].Name).Append('\n');
                continue;
            }

            text.Append(YamlKey()).Append(':');
            Value(text, indent, depth, anchors);
        }
    }

    private void BlockSequence(StringBuilder text, int indent, int depth, List<(string Name, bool IsMap)> anchors)
    {
        var count = _random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            text.Append(' ', indent).Append('-');
            if (depth < 3 && _random.Next(4) == 0)
            {
                text.Append(' ');
                BlockMapping(text, indent + 2, depth + 1, anchors, firstInline: true);
            }
            else
            {
                Value(text, indent, depth, anchors);
            }
        }
    }

    // Writes what follows "key:" or "-": an inline value and newline, or a nested block.
    private void Value(StringBuilder text, int indent, int depth, List<(string Name, bool IsMap)> anchors)
    {
        var pick = _random.Next(100);
        var anchor = _random.Next(8) == 0 ? $"a{anchors.Count}" : null;
        if (pick < 8 && anchors.Count > 0)
        {
            text.Append(" *").Append(anchors[_random.Next(anchors.Count)].Name).Append('\n');
            return;
        }

        if (depth < 3 && pick < 25)
        {
            text.Append(anchor is null ? "" : " &" + anchor).Append('\n');
            if (_random.Next(2) == 0)
            {
                BlockMapping(text, indent + 2, depth + 1, anchors);
                if (anchor is not null)
                {
                    anchors.Add((anchor, true));
                }
            }
            else
            {
                BlockSequence(text, _random.Next(2) == 0 ? indent : indent + 2, depth + 1, anchors);
                if (anchor is not null)
                {
                    anchors.Add((anchor, false));
                }
            }

            return;
        }

        text.Append(' ');
        if (anchor is not null)
        {
            text.Append('&').Append(anchor).Append(' ');
        }

        if (pick < 35)
        {
            BlockScalar(text, indent + 2);
        }
        else if (pick < 42)
        {
            text.Append(_random.Next(2) == 0 ? "[" + string.Join(", ", Enumerable.Range(0, _random.Next(4)).Select(_ => FlowScalar())) + "]"
                : "{" + string.Join(", ", Enumerable.Range(0, _random.Next(4)).Select(_ => FlowScalar() + ": " + FlowScalar())) + "}").Append('\n');
        }
        else
        {
            text.Append(InlineScalar()).Append('\n');
        }

        if (anchor is not null)
        {
            anchors.Add((anchor, false));
        }
    }

    private string YamlKey() => _random.Next(10) switch
    {
        0 => SingleQuoted(RandomString()),
        1 => DoubleQuoted(),
        2 => PlainToken(),
        _ => KeyFragments[_random.Next(KeyFragments.Length)] is var k && k.Length > 0 && PlainOk(k) ? k : "k" + _random.Next(100),
    };

    private string InlineScalar() => _random.Next(10) switch
    {
        0 or 1 => SingleQuoted(RandomString()),
        2 or 3 => DoubleQuoted(),
        4 => Tagged(),
        _ => PlainToken(),
    };

    private string FlowScalar() => _random.Next(3) switch
    {
        0 => SingleQuoted(RandomString()),
        1 => DoubleQuoted(),
        _ => PlainToken() is var p && p.IndexOfAny([',', '[', ']', '{', '}', ':', '#']) < 0 ? p : "x",
    };

    private string PlainToken()
    {
        for (var i = 0; i < 20; i++)
        {
            var candidate = _random.Next(3) == 0 ? Number() : Fragments[_random.Next(Fragments.Length)];
            if (candidate.Length > 0 && PlainOk(candidate))
            {
                return candidate;
            }
        }

        return "plain";
    }

    // Text that a YAML parser reads back unchanged as a plain scalar in block context.
    private static bool PlainOk(string s) =>
        !ScalarNeedsQuoting(s);

    private static bool ScalarNeedsQuoting(string s) =>
        s.Length == 0 || s.Trim() != s || "#,[]{}&*!|>'\"%@`".Contains(s[0], StringComparison.Ordinal)
        || s.StartsWith("- ", StringComparison.Ordinal) || s.StartsWith("? ", StringComparison.Ordinal) || s.StartsWith(": ", StringComparison.Ordinal)
        || s is "-" or "?" or ":" || s.StartsWith("---", StringComparison.Ordinal) || s.StartsWith("...", StringComparison.Ordinal)
        || s.Contains(": ", StringComparison.Ordinal) || s.EndsWith(':') || s.Contains(" #", StringComparison.Ordinal)
        || s.Any(c => c < 0x20 || c is '\u007f' or '\u0085' or '\u2028' or '\u2029' or '\ufeff' || c is >= '\u0080' and <= '\u009f');

    private static string SingleQuoted(string s) =>
        s.Any(c => c < 0x20 && c != '\t' || c is '\u007f' || c is >= '\u0080' and <= '\u009f' || c is '\ufeff' or '\ufffe' or '\uffff')
            ? "'x'"
            : "'" + s.Replace("'", "''", StringComparison.Ordinal).Replace("\n", "\n\n", StringComparison.Ordinal) + "'";

    private string DoubleQuoted()
    {
        string[] escapes = ["\\n", "\\t", "\\\"", "\\\\", "\\x41", "\\u00e9", "\\U0001F600", "\\0", "\\e", "\\N", "\\_", "\\L", "\\P", "\\ ", "\\/", "\\ud83d", "\\a", "\\b", "\\v", "\\f", "\\r", "\\'"];
        var text = new StringBuilder("\"");
        var parts = _random.Next(0, 6);
        for (var i = 0; i < parts; i++)
        {
            if (_random.Next(3) == 0)
            {
                // Rarely an escape libyaml does not know, to check both sides refuse it.
                text.Append(escapes[_random.Next(_random.Next(20) == 0 ? escapes.Length : escapes.Length - 3)]);
            }
            else
            {
                var s = RandomString();
                foreach (var c in s)
                {
                    text.Append(c switch
                    {
                        '"' => "\\\"",
                        '\\' => "\\\\",
                        '\n' => "\\n",
                        _ when c < 0x20 && c != '\t' || c == '\u007f' || c is >= '\u0080' and <= '\u009f' || c is '\ufeff' or '\ufffe' or '\uffff' => "\\x41",
                        _ => c.ToString(),
                    });
                }
            }
        }

        return text.Append('"').ToString();
    }

    private string Tagged() => _random.Next(8) switch
    {
        0 => "!!str " + PlainToken(),
        1 => "!!int " + _random.Next(-50, 50).ToString(CultureInfo.InvariantCulture),
        2 => "!!float " + PlainToken(),
        3 => "!!bool " + (_random.Next(2) == 0 ? "yes" : "off"),
        4 => "!!null ~",
        5 => "!!binary " + Convert.ToBase64String(Encoding.UTF8.GetBytes(RandomString() + "x")),
        6 => "!custom " + PlainToken(),
        _ => "!!int " + PlainToken(),
    };

    private void BlockScalar(StringBuilder text, int indent)
    {
        text.Append(_random.Next(2) == 0 ? '|' : '>');
        var leadingSpace = _random.Next(6) == 0;
        if (leadingSpace)
        {
            text.Append('2');
        }

        text.Append(_random.Next(3) switch
        {
            0 => "-",
            1 => "+",
            _ => "",
        }).Append('\n');
        var lines = _random.Next(1, 6);
        for (var i = 0; i < lines; i++)
        {
            if (_random.Next(5) == 0)
            {
                text.Append('\n');
                continue;
            }

            text.Append(' ', indent + (leadingSpace || _random.Next(6) == 0 && i > 0 ? 2 : 0));
            var line = RandomString().Replace("\n", " ", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal);
            line = new string(line.Select(c => c < 0x20 && c != '\t' || c == '\u007f' || c is >= '\u0080' and <= '\u009f' || c is '\u0085' or '\u2028' or '\u2029' or '\ufeff' ? '?' : c).ToArray());
            text.Append(line.TrimEnd().Length == 0 ? "x" : line).Append('\n');
        }

        if (_random.Next(3) == 0)
        {
            text.Append('\n');
        }
    }
}
