using System.Collections;
using System.Text;

namespace Keelson.Templating;

/// <summary>
/// Sprig's conversions: toString (Sprig's strval), atoi (strconv.Atoi, errors ignored), int/int64/float64
/// (spf13/cast: numbers, numeric strings, bools, nil; anything else is 0), toDecimal, toStrings, and the integer
/// sequences seq, until and untilStep.
/// </summary>
internal static class SprigConversions
{
    private static readonly GoType X = GoType.Interface;
    private static readonly GoType I = GoType.Int;

    public static void Add(List<GoFunction> f)
    {
        f.Add(Fn.Of("toString", GoType.String, [X], static (ctx, a) => Strval(a[0], ctx)));
        f.Add(Fn.Of("atoi", I, [GoType.String], static (_, a) => (nint)Atoi(Fn.Str(a[0]))));
        f.Add(Fn.Of("int64", GoType.Int64, [X], static (_, a) => Cast.ToInt64(a[0])));
        f.Add(Fn.Of("int", I, [X], static (_, a) => (nint)Cast.ToInt64(a[0])));
        f.Add(Fn.Of("float64", GoType.Float64, [X], static (_, a) => Cast.ToFloat64(a[0])));
        f.Add(Fn.Of("toDecimal", GoType.Int64, [X], static (ctx, a) => ToDecimal(a[0], ctx)));
        f.Add(Fn.Of("toStrings", GoType.SliceOfString, [X], static (ctx, a) => ToStrings(a[0], ctx)));
        f.Add(Fn.Variadic("seq", GoType.String, [GoType.SliceOfInt], static (_, a) => Seq(a)));
        f.Add(Fn.Of("until", GoType.SliceOfInt, [I], static (_, a) =>
        {
            var count = Fn.Int(a[0]);
            return UntilStep(0, count, count < 0 ? -1 : 1);
        }));
        f.Add(Fn.Of("untilStep", GoType.SliceOfInt, [I, I, I], static (_, a) => UntilStep(Fn.Int(a[0]), Fn.Int(a[1]), Fn.Int(a[2]))));
    }

    /// <summary>Sprig's strval: strings as they are, []byte as text, errors and Stringers by their method, else %v.</summary>
    public static string Strval(object? v, FunctionContext ctx)
    {
        switch (v)
        {
            case string s:
                return s;
            case byte[] b:
                return GoText.FromUtf8(b);
        }

        var sb = new StringBuilder();
        SprigStrings.AppendValue(sb, v, ctx);
        return sb.ToString();
    }

    /// <summary>
    /// Sprig's strslice: a []string as is (a nil one stays nil); other slices element by element (nils dropped);
    /// nil → []; a scalar → [strval].
    /// </summary>
    public static IList<string>? ToStrings(object? v, FunctionContext ctx)
    {
        switch (v)
        {
            case List<string> or string[]:
                return (IList<string>)v;
            case null:
                return [];
            case GoTypedNil n when n.GoType.IdenticalTo(GoType.SliceOfString):
                return null;
        }

        var kind = GoValues.KindOf(v);
        if (kind is GoKind.Slice or GoKind.Array)
        {
            if (v is GoTypedNil)
            {
                return [];
            }

            var list = (IList)v;
            var result = new List<string>(list.Count);
            foreach (var item in list)
            {
                if (item is not null)
                {
                    result.Add(Strval(item, ctx));
                }
            }

            return result;
        }

        return [Strval(v, ctx)];
    }

    /// <summary>strconv.Atoi with the error dropped: 0 for bad syntax, the clamped value when out of range.</summary>
    public static long Atoi(string s)
    {
        ParseInt(s, 10, out var value);
        return value;
    }

    /// <summary>toDecimal: fmt.Sprint(v) read as an octal number (strconv.ParseInt(s, 8, 64)); 0 on any error.</summary>
    private static long ToDecimal(object? v, FunctionContext ctx)
    {
        // fmt.Sprint prints a []byte as numbers, unlike strval.
        var text = v is byte[] ? GoFmt.Format(v) : Strval(v, ctx);
        return ParseInt(text, 8, out var value) == ParseResult.Ok ? value : 0;
    }

    public enum ParseResult
    {
        Ok,
        Syntax,
        Range,
    }

    /// <summary>strconv.ParseInt(s, base, 64) for base 8 or 10 (no prefixes, no underscores); out of range gives the clamped value.</summary>
    public static ParseResult ParseInt(string s, int radix, out long value)
    {
        value = 0;
        var i = 0;
        var neg = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            neg = s[0] == '-';
            i = 1;
        }

        if (i == s.Length)
        {
            return ParseResult.Syntax;
        }

        ulong n = 0;
        var overflow = false;
        for (; i < s.Length; i++)
        {
            var d = s[i] - '0';
            if (d < 0 || d >= radix)
            {
                value = 0;
                return ParseResult.Syntax;
            }

            if (!overflow)
            {
                if (n > (ulong.MaxValue - (ulong)d) / (ulong)radix)
                {
                    overflow = true;
                }
                else
                {
                    n = n * (ulong)radix + (ulong)d;
                }
            }
        }

        var limit = neg ? (ulong)long.MaxValue + 1 : long.MaxValue;
        if (overflow || n > limit)
        {
            value = neg ? long.MinValue : long.MaxValue;
            return ParseResult.Range;
        }

        value = neg ? unchecked(-(long)n) : (long)n;
        return ParseResult.Ok;
    }

    /// <summary>untilStep: start, start+step, ... while before stop (counting down for a negative step when stop &lt; start).</summary>
    public static List<nint> UntilStep(nint start, nint stop, nint step)
    {
        if (stop < start ? step >= 0 : step <= 0)
        {
            return [];
        }

        var count = ((Int128)stop - start + step + (step > 0 ? -1 : 1)) / step;
        if (count > 100_000_000)
        {
            throw new SprigException($"untilStep: {count} elements are too many");
        }

        var v = new List<nint>((int)count);
        var x = start;
        for (var k = 0; k < (int)count; k++, x += step)
        {
            v.Add(x);
        }

        return v;
    }

    /// <summary>seq: 1..end, start..end or start..end by step, as a space-separated string; anything else is empty.</summary>
    private static string Seq(ReadOnlySpan<object?> args)
    {
        List<nint> values;
        switch (args.Length)
        {
            case 1:
            {
                nint start = 1;
                var end = Fn.Int(args[0]);
                nint inc = end < start ? -1 : 1;
                values = UntilStep(start, end + inc, inc);
                break;
            }

            case 2:
            {
                var start = Fn.Int(args[0]);
                var end = Fn.Int(args[1]);
                nint step = end < start ? -1 : 1;
                values = UntilStep(start, end + step, step);
                break;
            }

            case 3:
            {
                var start = Fn.Int(args[0]);
                var step = Fn.Int(args[1]);
                var end = Fn.Int(args[2]);
                nint inc = 1;
                if (end < start)
                {
                    inc = -1;
                    if (step > 0)
                    {
                        return "";
                    }
                }

                values = UntilStep(start, end + inc, step);
                break;
            }

            default:
                return "";
        }

        var sb = new StringBuilder(values.Count * 3);
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append((long)values[i]);
        }

        return sb.ToString();
    }
}

/// <summary>spf13/cast's ToInt64E, ToIntE and ToFloat64E with the errors dropped (Sprig ignores them): failures are 0.</summary>
internal static class Cast
{
    public static long ToInt64(object? v)
    {
        switch (v)
        {
            case null:
                return 0;
            case nint n:
                return n;
            case long l:
                return l;
            case double d:
                return FloatToInt64(d);
            case string s:
                return Fmt.GoStrconv.TryParseInt(TrimZeroDecimal(s), out var parsed) ? parsed : 0;
            case bool b:
                return b ? 1 : 0;
            case int i:
                return i;
            case short sh:
                return sh;
            case sbyte sb:
                return sb;
            case nuint u:
                return unchecked((long)u);
            case ulong ul:
                return unchecked((long)ul);
            case uint ui:
                return ui;
            case ushort us:
                return us;
            case byte by:
                return by;
            case float f:
                return FloatToInt64(f);
            case IGoScalar g when IsWeekdayOrMonth(g):
                return g.Int64Value;
            default:
                return 0;
        }
    }

    public static double ToFloat64(object? v)
    {
        switch (v)
        {
            case null:
                return 0;
            case double d:
                return d;
            case nint n:
                return n;
            case long l:
                return l;
            case string s:
                return Fmt.GoStrconv.TryParseFloat(s, out var parsed) ? parsed : 0;
            case bool b:
                return b ? 1 : 0;
            case int i:
                return i;
            case short sh:
                return sh;
            case sbyte sb:
                return sb;
            case nuint u:
                return u;
            case ulong ul:
                return ul;
            case uint ui:
                return ui;
            case ushort us:
                return us;
            case byte by:
                return by;
            case float f:
                return f;
            case IGoScalar g when IsWeekdayOrMonth(g):
                return g.Int64Value;
            default:
                return 0;
        }
    }

    /// <summary>
    /// Go's int64(f) as amd64 computes it: truncation, and 0x8000000000000000 for NaN and anything out of range
    /// (.NET saturates instead).
    /// </summary>
    public static long FloatToInt64(double d) =>
        double.IsNaN(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0 ? long.MinValue : (long)d;

    /// <summary>cast's trimZeroDecimal: "12.000" → "12" (only zeros after the point).</summary>
    public static string TrimZeroDecimal(string s)
    {
        var foundZero = false;
        for (var i = s.Length; i > 0; i--)
        {
            switch (s[i - 1])
            {
                case '.':
                    if (foundZero)
                    {
                        return s[..(i - 1)];
                    }

                    break;
                case '0':
                    foundZero = true;
                    break;
                default:
                    return s;
            }
        }

        return s;
    }

    // cast converts time.Weekday and time.Month like int; other declared types are not numbers to it.
    private static bool IsWeekdayOrMonth(IGoScalar g) => g.GoType.Name is "time.Weekday" or "time.Month";
}
