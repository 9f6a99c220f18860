using System.Text;

namespace Keelson.Templating;

/// <summary>
/// encoding/json's Unmarshal into interface{} with Go's error messages ("invalid character 'b' looking for
/// beginning of object key string", "unexpected end of JSON input"). Like Go, the whole text is checked first;
/// a number too large for float64 does not stop decoding: it becomes nil and its error is reported.
/// </summary>
internal static class GoJsonDecoder
{
    private const int MaxDepth = 10_000;

    public static bool TryDecode(string text, out object? value, out string? error)
    {
        var parser = new Parser(text);
        try
        {
            parser.SkipSpace();
            value = parser.ParseValue(0);
            parser.SkipSpace();
            if (parser.Pos < text.Length)
            {
                throw parser.Fail("after top-level value");
            }
        }
        catch (FormatException ex)
        {
            value = null;
            error = ex.Message;
            return false;
        }

        error = parser.NumberError;
        return error is null;
    }

    private sealed class Parser(string text)
    {
        public int Pos;

        public string? NumberError;

        public void SkipSpace()
        {
            while (Pos < text.Length && text[Pos] is ' ' or '\t' or '\r' or '\n')
            {
                Pos++;
            }
        }

        public FormatException Fail(string context)
        {
            if (Pos >= text.Length)
            {
                return new FormatException("unexpected end of JSON input");
            }

            return new FormatException("invalid character " + QuoteChar(text[Pos]) + " " + context);
        }

        public object? ParseValue(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new FormatException("exceeded max depth");
            }

            if (Pos >= text.Length)
            {
                throw Fail("looking for beginning of value");
            }

            switch (text[Pos])
            {
                case '{':
                    return ParseObject(depth);
                case '[':
                    return ParseArray(depth);
                case '"':
                    return ParseString();
                case 't':
                    Literal("true");
                    return true;
                case 'f':
                    Literal("false");
                    return false;
                case 'n':
                    Literal("null");
                    return null;
                case '-' or (>= '0' and <= '9'):
                    return ParseNumber();
                default:
                    throw Fail("looking for beginning of value");
            }
        }

        private Dictionary<string, object?> ParseObject(int depth)
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            Pos++;
            SkipSpace();
            if (Pos < text.Length && text[Pos] == '}')
            {
                Pos++;
                return map;
            }

            while (true)
            {
                if (Pos >= text.Length || text[Pos] != '"')
                {
                    throw Fail("looking for beginning of object key string");
                }

                var key = ParseString();
                SkipSpace();
                if (Pos >= text.Length || text[Pos] != ':')
                {
                    throw Fail("after object key");
                }

                Pos++;
                SkipSpace();
                map[key] = ParseValue(depth + 1);
                SkipSpace();
                if (Pos < text.Length && text[Pos] == ',')
                {
                    Pos++;
                    SkipSpace();
                    continue;
                }

                if (Pos < text.Length && text[Pos] == '}')
                {
                    Pos++;
                    return map;
                }

                throw Fail("after object key:value pair");
            }
        }

        private List<object?> ParseArray(int depth)
        {
            var list = new List<object?>();
            Pos++;
            SkipSpace();
            if (Pos < text.Length && text[Pos] == ']')
            {
                Pos++;
                return list;
            }

            while (true)
            {
                list.Add(ParseValue(depth + 1));
                SkipSpace();
                if (Pos < text.Length && text[Pos] == ',')
                {
                    Pos++;
                    SkipSpace();
                    continue;
                }

                if (Pos < text.Length && text[Pos] == ']')
                {
                    Pos++;
                    return list;
                }

                throw Fail("after array element");
            }
        }

        private void Literal(string word)
        {
            Pos++;
            for (var i = 1; i < word.Length; i++, Pos++)
            {
                if (Pos >= text.Length || text[Pos] != word[i])
                {
                    throw Fail($"in literal {word} (expecting {QuoteChar(word[i])})");
                }
            }
        }

        private string ParseString()
        {
            Pos++;
            StringBuilder? sb = null;
            var start = Pos;
            while (true)
            {
                if (Pos >= text.Length)
                {
                    throw Fail("in string literal");
                }

                var c = text[Pos];
                if (c == '"')
                {
                    var s = sb is null ? text[start..Pos] : sb.Append(text, start, Pos - start).ToString();
                    Pos++;
                    return s;
                }

                if (c < 0x20)
                {
                    throw Fail("in string literal");
                }

                if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && Pos + 1 < text.Length && char.IsLowSurrogate(text[Pos + 1])))
                {
                    // Go replaces invalid UTF-8 in strings with U+FFFD.
                    (sb ??= new StringBuilder()).Append(text, start, Pos - start).Append('\uFFFD');
                    Pos++;
                    start = Pos;
                    continue;
                }

                if (c != '\\')
                {
                    Pos += char.IsHighSurrogate(c) ? 2 : 1;
                    continue;
                }

                sb ??= new StringBuilder();
                sb.Append(text, start, Pos - start);
                Pos++;
                if (Pos >= text.Length)
                {
                    throw Fail("in string escape code");
                }

                switch (text[Pos])
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                    {
                        var r = Hex4();
                        if (char.IsHighSurrogate((char)r) && Pos + 6 < text.Length && text[Pos + 1] == '\\' && text[Pos + 2] == 'u')
                        {
                            var save = Pos;
                            Pos += 2;
                            var r2 = Hex4();
                            if (char.IsLowSurrogate((char)r2))
                            {
                                sb.Append((char)r).Append((char)r2);
                                break;
                            }

                            Pos = save;
                        }

                        sb.Append(char.IsSurrogate((char)r) ? '\uFFFD' : (char)r);
                        break;
                    }

                    default:
                        throw Fail("in string escape code");
                }

                Pos++;
                start = Pos;
            }
        }

        /// <summary>Reads the 4 hex digits after "\u" (Pos on the 'u'), leaving Pos on the last digit.</summary>
        private int Hex4()
        {
            var r = 0;
            for (var i = 0; i < 4; i++)
            {
                Pos++;
                if (Pos >= text.Length || !char.IsAsciiHexDigit(text[Pos]))
                {
                    throw Fail("in \\u hexadecimal character escape");
                }

                r = r * 16 + Convert.ToInt32(text[Pos].ToString(), 16);
            }

            return r;
        }

        private double? ParseNumber()
        {
            var start = Pos;
            if (text[Pos] == '-')
            {
                Pos++;
                if (Pos >= text.Length || !char.IsAsciiDigit(text[Pos]))
                {
                    throw Fail("in numeric literal");
                }
            }

            if (text[Pos] == '0')
            {
                Pos++;
            }
            else
            {
                while (Pos < text.Length && char.IsAsciiDigit(text[Pos]))
                {
                    Pos++;
                }
            }

            if (Pos < text.Length && text[Pos] == '.')
            {
                Pos++;
                if (Pos >= text.Length || !char.IsAsciiDigit(text[Pos]))
                {
                    throw Fail("after decimal point in numeric literal");
                }

                while (Pos < text.Length && char.IsAsciiDigit(text[Pos]))
                {
                    Pos++;
                }
            }

            if (Pos < text.Length && text[Pos] is 'e' or 'E')
            {
                Pos++;
                if (Pos < text.Length && text[Pos] is '+' or '-')
                {
                    Pos++;
                }

                if (Pos >= text.Length || !char.IsAsciiDigit(text[Pos]))
                {
                    throw Fail("in exponent of numeric literal");
                }

                while (Pos < text.Length && char.IsAsciiDigit(text[Pos]))
                {
                    Pos++;
                }
            }

            var literal = text[start..Pos];
            if (Fmt.GoStrconv.TryParseFloat(literal, out var d))
            {
                return d;
            }

            NumberError ??= "json: cannot unmarshal number " + literal + " into Go value of type float64";
            return null;
        }

        /// <summary>encoding/json's quoteChar: the byte quoted as Go would (a non-ASCII character by its first UTF-8 byte).</summary>
        private static string QuoteChar(char c)
        {
            if (c == '\'')
            {
                return @"'\''";
            }

            if (c == '"')
            {
                return "'\"'";
            }

            var b = c < 0x80 ? c : (char)GoText.ToUtf8(c.ToString())[0];
            var q = Fmt.GoStrconv.Quote(b.ToString());
            return "'" + q[1..^1] + "'";
        }
    }
}
