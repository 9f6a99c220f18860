using System.Text;

namespace Keelson.Kubernetes.Yaml;

/// <summary>Go's view of strings where it differs from .NET's: UTF-8 byte order and invalid UTF-8.</summary>
internal static class GoStrings
{
    // Characters that need a closer look on the way through Go's JSON: C1 controls (NEL among them), DEL,
    // non-characters, and surrogates (a lone one becomes U+FFFD).
    private static readonly System.Buffers.SearchValues<char> Unusual = System.Buffers.SearchValues.Create(
        "\u007F\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F"
        + "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F\uFFFE\uFFFF");

    /// <summary>
    /// Bytes to text the way encoding/json writes a Go string: each byte that does not start a valid UTF-8 sequence
    /// becomes one U+FFFD (.NET's decoder would fold some runs into a single U+FFFD).
    /// </summary>
    public static string FromBytes(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var width = ValidSequenceLength(bytes[i..]);
            if (width == 0)
            {
                text.Append('\uFFFD');
                i++;
                continue;
            }

            if (width == 1)
            {
                text.Append((char)bytes[i]);
            }
            else
            {
                text.Append(Encoding.UTF8.GetString(bytes.Slice(i, width)));
            }

            i += width;
        }

        return text.ToString();
    }

    // Go's utf8.DecodeRune acceptance ranges; 0 means "invalid, consume one byte".
    private static int ValidSequenceLength(ReadOnlySpan<byte> b)
    {
        var b0 = b[0];
        if (b0 < 0x80)
        {
            return 1;
        }

        var (width, low, high) = b0 switch
        {
            >= 0xC2 and <= 0xDF => (2, 0x80, 0xBF),
            0xE0 => (3, 0xA0, 0xBF),
            >= 0xE1 and <= 0xEC or 0xEE or 0xEF => (3, 0x80, 0xBF),
            0xED => (3, 0x80, 0x9F),
            0xF0 => (4, 0x90, 0xBF),
            >= 0xF1 and <= 0xF3 => (4, 0x80, 0xBF),
            0xF4 => (4, 0x80, 0x8F),
            _ => (0, 0, 0),
        };
        if (width == 0 || b.Length < width || b[1] < low || b[1] > high)
        {
            return 0;
        }

        for (var k = 2; k < width; k++)
        {
            if (b[k] is < 0x80 or > 0xBF)
            {
                return 0;
            }
        }

        return width;
    }

    /// <summary>Orders strings by their UTF-8 bytes (Go's string comparison), i.e. by code point.</summary>
    public static int CompareUtf8(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x != y)
            {
                return Weight(x) - Weight(y);
            }
        }

        return a.Length - b.Length;

        // UTF-16 puts surrogates (code points above U+FFFF) below U+E000..U+FFFF; UTF-8 puts them above.
        static int Weight(char c) => c switch
        {
            >= '\uD800' and <= '\uDFFF' => c + 0x2000,
            >= '\uE000' => c - 0x800,
            _ => c,
        };
    }

    /// <summary>Replaces unpaired surrogates with U+FFFD, as a Go string built from this text would hold.</summary>
    public static string Sanitize(string s)
    {
        var bad = -1;
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(s[i]))
            {
                bad = i;
                break;
            }
        }

        if (bad < 0)
        {
            return s;
        }

        var chars = s.ToCharArray();
        for (var i = bad; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    /// <summary>
    /// What a string becomes on Helm's toYaml path: encoding/json writes it (escaping control characters, U+2028 and
    /// U+2029, but writing U+0085 and U+007F..U+009F raw) and go-yaml reads that JSON as YAML. A raw NEL is a line
    /// break to YAML 1.1, so it is folded like one ("a\u0085b" becomes "a b"); the other raw control characters make
    /// go-yaml refuse the whole document, as here.
    /// </summary>
    /// <remarks>
    /// A map key also has to be a YAML simple key in that JSON text: on one line (so no NEL) and at most 1024
    /// characters from its opening quote to the ':' (so at most 1022 characters once JSON-escaped). Go fails on
    /// longer keys; so does this.
    /// </remarks>
    public static string ThroughGoJson(string s, bool isKey = false)
    {
        if (!s.AsSpan().ContainsAny(Unusual) && !s.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') && (!isKey || s.Length <= 170))
        {
            return s; // the common case: nothing Go's JSON round trip would change or refuse
        }

        s = Sanitize(s);
        if (isKey)
        {
            if (s.Contains('\u0085', StringComparison.Ordinal))
            {
                throw new YamlException($"map key {Quote(s)} holds U+0085, a line break to go-yaml, which cannot read it back as a key", 0, 0);
            }

            var length = JsonEscapedLength(s);
            if (length > 1022)
            {
                throw new YamlException(
                    $"map key {Quote(s)} is {length} characters as JSON; go-yaml cannot read back keys over 1022", 0, 0);
            }
        }

        var nel = false;
        foreach (var c in s)
        {
            if (c == '\u0085')
            {
                nel = true;
            }
            else if (c is '\u007F' or (>= '\u0080' and <= '\u009F') or '\uFFFE' or '\uFFFF')
            {
                // The value itself stays out of the message: it may be a secret.
                throw new YamlException(
                    $"control characters are not allowed (U+{(int)c:X4} in a string): Go's JSON to YAML conversion cannot read it",
                    0,
                    0);
            }
        }

        if (!nel)
        {
            return s;
        }

        var json = new StringBuilder(s.Length + 8).Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"' or '\\':
                    json.Append('\\').Append(c);
                    break;
                case < ' ' or '\u2028' or '\u2029':
                    json.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    json.Append(c);
                    break;
            }
        }

        var scanner = new YamlScanner(json.Append('"').ToString());
        scanner.Peek();
        scanner.Skip(); // stream start
        return scanner.Peek().Value!;
    }

    // Characters between the quotes of encoding/json's output (Go 1.19: \n \r \t short, other controls and <>& as \u00XX).
    private static int JsonEscapedLength(string s)
    {
        var length = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            length += c switch
            {
                '"' or '\\' or '\n' or '\r' or '\t' => 2,
                < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029' => 6,
                _ => 1,
            };
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++; // one code point
            }
        }

        return length;
    }

    /// <summary>A short quoted form of a value for error messages.</summary>
    public static string Quote(string s) => s.Length > 60 ? $"\"{s[..57]}...\"" : $"\"{s}\"";
}
