using System.Globalization;
using System.Text;
using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>Go's time.Duration (nanoseconds as int64) with its String and ParseDuration, for Helm 4's duration helpers.</summary>
internal sealed class GoDuration : IGoScalar
{
    public static readonly GoType Type = new GoTypeBuilder("time.Duration", GoType.Int64)
        .Method("String", new GoSignature([], GoType.String), static (r, _, _) => ((GoDuration)r).ToString())
        .Method("Seconds", new GoSignature([], GoType.Float64), static (r, _, _) => ((GoDuration)r).Nanoseconds / 1e9)
        .Method("Minutes", new GoSignature([], GoType.Float64), static (r, _, _) => ((GoDuration)r).Nanoseconds / 6e10)
        .Method("Hours", new GoSignature([], GoType.Float64), static (r, _, _) => ((GoDuration)r).Nanoseconds / 3.6e12)
        .Method("Milliseconds", new GoSignature([], GoType.Int64), static (r, _, _) => ((GoDuration)r).Nanoseconds / 1_000_000)
        .Method("Microseconds", new GoSignature([], GoType.Int64), static (r, _, _) => ((GoDuration)r).Nanoseconds / 1_000)
        .Method("Nanoseconds", new GoSignature([], GoType.Int64), static (r, _, _) => ((GoDuration)r).Nanoseconds)
        .Build();

    private const long Second = 1_000_000_000;

    public GoDuration(long nanoseconds)
    {
        Nanoseconds = nanoseconds;
    }

    public long Nanoseconds { get; }

    public GoType GoType => Type;

    public long Int64Value => Nanoseconds;

    public override string ToString()
    {
        var u = (ulong)Nanoseconds;
        var neg = Nanoseconds < 0;
        if (neg)
        {
            u = (ulong)-Nanoseconds;
        }

        var sb = new StringBuilder();
        if (u < Second)
        {
            if (u == 0)
            {
                return "0s";
            }

            (int prec, string unit) = u switch
            {
                < 1_000 => (0, "ns"),
                < 1_000_000 => (3, "µs"),
                _ => (6, "ms"),
            };
            var (frac, whole) = Frac(u, prec);
            sb.Append(whole.ToString(CultureInfo.InvariantCulture)).Append(frac).Append(unit);
        }
        else
        {
            var (frac, secs) = Frac(u, 9);
            var s = secs % 60;
            var mins = secs / 60;
            var text = s.ToString(CultureInfo.InvariantCulture) + frac + "s";
            if (mins > 0)
            {
                var hours = mins / 60;
                text = (mins % 60).ToString(CultureInfo.InvariantCulture) + "m" + text;
                if (hours > 0)
                {
                    text = hours.ToString(CultureInfo.InvariantCulture) + "h" + text;
                }
            }

            sb.Append(text);
        }

        return neg ? "-" + sb : sb.ToString();
    }

    private static (string Frac, ulong Whole) Frac(ulong v, int prec)
    {
        var digits = new StringBuilder();
        var print = false;
        for (var i = 0; i < prec; i++)
        {
            var d = v % 10;
            print = print || d != 0;
            if (print)
            {
                digits.Insert(0, (char)('0' + (int)d));
            }

            v /= 10;
        }

        return (print ? "." + digits : "", v);
    }

    /// <summary>time.ParseDuration.</summary>
    public static bool TryParse(string s, out long nanoseconds)
    {
        nanoseconds = 0;
        var orig = s;
        var neg = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            neg = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        decimal total = 0;
        while (s.Length > 0)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            var num = s[..i];
            if (num.Length == 0 || num == "." || !decimal.TryParse(num, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            s = s[i..];
            var j = 0;
            while (j < s.Length && !(char.IsAsciiDigit(s[j]) || s[j] == '.'))
            {
                j++;
            }

            decimal unit = s[..j] switch
            {
                "ns" => 1,
                "us" or "µs" or "μs" => 1_000,
                "ms" => 1_000_000,
                "s" => Second,
                "m" => 60 * Second,
                "h" => 3600 * Second,
                _ => 0,
            };
            if (unit == 0)
            {
                return false;
            }

            s = s[j..];
            total += value * unit;
            if (total > long.MaxValue)
            {
                return false;
            }
        }

        nanoseconds = (long)decimal.Truncate(neg ? -total : total);
        return orig.Length > 0;
    }

    /// <summary>Helm 4's asDuration: durations, Go duration strings, numbers and numeric strings as seconds.</summary>
    private static long AsDuration(object? v)
    {
        switch (v)
        {
            case GoDuration d:
                return d.Nanoseconds;
            case string str:
            {
                var s = str.Trim();
                if (s.Length == 0)
                {
                    throw new InvalidOperationException("empty duration");
                }

                if (TryParse(s, out var ns))
                {
                    return ns;
                }

                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var f))
                {
                    return (long)(f * Second);
                }

                throw new InvalidOperationException($"could not parse duration \"{str}\"");
            }

            case null:
                throw new InvalidOperationException("invalid duration");
            case double f:
                return (long)(f * Second);
            case float f32:
                return (long)(f32 * Second);
        }

        var kind = GoValues.KindOf(v);
        if (kind is GoKind.Int or GoKind.Int8 or GoKind.Int16 or GoKind.Int32 or GoKind.Int64)
        {
            return v switch
            {
                nint n => n,
                long l => l,
                int i => i,
                short sh => sh,
                sbyte sb => sb,
                IGoScalar g => g.Int64Value,
                _ => 0,
            } * Second;
        }

        if (kind is GoKind.Uint or GoKind.Uint8 or GoKind.Uint16 or GoKind.Uint32 or GoKind.Uint64 or GoKind.Uintptr)
        {
            var u = v switch
            {
                nuint n => n,
                ulong l => l,
                uint i => i,
                ushort sh => sh,
                byte b => b,
                IGoScalar g => g.UInt64Value,
                _ => 0UL,
            };
            if (u > long.MaxValue)
            {
                throw new InvalidOperationException($"duration seconds overflow: {u}");
            }

            return (long)u * Second;
        }

        throw new InvalidOperationException("unsupported duration type " + GoValues.TypeName(v));
    }

    private static long OrZero(object? v)
    {
        try
        {
            return AsDuration(v);
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
    }

    /// <summary>Helm 4's duration template functions.</summary>
    public static IEnumerable<GoFunction> HelmFunctions()
    {
        var any = GoType.Interface;
        yield return new GoFunction("mustToDuration", new GoSignature([any], Type), static (_, a) => new GoDuration(AsDuration(a[0])));
        yield return new GoFunction("durationSeconds", new GoSignature([any], GoType.Float64), static (_, a) => OrZero(a[0]) / 1e9);
        yield return new GoFunction("durationMilliseconds", new GoSignature([any], GoType.Int64), static (_, a) => OrZero(a[0]) / 1_000_000);
        yield return new GoFunction("durationMicroseconds", new GoSignature([any], GoType.Int64), static (_, a) => OrZero(a[0]) / 1_000);
        yield return new GoFunction("durationNanoseconds", new GoSignature([any], GoType.Int64), static (_, a) => OrZero(a[0]));
        yield return new GoFunction("durationMinutes", new GoSignature([any], GoType.Float64), static (_, a) => OrZero(a[0]) / 6e10);
        yield return new GoFunction("durationHours", new GoSignature([any], GoType.Float64), static (_, a) => OrZero(a[0]) / 3.6e12);
        yield return new GoFunction("durationDays", new GoSignature([any], GoType.Float64), static (_, a) => OrZero(a[0]) / 3.6e12 / 24.0);
        yield return new GoFunction("durationWeeks", new GoSignature([any], GoType.Float64), static (_, a) => OrZero(a[0]) / 3.6e12 / 24.0 / 7.0);
        yield return new GoFunction("durationRoundTo", new GoSignature([any, any], Type), static (_, a) => new GoDuration(RoundOrTruncate(a[0], a[1], round: true)));
        yield return new GoFunction("durationTruncateTo", new GoSignature([any, any], Type), static (_, a) => new GoDuration(RoundOrTruncate(a[0], a[1], round: false)));
    }

    private static long RoundOrTruncate(object? v, object? multiple, bool round)
    {
        long d;
        try
        {
            d = AsDuration(v);
        }
        catch (InvalidOperationException)
        {
            return 0;
        }

        long m;
        try
        {
            m = AsDuration(multiple);
        }
        catch (InvalidOperationException)
        {
            return d;
        }

        if (m <= 0)
        {
            return d;
        }

        if (!round)
        {
            return d - d % m;
        }

        var r = d % m;
        if (d < 0)
        {
            r = -r;
            if ((ulong)r + (ulong)r < (ulong)m)
            {
                return d + r;
            }

            var d1 = d - m + r;
            return d1 < d ? d1 : long.MinValue;
        }

        if ((ulong)r + (ulong)r < (ulong)m)
        {
            return d - r;
        }

        var d2 = d + m - r;
        return d2 > d ? d2 : long.MaxValue;
    }
}
