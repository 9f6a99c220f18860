using System.Globalization;
using Keelson.Templating;
using Keelson.Templating.Dates;

namespace Keelson.Engine.Render.Helm;

/// <summary>Helm 4's duration template functions over Go's time.Duration (parsing and printing live in Templating).</summary>
internal static class HelmDurations
{
    private const long SecondNs = 1_000_000_000;

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

                if (GoDuration.TryParse(s, out long ns, out _))
                {
                    return ns;
                }

                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var f))
                {
                    return (long)(f * SecondNs);
                }

                throw new InvalidOperationException($"could not parse duration \"{str}\"");
            }

            case null:
                throw new InvalidOperationException("invalid duration");
            case double f:
                return (long)(f * SecondNs);
            case float f32:
                return (long)(f32 * SecondNs);
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
            } * SecondNs;
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

            return (long)u * SecondNs;
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
        yield return new GoFunction("mustToDuration", new GoSignature([any], GoDuration.Type), static (_, a) => new GoDuration(AsDuration(a[0])));
        yield return new GoFunction("durationSeconds", new GoSignature([any], GoType.Float64), static (_, a) => OrZero(a[0]) / 1e9);
        yield return new GoFunction("durationMilliseconds", new GoSignature([any], GoType.Int64), static (_, a) => OrZero(a[0]) / 1_000_000);
        yield return new GoFunction("durationMicroseconds", new GoSignature([any], GoType.Int64), static (_, a) => OrZero(a[0]) / 1_000);
        yield return new GoFunction("durationNanoseconds", new GoSignature([any], GoType.Int64), static (_, a) => OrZero(a[0]));
        yield return new GoFunction("durationMinutes", new GoSignature([any], GoType.Float64), static (_, a) => OrZero(a[0]) / 6e10);
        yield return new GoFunction("durationHours", new GoSignature([any], GoType.Float64), static (_, a) => OrZero(a[0]) / 3.6e12);
        yield return new GoFunction("durationDays", new GoSignature([any], GoType.Float64), static (_, a) => OrZero(a[0]) / 3.6e12 / 24.0);
        yield return new GoFunction("durationWeeks", new GoSignature([any], GoType.Float64), static (_, a) => OrZero(a[0]) / 3.6e12 / 24.0 / 7.0);
        yield return new GoFunction("durationRoundTo", new GoSignature([any, any], GoDuration.Type), static (_, a) => new GoDuration(RoundOrTruncate(a[0], a[1], round: true)));
        yield return new GoFunction("durationTruncateTo", new GoSignature([any, any], GoDuration.Type), static (_, a) => new GoDuration(RoundOrTruncate(a[0], a[1], round: false)));
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
