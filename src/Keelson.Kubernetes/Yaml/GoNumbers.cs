using System.Globalization;

namespace Keelson.Kubernetes.Yaml;

/// <summary>
/// The parts of Go's strconv (and encoding/json's float output) that go-yaml v2 and sigs.k8s.io/yaml rely on, with
/// Go's exact acceptance rules and output text.
/// </summary>
internal static class GoNumbers
{
    /// <summary>strconv.ParseUint(s, base, 64) without underscores (callers strip them first, as go-yaml does).</summary>
    public static bool TryParseUint(ReadOnlySpan<char> s, int numberBase, out ulong value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        if (numberBase == 0)
        {
            numberBase = 10;
            if (s[0] == '0')
            {
                var prefix = s.Length >= 3 ? (char)(s[1] | 0x20) : '\0';
                switch (prefix)
                {
                    case 'b':
                        numberBase = 2;
                        s = s[2..];
                        break;
                    case 'o':
                        numberBase = 8;
                        s = s[2..];
                        break;
                    case 'x':
                        numberBase = 16;
                        s = s[2..];
                        break;
                    default:
                        numberBase = 8;
                        s = s[1..];
                        break;
                }
            }
        }

        var cutoff = (ulong.MaxValue / (ulong)numberBase) + 1;
        ulong n = 0;
        foreach (var c in s)
        {
            int d;
            if (c is >= '0' and <= '9')
            {
                d = c - '0';
            }
            else if (c is >= 'a' and <= 'z')
            {
                d = c - 'a' + 10;
            }
            else if (c is >= 'A' and <= 'Z')
            {
                d = c - 'A' + 10;
            }
            else
            {
                return false;
            }

            if (d >= numberBase || n >= cutoff)
            {
                return false;
            }

            n *= (ulong)numberBase;
            var next = n + (ulong)d;
            if (next < n)
            {
                return false;
            }

            n = next;
        }

        value = n;
        return true;
    }

    /// <summary>strconv.ParseInt(s, base, 64): an optional sign, then <see cref="TryParseUint"/>.</summary>
    public static bool TryParseInt(ReadOnlySpan<char> s, int numberBase, out long value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        var negative = false;
        if (s[0] == '+')
        {
            s = s[1..];
        }
        else if (s[0] == '-')
        {
            negative = true;
            s = s[1..];
        }

        if (!TryParseUint(s, numberBase, out var magnitude))
        {
            return false;
        }

        const ulong cutoff = 1UL << 63;
        if (!negative && magnitude >= cutoff || negative && magnitude > cutoff)
        {
            return false;
        }

        value = negative ? unchecked(-(long)magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>go-yaml v2's yamlStyleFloat: <c>^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$</c>.</summary>
    public static bool IsYamlStyleFloat(ReadOnlySpan<char> s)
    {
        var i = 0;
        if (i < s.Length && s[i] is '+' or '-')
        {
            i++;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }
        else
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }

            if (i < s.Length && s[i] == '.')
            {
                i++;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }
            }
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            if (i < s.Length && s[i] is '+' or '-')
            {
                i++;
            }

            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        return i == s.Length;
    }

    /// <summary>
    /// strconv.ParseFloat(s, 64) for decimal text the caller has already validated. Go reports overflow as an error
    /// (go-yaml then keeps the text as a string); underflow quietly gives zero, as here.
    /// </summary>
    public static bool TryParseDecimalFloat(ReadOnlySpan<char> s, out double value)
    {
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        return !double.IsInfinity(value);
    }

    /// <summary>strconv.FormatFloat(f, 'g', -1, 64 or 32), with go-yaml's spellings of infinities and NaN.</summary>
    public static string FormatYamlFloat(double f, bool single = false)
    {
        if (single)
        {
            f = (float)f;
        }

        if (double.IsNaN(f))
        {
            return ".nan";
        }

        if (double.IsInfinity(f))
        {
            return f > 0 ? ".inf" : "-.inf";
        }

        Span<char> digits = stackalloc char[32];
        var (negative, count, point) = Shortest(f, single, digits);
        digits = digits[..count];
        var exponent = point - 1;
        Span<char> buffer = stackalloc char[64];
        var written = exponent < -4 || exponent >= 6
            ? FormatE(buffer, negative, digits, point, count - 1)
            : FormatF(buffer, negative, digits, point, Math.Max(count - point, 0));
        return new string(buffer[..written]);
    }

    /// <summary>How encoding/json writes a float64 (ES6-like cut-offs, "e-7" rather than "e-07").</summary>
    public static string FormatJsonFloat(double f)
    {
        Span<char> digits = stackalloc char[32];
        var (negative, count, point) = Shortest(f, single: false, digits);
        digits = digits[..count];
        var abs = Math.Abs(f);
        Span<char> buffer = stackalloc char[64];
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21))
        {
            var written = FormatE(buffer, negative, digits, point, Math.Max(count - 1, 0));
            if (written >= 4 && buffer[written - 4] == 'e' && buffer[written - 3] == '-' && buffer[written - 2] == '0')
            {
                buffer[written - 2] = buffer[written - 1];
                written--;
            }

            return new string(buffer[..written]);
        }

        return new string(buffer[..FormatF(buffer, negative, digits, point, Math.Max(count - point, 0))]);
    }

    /// <summary>
    /// The shortest decimal digits that round-trip <paramref name="f"/> (as Go's and .NET's shortest formatting both
    /// produce), without leading or trailing zeros; <c>point</c> is where the decimal point goes (Go's "dp").
    /// </summary>
    private static (bool Negative, int Count, int Point) Shortest(double f, bool single, Span<char> digits)
    {
        Span<char> text = stackalloc char[40];
        int length;
        var ok = single
            ? ((float)f).TryFormat(text, out length, "R", CultureInfo.InvariantCulture)
            : f.TryFormat(text, out length, "R", CultureInfo.InvariantCulture);
        if (!ok)
        {
            throw new InvalidOperationException("float formatting needed more room than expected");
        }

        text = text[..length];
        var negative = text[0] == '-';
        if (negative)
        {
            text = text[1..];
        }

        var exponent = 0;
        var e = text.IndexOfAny('E', 'e');
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var count = 0;
        var point = 0;
        var seenPoint = false;
        var leading = true;
        foreach (var c in text)
        {
            if (c == '.')
            {
                seenPoint = true;
                continue;
            }

            if (leading && c == '0')
            {
                if (seenPoint)
                {
                    point--;
                }

                continue;
            }

            leading = false;
            digits[count++] = c;
            if (!seenPoint)
            {
                point++;
            }
        }

        while (count > 0 && digits[count - 1] == '0')
        {
            count--;
        }

        if (count == 0)
        {
            return (negative, 0, 0);
        }

        return (negative, count, point + exponent);
    }

    private static int FormatE(Span<char> buffer, bool negative, ReadOnlySpan<char> digits, int point, int precision)
    {
        var n = 0;
        if (negative)
        {
            buffer[n++] = '-';
        }

        buffer[n++] = digits.Length == 0 ? '0' : digits[0];
        if (precision > 0)
        {
            buffer[n++] = '.';
            for (var i = 1; i <= precision; i++)
            {
                buffer[n++] = i < digits.Length ? digits[i] : '0';
            }
        }

        buffer[n++] = 'e';
        var exponent = digits.Length == 0 ? 0 : point - 1;
        buffer[n++] = exponent < 0 ? '-' : '+';
        exponent = Math.Abs(exponent);
        if (exponent >= 100)
        {
            buffer[n++] = (char)('0' + (exponent / 100));
        }

        buffer[n++] = (char)('0' + (exponent / 10 % 10));
        buffer[n++] = (char)('0' + (exponent % 10));
        return n;
    }

    private static int FormatF(Span<char> buffer, bool negative, ReadOnlySpan<char> digits, int point, int precision)
    {
        var n = 0;
        if (negative)
        {
            buffer[n++] = '-';
        }

        if (point > 0)
        {
            var m = Math.Min(digits.Length, point);
            digits[..m].CopyTo(buffer[n..]);
            n += m;
            for (; m < point; m++)
            {
                buffer[n++] = '0';
            }
        }
        else
        {
            buffer[n++] = '0';
        }

        if (precision > 0)
        {
            buffer[n++] = '.';
            for (var i = 1; i <= precision; i++)
            {
                var j = point + i - 1;
                buffer[n++] = j >= 0 && j < digits.Length ? digits[j] : '0';
            }
        }

        return n;
    }
}
