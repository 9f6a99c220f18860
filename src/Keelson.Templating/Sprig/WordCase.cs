using System.Text;

namespace Keelson.Templating;

/// <summary>
/// huandu/xstrings 1.5.0 case conversions, as Sprig 3.3 uses them: snakecase and kebabcase split words at case and
/// digit changes; camelcase is xstrings' ToPascalCase (1.5.0 renamed the upper-first form; Sprig kept its output).
/// </summary>
internal static class WordCase
{
    private enum WordType
    {
        Invalid,
        Number,
        UpperCase,
        Alphabet,
        Connector,
        Punct,
        Other,
    }

    public static string ToSnakeCase(string s) => CamelCaseToLowerCase(s, '_');

    public static string ToKebabCase(string s) => CamelCaseToLowerCase(s, '-');

    /// <summary>Words separated by '-', '_' or white space joined with each word's first letter upper-cased.</summary>
    public static string ToPascalCase(string s)
    {
        if (s.Length == 0)
        {
            return "";
        }

        var rs = Runes(s);
        var sb = new StringBuilder(s.Length);
        var firstUpper = false;
        var i = 0;
        var r0 = 0;
        var any = false;
        while (i < rs.Length)
        {
            r0 = rs[i++];
            any = true;
            if (!IsConnector(r0))
            {
                firstUpper = GoText.IsUpper(r0);
                r0 = GoText.ToUpper(r0);
                break;
            }

            GoText.AppendRune(sb, r0);
        }

        if (i >= rs.Length)
        {
            // A single code point after any leading connectors (or only connectors: the last one is written twice).
            if (any)
            {
                GoText.AppendRune(sb, r0);
            }

            return sb.ToString();
        }

        while (i < rs.Length)
        {
            var r1 = r0;
            r0 = rs[i++];
            if (IsConnector(r0) && IsConnector(r1))
            {
                GoText.AppendRune(sb, r1);
                continue;
            }

            if (IsConnector(r1))
            {
                firstUpper = GoText.IsUpper(r0);
                r0 = GoText.ToUpper(r0);
            }
            else
            {
                if (firstUpper)
                {
                    if (GoText.IsUpper(r0))
                    {
                        r0 = GoText.ToLower(r0);
                    }
                    else
                    {
                        firstUpper = false;
                    }
                }

                GoText.AppendRune(sb, r1);
            }
        }

        GoText.AppendRune(sb, r0);
        return sb.ToString();
    }

    private static string CamelCaseToLowerCase(string s, char connector)
    {
        if (s.Length == 0)
        {
            return "";
        }

        var rs = Runes(s);
        var sb = new StringBuilder(s.Length + 8);
        var (wt, start, end) = NextWord(rs, 0);
        while (end < rs.Length)
        {
            if (wt != WordType.Connector)
            {
                ToLower(sb, rs, wt, start, end, connector);
            }

            var prev = wt;
            var (lastStart, lastEnd) = (start, end);
            (wt, start, end) = NextWord(rs, end);
            switch (prev)
            {
                case WordType.Number:
                    while (wt is WordType.Alphabet or WordType.Number)
                    {
                        ToLower(sb, rs, wt, start, end, connector);
                        (wt, start, end) = NextWord(rs, end);
                    }

                    if (wt is not (WordType.Invalid or WordType.Punct or WordType.Connector))
                    {
                        sb.Append(connector);
                    }

                    break;
                case WordType.Connector:
                    ToLower(sb, rs, prev, lastStart, lastEnd, connector);
                    break;
                case WordType.Punct:
                    break;
                default:
                    if (wt != WordType.Number)
                    {
                        if (wt is not (WordType.Connector or WordType.Punct))
                        {
                            sb.Append(connector);
                        }

                        break;
                    }

                    if (end >= rs.Length)
                    {
                        break;
                    }

                    (lastStart, lastEnd) = (start, end);
                    (wt, start, end) = NextWord(rs, end);

                    // A number followed by anything but letters belongs to the word before it ("Bld4Floor" → "bld4_floor").
                    if (wt != WordType.Alphabet)
                    {
                        ToLower(sb, rs, WordType.Number, lastStart, lastEnd, connector);
                        if (wt is not (WordType.Connector or WordType.Punct))
                        {
                            sb.Append(connector);
                        }

                        break;
                    }

                    // Lower-case letters after a number start a new word with it ("HTTP2xx" → "http_2xx").
                    sb.Append(connector);
                    ToLower(sb, rs, WordType.Number, lastStart, lastEnd, connector);
                    while (wt is WordType.Alphabet or WordType.Number)
                    {
                        ToLower(sb, rs, wt, start, end, connector);
                        (wt, start, end) = NextWord(rs, end);
                    }

                    if (wt is not (WordType.Invalid or WordType.Connector or WordType.Punct))
                    {
                        sb.Append(connector);
                    }

                    break;
            }
        }

        ToLower(sb, rs, wt, start, end, connector);
        return sb.ToString();
    }

    private static void ToLower(StringBuilder sb, int[] rs, WordType wt, int start, int end, char connector)
    {
        for (var i = start; i < end; i++)
        {
            var r = rs[i];
            if (wt is WordType.UpperCase or WordType.Connector)
            {
                if (IsConnector(r))
                {
                    r = connector;
                }
                else if (GoText.IsUpper(r))
                {
                    r = GoText.ToLower(r);
                }
            }

            GoText.AppendRune(sb, r);
        }
    }

    /// <summary>The word starting at <paramref name="start"/>: its type and [start, end) in code points.</summary>
    private static (WordType Type, int Start, int End) NextWord(int[] rs, int start)
    {
        if (start >= rs.Length)
        {
            return (WordType.Invalid, start, start);
        }

        var (r, size) = NextValidRune(rs, start, GoText.RuneError);
        var offset = size;
        if (r == GoText.RuneError)
        {
            return (WordType.Invalid, start, start + offset);
        }

        var pos = start + size;
        WordType wt;
        if (IsConnector(r))
        {
            wt = WordType.Connector;
            Extend(rs, ref pos, ref offset, r, IsConnector);
        }
        else if (GoText.IsPunct(r))
        {
            wt = WordType.Punct;
            Extend(rs, ref pos, ref offset, r, GoText.IsPunct);
        }
        else if (GoText.IsUpper(r))
        {
            wt = WordType.UpperCase;
            if (pos < rs.Length)
            {
                (r, size) = NextValidRune(rs, pos, r);
                if (GoText.IsUpper(r))
                {
                    var prevSize = size;
                    offset += size;
                    pos += size;
                    while (pos < rs.Length)
                    {
                        (r, size) = NextValidRune(rs, pos, r);
                        if (!GoText.IsUpper(r))
                        {
                            break;
                        }

                        prevSize = size;
                        offset += size;
                        pos += size;
                    }

                    // "HTTPStatus" is "HTTP" and "Status": the last capital starts the next word.
                    if (pos < rs.Length && IsAlphabet(r))
                    {
                        offset -= prevSize;
                    }
                }
                else if (IsAlphabet(r))
                {
                    offset += size;
                    pos += size;
                    Extend(rs, ref pos, ref offset, r, static c => IsAlphabet(c) && !GoText.IsUpper(c));
                }
            }
        }
        else if (IsAlphabet(r))
        {
            wt = WordType.Alphabet;
            Extend(rs, ref pos, ref offset, r, static c => IsAlphabet(c) && !GoText.IsUpper(c));
        }
        else if (GoText.IsNumber(r))
        {
            wt = WordType.Number;
            Extend(rs, ref pos, ref offset, r, GoText.IsNumber);
        }
        else
        {
            wt = WordType.Other;
            Extend(rs, ref pos, ref offset, r,
                static c => !(IsConnector(c) || IsAlphabet(c) || GoText.IsNumber(c) || GoText.IsPunct(c)));
        }

        return (wt, start, start + offset);
    }

    private static void Extend(int[] rs, ref int pos, ref int offset, int r, Func<int, bool> accept)
    {
        while (pos < rs.Length)
        {
            (r, var size) = NextValidRune(rs, pos, r);
            if (!accept(r))
            {
                break;
            }

            offset += size;
            pos += size;
        }
    }

    /// <summary>The next code point that is not U+FFFD and how many were read; the previous one if none is left.</summary>
    private static (int Rune, int Size) NextValidRune(int[] rs, int pos, int prev)
    {
        var size = 0;
        for (; pos < rs.Length; pos++)
        {
            size++;
            if (rs[pos] != GoText.RuneError)
            {
                return (rs[pos], size);
            }
        }

        return (prev, size);
    }

    private static bool IsConnector(int r) => r is '-' or '_' || GoText.IsSpace(r);

    /// <summary>A letter, but not a CJK ideograph.</summary>
    private static bool IsAlphabet(int r)
    {
        if (!GoText.IsLetter(r))
        {
            return false;
        }

        return r < 0x3400 || !(r is (>= 0x4E00 and <= 0x9FCC) or (>= 0x3400 and <= 0x4D85) or (>= 0x20000 and <= 0x2B81D));
    }

    private static int[] Runes(string s)
    {
        var rs = new int[s.Length];
        var n = 0;
        for (var i = 0; i < s.Length;)
        {
            rs[n++] = GoText.RuneAt(s, i, out var w);
            i += w;
        }

        return n == rs.Length ? rs : rs[..n];
    }
}
