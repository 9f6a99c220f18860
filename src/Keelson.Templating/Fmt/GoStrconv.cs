using System.Globalization;
using System.Numerics;
using System.Text;

namespace Keelson.Templating.Fmt;

/// <summary>
/// Go's strconv behaviour where templates can observe it: float formatting (FormatFloat with every format and
/// precision), number literal parsing (ParseInt/ParseUint/ParseFloat with base 0, underscores, hex floats) and
/// string/rune quoting (Quote, QuoteToASCII, QuoteRune, CanBackquote, Unquote, UnquoteChar).
/// </summary>
internal static class GoStrconv
{
    private const string LowerHex = "0123456789abcdef";
    private const string UpperHex = "0123456789ABCDEF";

    /// <summary>Decimal digits of a float: value = 0.d[0]d[1]... × 10^Dp; zero has no digits.</summary>
    private readonly struct Digits(char[] d, int dp)
    {
        public readonly char[] D = d;
        public readonly int Dp = dp;

        public int Nd => D.Length;
    }

    public static string FormatFloat(double value, char fmt, int prec, int bitSize)
    {
        var sb = new StringBuilder(24);
        AppendFloat(sb, value, fmt, prec, bitSize);
        return sb.ToString();
    }

    /// <summary>strconv.AppendFloat: fmt is one of b e E f g G x X; prec &lt; 0 means the shortest exact form.</summary>
    public static void AppendFloat(StringBuilder sb, double value, char fmt, int prec, int bitSize)
    {
        if (bitSize == 32)
        {
            value = (float)value;
        }

        if (double.IsNaN(value))
        {
            sb.Append("NaN");
            return;
        }

        if (double.IsInfinity(value))
        {
            sb.Append(value > 0 ? "+Inf" : "-Inf");
            return;
        }

        var neg = double.IsNegative(value);
        var abs = Math.Abs(value);
        switch (fmt)
        {
            case 'b':
                AppendBinary(sb, neg, abs, bitSize);
                return;
            case 'x':
            case 'X':
                AppendHex(sb, neg, abs, fmt, prec, bitSize);
                return;
            case 'e' or 'E' or 'f' or 'g' or 'G':
                break;
            default:
                sb.Append('%').Append(fmt);
                return;
        }

        var shortest = prec < 0;
        string? big;
        Digits digs;
        if (shortest)
        {
            digs = ShortestDigits(abs, bitSize);
            prec = fmt switch
            {
                'e' or 'E' => Math.Max(digs.Nd - 1, 0),
                'f' => Math.Max(digs.Nd - digs.Dp, 0),
                _ => digs.Nd,
            };
        }
        else if (fmt == 'f')
        {
            big = abs.ToString("F" + prec.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            digs = ParseDigits(big);
        }
        else
        {
            var count = prec;
            if (fmt is 'e' or 'E')
            {
                count = prec + 1;
            }
            else if (prec == 0)
            {
                prec = 1;
                count = 1;
            }

            big = abs.ToString("E" + (count - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            digs = ParseDigits(big);
        }

        FormatDigits(sb, shortest, neg, digs, prec, fmt);
    }

    private static Digits ShortestDigits(double abs, int bitSize)
    {
        if (abs == 0)
        {
            return new Digits([], 0);
        }

        Span<char> buffer = stackalloc char[32];
        // .NET's round-trip formatting yields the shortest digit string that parses back to the same value and,
        // among those, the one closest to the exact value: the same digits Go's shortest algorithm produces.
        var ok = bitSize == 32
            ? ((float)abs).TryFormat(buffer, out var written, "R", CultureInfo.InvariantCulture)
            : abs.TryFormat(buffer, out written, "R", CultureInfo.InvariantCulture);
        if (!ok)
        {
            throw new InvalidOperationException("float formatting buffer too small");
        }

        return ParseDigits(buffer[..written]);
    }

    /// <summary>Turns .NET output such as "123.45", "1.5E-07" or "0.00120" into trimmed digits and a decimal point.</summary>
    private static Digits ParseDigits(ReadOnlySpan<char> s)
    {
        var exp = 0;
        var e = s.IndexOfAny('E', 'e');
        var mantissa = s;
        if (e >= 0)
        {
            exp = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = s[..e];
        }

        var dot = mantissa.IndexOf('.');
        var intLen = dot < 0 ? mantissa.Length : dot;
        var digits = new char[mantissa.Length];
        var n = 0;
        foreach (var c in mantissa)
        {
            if (c != '.')
            {
                digits[n++] = c;
            }
        }

        var start = 0;
        while (start < n && digits[start] == '0')
        {
            start++;
        }

        var end = n;
        while (end > start && digits[end - 1] == '0')
        {
            end--;
        }

        if (start == end)
        {
            return new Digits([], 0);
        }

        return new Digits(digits.AsSpan(start, end - start).ToArray(), intLen - start + exp);
    }

    private static void FormatDigits(StringBuilder sb, bool shortest, bool neg, Digits digs, int prec, char fmt)
    {
        switch (fmt)
        {
            case 'e':
            case 'E':
                FormatE(sb, neg, digs, prec, fmt);
                return;
            case 'f':
                FormatF(sb, neg, digs, prec);
                return;
            default:
                var eprec = prec;
                if (eprec > digs.Nd && digs.Nd >= digs.Dp)
                {
                    eprec = digs.Nd;
                }

                // %e is used if the exponent from the conversion is less than -4 or greater than or equal to the
                // precision; for the shortest form Go uses 6 for this decision.
                if (shortest)
                {
                    eprec = 6;
                }

                var exp = digs.Dp - 1;
                if (exp < -4 || exp >= eprec)
                {
                    if (prec > digs.Nd)
                    {
                        prec = digs.Nd;
                    }

                    FormatE(sb, neg, digs, prec - 1, fmt == 'g' ? 'e' : 'E');
                    return;
                }

                if (prec > digs.Dp)
                {
                    prec = digs.Nd;
                }

                FormatF(sb, neg, digs, Math.Max(prec - digs.Dp, 0));
                return;
        }
    }

    private static void FormatE(StringBuilder sb, bool neg, Digits d, int prec, char fmt)
    {
        if (neg)
        {
            sb.Append('-');
        }

        sb.Append(d.Nd != 0 ? d.D[0] : '0');
        if (prec > 0)
        {
            sb.Append('.');
            var i = 1;
            var m = Math.Min(d.Nd, prec + 1);
            if (i < m)
            {
                sb.Append(d.D, i, m - i);
                i = m;
            }

            for (; i <= prec; i++)
            {
                sb.Append('0');
            }
        }

        sb.Append(fmt);
        var exp = d.Nd == 0 ? 0 : d.Dp - 1;
        sb.Append(exp < 0 ? '-' : '+');
        exp = Math.Abs(exp);
        if (exp < 10)
        {
            sb.Append('0').Append((char)('0' + exp));
        }
        else
        {
            sb.Append(exp.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void FormatF(StringBuilder sb, bool neg, Digits d, int prec)
    {
        if (neg)
        {
            sb.Append('-');
        }

        if (d.Dp > 0)
        {
            var m = Math.Min(d.Nd, d.Dp);
            sb.Append(d.D, 0, m);
            sb.Append('0', d.Dp - m);
        }
        else
        {
            sb.Append('0');
        }

        if (prec > 0)
        {
            sb.Append('.');
            for (var i = 0; i < prec; i++)
            {
                var j = d.Dp + i;
                sb.Append(j >= 0 && j < d.Nd ? d.D[j] : '0');
            }
        }
    }

    private static (ulong Mant, int Exp, int MantBits) Decompose(double abs, int bitSize)
    {
        if (bitSize == 32)
        {
            var bits = BitConverter.SingleToUInt32Bits((float)abs);
            var exp = (int)(bits >> 23) & 0xFF;
            ulong mant = bits & ((1u << 23) - 1);
            if (exp == 0)
            {
                exp++;
            }
            else
            {
                mant |= 1UL << 23;
            }

            return (mant, exp - 127, 23);
        }
        else
        {
            var bits = BitConverter.DoubleToUInt64Bits(abs);
            var exp = (int)(bits >> 52) & 0x7FF;
            var mant = bits & ((1UL << 52) - 1);
            if (exp == 0)
            {
                exp++;
            }
            else
            {
                mant |= 1UL << 52;
            }

            return (mant, exp - 1023, 52);
        }
    }

    private static void AppendBinary(StringBuilder sb, bool neg, double abs, int bitSize)
    {
        var (mant, exp, mantBits) = Decompose(abs, bitSize);
        if (neg)
        {
            sb.Append('-');
        }

        sb.Append(mant.ToString(CultureInfo.InvariantCulture)).Append('p');
        exp -= mantBits;
        if (exp >= 0)
        {
            sb.Append('+');
        }

        sb.Append(exp.ToString(CultureInfo.InvariantCulture));
    }

    private static void AppendHex(StringBuilder sb, bool neg, double abs, char fmt, int prec, int bitSize)
    {
        var (mant, exp, mantBits) = Decompose(abs, bitSize);
        if (mant == 0)
        {
            exp = 0;
        }

        // Shift the mantissa so its leading 1 is at bit 60, then round to the requested hex digits.
        mant <<= 60 - mantBits;
        while (mant != 0 && (mant & (1UL << 60)) == 0)
        {
            mant <<= 1;
            exp--;
        }

        if (prec >= 0 && prec < 15)
        {
            var shift = prec * 4;
            var extra = (mant << shift) & ((1UL << 60) - 1);
            mant >>= 60 - shift;
            if ((extra | (mant & 1)) > 1UL << 59)
            {
                mant++;
            }

            mant <<= 60 - shift;
            if ((mant & (1UL << 61)) != 0)
            {
                mant >>= 1;
                exp++;
            }
        }

        var hex = fmt == 'X' ? UpperHex : LowerHex;
        if (neg)
        {
            sb.Append('-');
        }

        sb.Append('0').Append(fmt).Append((char)('0' + (int)((mant >> 60) & 1)));
        mant <<= 4;
        if (prec < 0 && mant != 0)
        {
            sb.Append('.');
            while (mant != 0)
            {
                sb.Append(hex[(int)((mant >> 60) & 15)]);
                mant <<= 4;
            }
        }
        else if (prec > 0)
        {
            sb.Append('.');
            for (var i = 0; i < prec; i++)
            {
                sb.Append(hex[(int)((mant >> 60) & 15)]);
                mant <<= 4;
            }
        }

        sb.Append(fmt == 'X' ? 'P' : 'p');
        sb.Append(exp < 0 ? '-' : '+');
        exp = Math.Abs(exp);
        if (exp < 10)
        {
            sb.Append('0');
        }

        sb.Append(exp.ToString(CultureInfo.InvariantCulture));
    }

    // ---- Parsing number literals ----

    private static char Lower(char c) => (char)(c | 0x20);

    /// <summary>Go's rule: an underscore must sit between digits or between a base prefix and a digit.</summary>
    private static bool UnderscoreOk(ReadOnlySpan<char> s)
    {
        var saw = '^';
        var i = 0;
        if (s.Length >= 1 && (s[0] == '-' || s[0] == '+'))
        {
            s = s[1..];
        }

        var hex = false;
        if (s.Length >= 2 && s[0] == '0' && Lower(s[1]) is 'b' or 'o' or 'x')
        {
            i = 2;
            saw = '0';
            hex = Lower(s[1]) == 'x';
        }

        for (; i < s.Length; i++)
        {
            if (s[i] is >= '0' and <= '9' || hex && Lower(s[i]) is >= 'a' and <= 'f')
            {
                saw = '0';
                continue;
            }

            if (s[i] == '_')
            {
                if (saw != '0')
                {
                    return false;
                }

                saw = '_';
                continue;
            }

            if (saw == '_')
            {
                return false;
            }

            saw = '!';
        }

        return saw != '_';
    }

    /// <summary>strconv.ParseUint(s, 0, 64).</summary>
    public static bool TryParseUint(string s, out ulong value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return false;
        }

        var body = s.AsSpan();
        var radix = 10;
        if (body[0] == '0')
        {
            if (body.Length >= 3 && Lower(body[1]) == 'b')
            {
                radix = 2;
                body = body[2..];
            }
            else if (body.Length >= 3 && Lower(body[1]) == 'o')
            {
                radix = 8;
                body = body[2..];
            }
            else if (body.Length >= 3 && Lower(body[1]) == 'x')
            {
                radix = 16;
                body = body[2..];
            }
            else
            {
                radix = 8;
                body = body[1..];
            }
        }

        var underscores = false;
        ulong n = 0;
        foreach (var c in body)
        {
            int d;
            if (c == '_')
            {
                underscores = true;
                continue;
            }
            else if (c is >= '0' and <= '9')
            {
                d = c - '0';
            }
            else if (Lower(c) is >= 'a' and <= 'z')
            {
                d = Lower(c) - 'a' + 10;
            }
            else
            {
                return false;
            }

            if (d >= radix)
            {
                return false;
            }

            if (n > (ulong.MaxValue - (ulong)d) / (ulong)radix)
            {
                return false;
            }

            n = n * (ulong)radix + (ulong)d;
        }

        if (underscores && !UnderscoreOk(s))
        {
            return false;
        }

        value = n;
        return true;
    }

    /// <summary>strconv.ParseInt(s, 0, 64).</summary>
    public static bool TryParseInt(string s, out long value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return false;
        }

        var neg = false;
        var body = s;
        if (s[0] is '+' or '-')
        {
            neg = s[0] == '-';
            body = s[1..];
        }

        if (!TryParseUint(body, out var un))
        {
            return false;
        }

        if (!neg && un > long.MaxValue || neg && un > (ulong)long.MaxValue + 1)
        {
            return false;
        }

        value = neg ? unchecked(-(long)un) : (long)un;
        return true;
    }

    /// <summary>strconv.ParseFloat(s, 64): false for syntax errors and for values out of range.</summary>
    public static bool TryParseFloat(string s, out double value)
    {
        value = 0;
        var i = 0;
        var neg = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            neg = s[0] == '-';
            i = 1;
        }

        var rest = s.AsSpan(i);
        if (rest.Equals("inf", StringComparison.OrdinalIgnoreCase) || rest.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = neg ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (rest.Equals("nan", StringComparison.OrdinalIgnoreCase) && i == 0)
        {
            value = double.NaN;
            return true;
        }

        if (s.Contains('_') && !UnderscoreOk(s))
        {
            return false;
        }

        var clean = s.Replace("_", "", StringComparison.Ordinal);
        var body = clean.AsSpan(i);
        if (body.Length >= 2 && body[0] == '0' && Lower(body[1]) == 'x')
        {
            if (!TryParseHexFloat(body[2..], out var hv))
            {
                return false;
            }

            value = neg ? -hv : hv;
            return !double.IsInfinity(hv);
        }

        // Validate Go's decimal syntax ourselves: digits, optional '.', digits, optional exponent.
        var j = 0;
        var sawDigits = false;
        while (j < body.Length && char.IsAsciiDigit(body[j]))
        {
            j++;
            sawDigits = true;
        }

        if (j < body.Length && body[j] == '.')
        {
            j++;
            while (j < body.Length && char.IsAsciiDigit(body[j]))
            {
                j++;
                sawDigits = true;
            }
        }

        if (!sawDigits)
        {
            return false;
        }

        if (j < body.Length && Lower(body[j]) == 'e')
        {
            j++;
            if (j < body.Length && body[j] is '+' or '-')
            {
                j++;
            }

            var expDigits = false;
            while (j < body.Length && char.IsAsciiDigit(body[j]))
            {
                j++;
                expDigits = true;
            }

            if (!expDigits)
            {
                return false;
            }
        }

        if (j != body.Length)
        {
            return false;
        }

        if (!double.TryParse(body, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var v))
        {
            return false;
        }

        if (double.IsInfinity(v))
        {
            return false;
        }

        value = neg ? -v : v;
        return true;
    }

    private static bool TryParseHexFloat(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        BigInteger mant = BigInteger.Zero;
        var fracDigits = 0;
        var sawDot = false;
        var sawDigits = false;
        var i = 0;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '.')
            {
                if (sawDot)
                {
                    return false;
                }

                sawDot = true;
                continue;
            }

            var d = LowerHex.IndexOf(Lower(c));
            if (!char.IsAsciiHexDigit(c) || d < 0)
            {
                break;
            }

            sawDigits = true;
            mant = mant * 16 + d;
            if (sawDot)
            {
                fracDigits++;
            }
        }

        // A hexadecimal mantissa requires a 'p' exponent.
        if (!sawDigits || i >= s.Length || Lower(s[i]) != 'p')
        {
            return false;
        }

        i++;
        var expNeg = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            expNeg = s[i] == '-';
            i++;
        }

        if (i >= s.Length)
        {
            return false;
        }

        var exp = 0;
        for (; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            exp = Math.Min(exp * 10 + (s[i] - '0'), 100_000);
        }

        var e2 = (expNeg ? -exp : exp) - 4 * fracDigits;
        value = ScaleExact(mant, e2);
        return true;
    }

    /// <summary>Rounds mant × 2^e2 to the nearest double, ties to even.</summary>
    private static double ScaleExact(BigInteger mant, int e2)
    {
        if (mant.IsZero)
        {
            return 0;
        }

        var bits = (int)mant.GetBitLength();
        // Keep 54+ significant bits plus a sticky bit, then let the conversion below round once.
        var excess = bits - 64;
        if (excess > 0)
        {
            var sticky = !(mant & ((BigInteger.One << excess) - 1)).IsZero;
            mant >>= excess;
            if (sticky)
            {
                mant |= 1;
            }

            e2 += excess;
        }

        var m = (ulong)mant;
        var top = 64 - BitOperations.LeadingZeroCount(m);
        var exponent = e2 + top - 1;
        int keep;
        if (exponent >= -1022)
        {
            keep = 53;
        }
        else
        {
            keep = 53 - (-1022 - exponent);
            if (keep <= 0)
            {
                keep = 0;
            }
        }

        var drop = top - keep;
        if (drop > 0)
        {
            var half = 1UL << (drop - 1);
            var rem = drop >= 64 ? m : m & ((1UL << drop) - 1);
            var kept = drop >= 64 ? 0 : m >> drop;
            if (rem > half || rem == half && (kept & 1) == 1)
            {
                kept++;
            }

            m = kept;
            e2 += drop;
        }

        return Math.ScaleB(m, e2);
    }

    // ---- Quoting ----

    /// <summary>unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    public static bool IsPrint(int r)
    {
        if (r <= 0xFF)
        {
            return r is >= 0x20 and <= 0x7E || r is >= 0xA1 and <= 0xFF && r != 0xAD;
        }

        if (!Rune.IsValid(r))
        {
            return false;
        }

        switch (Rune.GetUnicodeCategory(new Rune(r)))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.SpacingCombiningMark:
            case UnicodeCategory.EnclosingMark:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.OtherNumber:
            case UnicodeCategory.ConnectorPunctuation:
            case UnicodeCategory.DashPunctuation:
            case UnicodeCategory.OpenPunctuation:
            case UnicodeCategory.ClosePunctuation:
            case UnicodeCategory.InitialQuotePunctuation:
            case UnicodeCategory.FinalQuotePunctuation:
            case UnicodeCategory.OtherPunctuation:
            case UnicodeCategory.MathSymbol:
            case UnicodeCategory.CurrencySymbol:
            case UnicodeCategory.ModifierSymbol:
            case UnicodeCategory.OtherSymbol:
                return true;
            default:
                return false;
        }
    }

    /// <summary>Reads one code point; a lone surrogate reads as U+FFFD, as Go sees such text after UTF-8 encoding.</summary>
    public static int NextRune(string s, int i, out int width)
    {
        var c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(c, s[i + 1]);
        }

        width = 1;
        return char.IsSurrogate(c) ? 0xFFFD : c;
    }

    public static string Quote(string s) => QuoteWith(s, '"', asciiOnly: false);

    public static string QuoteToAscii(string s) => QuoteWith(s, '"', asciiOnly: true);

    public static string QuoteWith(string s, char quote, bool asciiOnly)
    {
        var sb = new StringBuilder(s.Length + 2);
        AppendQuoted(sb, s, quote, asciiOnly);
        return sb.ToString();
    }

    public static void AppendQuoted(StringBuilder sb, string s, char quote, bool asciiOnly)
    {
        sb.Append(quote);
        for (var i = 0; i < s.Length;)
        {
            var r = NextRune(s, i, out var w);
            i += w;
            AppendEscapedRune(sb, r, quote, asciiOnly);
        }

        sb.Append(quote);
    }

    public static void AppendQuotedRune(StringBuilder sb, int r, bool asciiOnly)
    {
        if (!Rune.IsValid(r))
        {
            r = 0xFFFD;
        }

        sb.Append('\'');
        AppendEscapedRune(sb, r, '\'', asciiOnly);
        sb.Append('\'');
    }

    private static void AppendRune(StringBuilder sb, int r)
    {
        if (r < 0x10000)
        {
            sb.Append((char)r);
        }
        else
        {
            sb.Append(char.ConvertFromUtf32(r));
        }
    }

    private static void AppendEscapedRune(StringBuilder sb, int r, char quote, bool asciiOnly)
    {
        if (r == quote || r == '\\')
        {
            sb.Append('\\');
            AppendRune(sb, r);
            return;
        }

        if (asciiOnly ? r < 0x80 && IsPrint(r) : IsPrint(r))
        {
            AppendRune(sb, r);
            return;
        }

        switch (r)
        {
            case '\a': sb.Append("\\a"); return;
            case '\b': sb.Append("\\b"); return;
            case '\f': sb.Append("\\f"); return;
            case '\n': sb.Append("\\n"); return;
            case '\r': sb.Append("\\r"); return;
            case '\t': sb.Append("\\t"); return;
            case '\v': sb.Append("\\v"); return;
        }

        if (r < ' ' || r == 0x7F)
        {
            sb.Append("\\x").Append(LowerHex[r >> 4]).Append(LowerHex[r & 0xF]);
        }
        else if (r < 0x10000)
        {
            sb.Append("\\u");
            for (var s = 12; s >= 0; s -= 4)
            {
                sb.Append(LowerHex[(r >> s) & 0xF]);
            }
        }
        else
        {
            sb.Append("\\U");
            for (var s = 28; s >= 0; s -= 4)
            {
                sb.Append(LowerHex[(r >> s) & 0xF]);
            }
        }
    }

    /// <summary>strconv.CanBackquote.</summary>
    public static bool CanBackquote(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
                continue;
            }

            if (c == '`' || c == '\uFEFF' || c < ' ' && c != '\t' || c == 0x7F || char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>strconv.Unquote for "..." and `...` literals.</summary>
    public static bool TryUnquote(string s, out string result)
    {
        result = "";
        if (s.Length < 2)
        {
            return false;
        }

        var quote = s[0];
        if (quote != s[^1])
        {
            return false;
        }

        var body = s[1..^1];
        if (quote == '`')
        {
            if (body.Contains('`'))
            {
                return false;
            }

            // Carriage returns are discarded from raw strings.
            result = body.Contains('\r') ? body.Replace("\r", "", StringComparison.Ordinal) : body;
            return true;
        }

        if (quote != '"' && quote != '\'')
        {
            return false;
        }

        if (body.Contains('\n'))
        {
            return false;
        }

        if (!body.Contains('\\') && !body.Contains(quote))
        {
            if (quote == '"')
            {
                result = body;
                return true;
            }
        }

        var sb = new StringBuilder(body.Length);
        var rest = body;
        var runes = 0;
        while (rest.Length > 0)
        {
            if (!TryUnquoteChar(rest, quote, out var r, out var multibyte, out var tail))
            {
                return false;
            }

            rest = tail;
            if (r < 0x80 || !multibyte)
            {
                sb.Append((char)r);
            }
            else
            {
                AppendRune(sb, r);
            }

            runes++;
            if (quote == '\'' && rest.Length != 0)
            {
                return false;
            }
        }

        if (quote == '\'' && runes != 1)
        {
            return false;
        }

        result = sb.ToString();
        return true;
    }

    /// <summary>
    /// strconv.UnquoteChar: decodes the first character or escape of s. Byte escapes (\x, octal) above 0x7F yield a
    /// raw byte in Go; here they become the code point of that byte value, the closest a string can get.
    /// </summary>
    public static bool TryUnquoteChar(string s, char quote, out int value, out bool multibyte, out string tail)
    {
        value = 0;
        multibyte = false;
        tail = "";
        if (s.Length == 0)
        {
            return false;
        }

        var c = s[0];
        if (c == quote && (quote == '\'' || quote == '"'))
        {
            return false;
        }

        if (c != '\\')
        {
            value = NextRune(s, 0, out var w);
            multibyte = value >= 0x80;
            tail = s[w..];
            return true;
        }

        if (s.Length <= 1)
        {
            return false;
        }

        var e = s[1];
        var rest = s[2..];
        switch (e)
        {
            case 'a': value = '\a'; break;
            case 'b': value = '\b'; break;
            case 'f': value = '\f'; break;
            case 'n': value = '\n'; break;
            case 'r': value = '\r'; break;
            case 't': value = '\t'; break;
            case 'v': value = '\v'; break;
            case 'x':
            case 'u':
            case 'U':
            {
                var n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                if (rest.Length < n)
                {
                    return false;
                }

                var v = 0;
                for (var j = 0; j < n; j++)
                {
                    var d = LowerHex.IndexOf(Lower(rest[j]));
                    if (!char.IsAsciiHexDigit(rest[j]))
                    {
                        return false;
                    }

                    v = (v << 4) | d;
                }

                rest = rest[n..];
                if (e == 'x')
                {
                    value = v;
                    break;
                }

                if (!Rune.IsValid(v))
                {
                    return false;
                }

                value = v;
                multibyte = true;
                break;
            }

            case >= '0' and <= '7':
            {
                var v = e - '0';
                if (rest.Length < 2)
                {
                    return false;
                }

                for (var j = 0; j < 2; j++)
                {
                    var x = rest[j] - '0';
                    if (x is < 0 or > 7)
                    {
                        return false;
                    }

                    v = (v << 3) | x;
                }

                rest = rest[2..];
                if (v > 255)
                {
                    return false;
                }

                value = v;
                break;
            }

            case '\\':
                value = '\\';
                break;
            case '\'':
            case '"':
                if (e != quote)
                {
                    return false;
                }

                value = e;
                break;
            default:
                return false;
        }

        tail = rest;
        return true;
    }
}
