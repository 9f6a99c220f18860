using System.Globalization;

namespace Keelson.Templating.Dates;

/// <summary>
/// Go's <c>time.Duration</c> (an int64 of nanoseconds) as a template value, with its String form
/// (<see cref="Format(long)"/>) and <c>time.ParseDuration</c> (<see cref="TryParse(string, out long, out string)"/>):
/// the one Go-duration reader and writer for templates, Helm's duration functions and Application specs.
/// </summary>
public sealed class GoDuration(long nanoseconds) : IGoScalar
{
    internal const long Nanosecond = 1;
    internal const long Microsecond = 1000;
    internal const long Millisecond = 1000_000;
    internal const long Second = 1000_000_000;
    internal const long Minute = 60 * Second;
    internal const long Hour = 60 * Minute;

    /// <summary>The Go type <c>time.Duration</c>, with its String, Hours ... Nanoseconds methods.</summary>
    public static readonly GoType Type = new GoTypeBuilder("time.Duration", GoType.Int64)
        .Method("String", new GoSignature([], GoType.String), static (r, _, _) => Format(((GoDuration)r).Nanoseconds))
        .Method("Hours", new GoSignature([], GoType.Float64), static (r, _, _) => Split(((GoDuration)r).Nanoseconds, Hour))
        .Method("Minutes", new GoSignature([], GoType.Float64), static (r, _, _) => Split(((GoDuration)r).Nanoseconds, Minute))
        .Method("Seconds", new GoSignature([], GoType.Float64), static (r, _, _) => Split(((GoDuration)r).Nanoseconds, Second))
        .Method("Milliseconds", new GoSignature([], GoType.Int64), static (r, _, _) => ((GoDuration)r).Nanoseconds / Millisecond)
        .Method("Microseconds", new GoSignature([], GoType.Int64), static (r, _, _) => ((GoDuration)r).Nanoseconds / Microsecond)
        .Method("Nanoseconds", new GoSignature([], GoType.Int64), static (r, _, _) => ((GoDuration)r).Nanoseconds)
        .Build();

    /// <summary>The duration in nanoseconds.</summary>
    public long Nanoseconds { get; } = nanoseconds;

    public GoType GoType => Type;

    public long Int64Value => Nanoseconds;

    public override string ToString() => Format(Nanoseconds);

    /// <summary>The nanoseconds of a Duration argument, whichever CLR shape the engine gave it.</summary>
    internal static long From(object? value) => value switch
    {
        GoDuration d => d.Nanoseconds,
        IGoScalar s => s.Int64Value,
        long l => l,
        nint n => n,
        int i => i,
        _ => throw new InvalidCastException($"{GoValues.TypeName(value)} is not a time.Duration"),
    };

    /// <summary>Go's Duration.String of a <see cref="TimeSpan"/> (whole ticks, so at most 100ns precision).</summary>
    public static string Format(TimeSpan value) => Format(unchecked(value.Ticks * 100));

    /// <summary>Duration.String: "1h2m3.5s", "1.5ms", "0s".</summary>
    public static string Format(long d)
    {
        var buf = new char[32];
        var w = buf.Length;
        var u = (ulong)d;
        var neg = d < 0;
        if (neg)
        {
            u = 0 - u;
        }

        if (u < Second)
        {
            int prec;
            buf[--w] = 's';
            w--;
            if (u == 0)
            {
                buf[w] = '0';
                return new string(buf, w, buf.Length - w);
            }

            if (u < Microsecond)
            {
                prec = 0;
                buf[w] = 'n';
            }
            else if (u < Millisecond)
            {
                prec = 3;
                buf[w] = 'µ';
            }
            else
            {
                prec = 6;
                buf[w] = 'm';
            }

            (w, u) = FormatFraction(buf, w, u, prec);
            w = FormatInt(buf, w, u);
        }
        else
        {
            buf[--w] = 's';
            (w, u) = FormatFraction(buf, w, u, 9);
            w = FormatInt(buf, w, u % 60);
            u /= 60;
            if (u > 0)
            {
                buf[--w] = 'm';
                w = FormatInt(buf, w, u % 60);
                u /= 60;
                if (u > 0)
                {
                    buf[--w] = 'h';
                    w = FormatInt(buf, w, u);
                }
            }
        }

        if (neg)
        {
            buf[--w] = '-';
        }

        return new string(buf, w, buf.Length - w);
    }

    private static (int, ulong) FormatFraction(char[] buf, int w, ulong v, int prec)
    {
        var print = false;
        for (var i = 0; i < prec; i++)
        {
            var digit = v % 10;
            print = print || digit != 0;
            if (print)
            {
                buf[--w] = (char)('0' + digit);
            }

            v /= 10;
        }

        if (print)
        {
            buf[--w] = '.';
        }

        return (w, v);
    }

    private static int FormatInt(char[] buf, int w, ulong v)
    {
        if (v == 0)
        {
            buf[--w] = '0';
            return w;
        }

        while (v > 0)
        {
            buf[--w] = (char)('0' + v % 10);
            v /= 10;
        }

        return w;
    }

    // Go splits into whole and fractional parts so large durations keep their precision.
    private static double Split(long d, long unit)
    {
        var whole = d / unit;
        var frac = d % unit;
        return whole + (double)frac / unit;
    }

    /// <summary>time.ParseDuration into a <see cref="TimeSpan"/>, truncated to whole ticks (100ns).</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        var ok = TryParse(text, out var ns, out _);
        value = ok ? TimeSpan.FromTicks(ns / 100) : TimeSpan.Zero;
        return ok;
    }

    /// <summary>
    /// time.ParseDuration: "300ms", "-1.5h", "2h45m"; units ns, us (µs, μs), ms, s, m, h. On failure
    /// <paramref name="error"/> holds Go's message (e.g. <c>time: invalid duration "5x"</c>).
    /// </summary>
    public static bool TryParse(string text, out long duration, out string error)
    {
        duration = 0;
        error = "";
        var s = text.AsSpan();
        ulong d = 0;
        var neg = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            neg = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        var invalid = "time: invalid duration " + GoTimeFormat.Quote(text);
        if (s.Length == 0)
        {
            error = invalid;
            return false;
        }

        while (s.Length > 0)
        {
            ulong f = 0;
            double scale = 1;
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                error = invalid;
                return false;
            }

            var before = s.Length;
            if (!TryLeadingInt(ref s, out var v))
            {
                error = invalid;
                return false;
            }

            var pre = before != s.Length;
            var post = false;
            if (s.Length > 0 && s[0] == '.')
            {
                s = s[1..];
                var len = s.Length;
                LeadingFraction(ref s, out f, out scale);
                post = len != s.Length;
            }

            if (!pre && !post)
            {
                error = invalid;
                return false;
            }

            var i = 0;
            while (i < s.Length && s[i] != '.' && !char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == 0)
            {
                error = "time: missing unit in duration " + GoTimeFormat.Quote(text);
                return false;
            }

            var unitText = s[..i].ToString();
            s = s[i..];
            ulong unit = unitText switch
            {
                "ns" => Nanosecond,
                "us" or "µs" or "μs" => Microsecond,
                "ms" => Millisecond,
                "s" => Second,
                "m" => Minute,
                "h" => Hour,
                _ => 0,
            };
            if (unit == 0)
            {
                error = "time: unknown unit " + GoTimeFormat.Quote(unitText) + " in duration " + GoTimeFormat.Quote(text);
                return false;
            }

            if (v > (1UL << 63) / unit)
            {
                error = invalid;
                return false;
            }

            v *= unit;
            if (f > 0)
            {
                v += (ulong)(f * (unit / scale));
                if (v > 1UL << 63)
                {
                    error = invalid;
                    return false;
                }
            }

            d += v;
            if (d > 1UL << 63)
            {
                error = invalid;
                return false;
            }
        }

        if (neg)
        {
            duration = -(long)d;
            return true;
        }

        if (d > long.MaxValue)
        {
            error = invalid;
            return false;
        }

        duration = (long)d;
        return true;
    }

    private static bool TryLeadingInt(ref ReadOnlySpan<char> s, out ulong x)
    {
        x = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (x > (1UL << 63) / 10)
            {
                return false;
            }

            x = x * 10 + (ulong)(s[i] - '0');
            if (x > 1UL << 63)
            {
                return false;
            }
        }

        s = s[i..];
        return true;
    }

    private static void LeadingFraction(ref ReadOnlySpan<char> s, out ulong x, out double scale)
    {
        x = 0;
        scale = 1;
        var overflow = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflow)
            {
                continue;
            }

            if (x > (ulong)long.MaxValue / 10)
            {
                overflow = true;
                continue;
            }

            var y = x * 10 + (ulong)(s[i] - '0');
            if (y > 1UL << 63)
            {
                overflow = true;
                continue;
            }

            x = y;
            scale *= 10;
        }

        s = s[i..];
    }
}

/// <summary>Go's time.Month and time.Weekday: named ints that print as names.</summary>
internal sealed class GoNamedInt(GoType type, long value) : IGoScalar
{
    private static readonly string[] MonthNames =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    public static readonly GoType MonthType = new GoTypeBuilder("time.Month", GoType.Int)
        .Method("String", new GoSignature([], GoType.String), static (r, _, _) => MonthName(((GoNamedInt)r).Value))
        .Build();

    public static readonly GoType WeekdayType = new GoTypeBuilder("time.Weekday", GoType.Int)
        .Method("String", new GoSignature([], GoType.String), static (r, _, _) => DayName(((GoNamedInt)r).Value))
        .Build();

    public long Value { get; } = value;

    public GoType GoType { get; } = type;

    public long Int64Value => Value;

    public static string MonthName(long m) =>
        m is >= 1 and <= 12 ? MonthNames[m - 1] : "%!Month(" + m.ToString(CultureInfo.InvariantCulture) + ")";

    public static string DayName(long d) =>
        d is >= 0 and <= 6 ? DayNames[d] : "%!Weekday(" + d.ToString(CultureInfo.InvariantCulture) + ")";

    public override string ToString() => ReferenceEquals(GoType, MonthType) ? MonthName(Value) : DayName(Value);
}
