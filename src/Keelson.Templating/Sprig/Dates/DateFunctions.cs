using System.Globalization;

namespace Keelson.Templating.Dates;

/// <summary>
/// Sprig's date functions over one clock: <c>now</c> reads it, Go's <c>time.Local</c> is its zone, and the
/// monotonic readings of <c>now</c> count from when the function map was built (Go counts from process start).
/// </summary>
internal sealed class DateFunctions
{
    private readonly TimeProvider _time;
    private readonly long _start;

    public DateFunctions(TimeProvider time)
    {
        _time = time;
        _start = time.GetTimestamp();
        Local = GoLocation.Local(time.LocalTimeZone);
    }

    /// <summary>Go's time.Local.</summary>
    public GoLocation Local { get; }

    public IEnumerable<GoFunction> All()
    {
        var time = GoTime.StructType;
        var any = GoType.Interface;
        var str = GoType.String;
        yield return new GoFunction("now", new GoSignature([], time), (_, _) => Now());
        yield return new GoFunction("date", new GoSignature([str, any], str), (_, a) => DateInZone((string)a[0]!, a[1], "Local"));
        yield return new GoFunction("htmlDate", new GoSignature([any], str), (_, a) => DateInZone("2006-01-02", a[0], "Local"));
        yield return new GoFunction("htmlDateInZone", new GoSignature([any, str], str), (_, a) => DateInZone("2006-01-02", a[0], (string)a[1]!));
        foreach (var name in (string[])["dateInZone", "date_in_zone"])
        {
            yield return new GoFunction(name, new GoSignature([str, any, str], str), (_, a) => DateInZone((string)a[0]!, a[1], (string)a[2]!));
        }

        foreach (var name in (string[])["dateModify", "date_modify"])
        {
            yield return new GoFunction(name, new GoSignature([str, time], time), (_, a) =>
                GoDuration.TryParse((string)a[0]!, out var d, out var ignored) ? Time(a[1]).Add(d) : Time(a[1]));
        }

        foreach (var name in (string[])["mustDateModify", "must_date_modify"])
        {
            yield return new GoFunction(name, new GoSignature([str, time], time, ReturnsError: true), (_, a) =>
                GoDuration.TryParse((string)a[0]!, out var d, out var error) ? Time(a[1]).Add(d) : throw new InvalidOperationException(error));
        }

        yield return new GoFunction("ago", new GoSignature([any], str), (_, a) => Ago(a[0]));
        yield return new GoFunction("duration", new GoSignature([any], str), (_, a) => Duration(a[0]));
        yield return new GoFunction("durationRound", new GoSignature([any], str), (_, a) => DurationRound(a[0]));
        yield return new GoFunction("toDate", new GoSignature([str, str], time), (_, a) =>
            GoTimeFormat.TryParse((string)a[0]!, (string)a[1]!, Local, Local, out var t, out var ignored) ? t : GoTime.Zero(Local));
        yield return new GoFunction("mustToDate", new GoSignature([str, str], time, ReturnsError: true), (_, a) =>
            GoTimeFormat.TryParse((string)a[0]!, (string)a[1]!, Local, Local, out var t, out var error) ? t : throw new InvalidOperationException(error));
        yield return new GoFunction("unixEpoch", new GoSignature([time], str), (_, a) => Time(a[0]).Sec.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>time.Now().</summary>
    public GoTime Now()
    {
        var elapsed = _time.GetElapsedTime(_start);
        return GoTime.Now(_time.GetUtcNow(), elapsed.Ticks * 100, Local);
    }

    private static GoTime Time(object? value) =>
        value as GoTime ?? throw new InvalidCastException($"{GoValues.TypeName(value)} is not a time.Time");

    /// <summary>The time a date argument stands for: times, pointers to times and integer epochs; anything else is now.</summary>
    private GoTime DateOf(object? value, bool acceptPointerAndInt32)
    {
        switch (value)
        {
            case GoTime t when ReferenceEquals(t.GoType, GoTime.StructType):
                return t;
            case GoTime p when acceptPointerAndInt32:
                return p.AsValue();
            case GoTypedNil n when acceptPointerAndInt32 && ReferenceEquals(n.GoType, GoTime.PointerType):
                throw new InvalidOperationException("runtime error: invalid memory address or nil pointer dereference");
            case long l:
                return GoTime.FromUnix(l, 0, Local);
            case nint n:
                return GoTime.FromUnix(n, 0, Local);
            case int i when acceptPointerAndInt32:
                return GoTime.FromUnix(i, 0, Local);
            default:
                return Now();
        }
    }

    private string DateInZone(string layout, object? date, string zone)
    {
        var t = DateOf(date, acceptPointerAndInt32: true);
        var loc = zone == "Local" ? Local : GoLocation.Load(zone, out _) ?? GoLocation.Utc;
        return GoTimeFormat.Format(t.In(loc), layout);
    }

    /// <summary>time.Since(t): monotonic when t has a reading, else by the wall clock.</summary>
    private long Since(GoTime t) => Now().Sub(t);

    private string Ago(object? date)
    {
        var t = DateOf(date, acceptPointerAndInt32: false);
        return GoDuration.Format(RoundDuration(Since(t), GoDuration.Second));
    }

    private static string Duration(object? seconds)
    {
        long n = seconds switch
        {
            string s => ParseInt64(s),
            long l => l,
            _ => 0,
        };
        return GoDuration.Format(unchecked(n * GoDuration.Second));
    }

    private string DurationRound(object? value)
    {
        long d = value switch
        {
            string s => GoDuration.TryParse(s, out var parsed, out _) ? parsed : 0,
            long l => l,
            GoTime t when ReferenceEquals(t.GoType, GoTime.StructType) => Since(t),
            _ => 0,
        };
        var u = (ulong)d;
        if (d < 0)
        {
            u = 0 - u;
        }

        const ulong second = GoDuration.Second, minute = GoDuration.Minute, hour = GoDuration.Hour;
        const ulong day = hour * 24, month = day * 30, year = day * 365;
        return u switch
        {
            > year => (u / year).ToString(CultureInfo.InvariantCulture) + "y",
            > month => (u / month).ToString(CultureInfo.InvariantCulture) + "mo",
            > day => (u / day).ToString(CultureInfo.InvariantCulture) + "d",
            > hour => (u / hour).ToString(CultureInfo.InvariantCulture) + "h",
            > minute => (u / minute).ToString(CultureInfo.InvariantCulture) + "m",
            > second => (u / second).ToString(CultureInfo.InvariantCulture) + "s",
            _ => "0s",
        };
    }

    /// <summary>strconv.ParseInt(s, 10, 64) with the error ignored: 0 for bad syntax, the nearest limit when out of range.</summary>
    private static long ParseInt64(string s)
    {
        var digits = s.AsSpan();
        var neg = false;
        if (digits.Length > 0 && digits[0] is '+' or '-')
        {
            neg = digits[0] == '-';
            digits = digits[1..];
        }

        if (digits.Length == 0)
        {
            return 0;
        }

        System.Numerics.BigInteger value = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return 0;
            }

            value = value * 10 + (c - '0');
        }

        if (neg)
        {
            value = -value;
        }

        return value > long.MaxValue ? long.MaxValue : value < long.MinValue ? long.MinValue : (long)value;
    }

    /// <summary>Duration.Round(m), saturating like Go's.</summary>
    internal static long RoundDuration(long d, long m)
    {
        if (m <= 0)
        {
            return d;
        }

        var r = d % m;
        if (d < 0)
        {
            r = -r;
            if ((ulong)r + (ulong)r < (ulong)m)
            {
                return d + r;
            }

            var d1 = unchecked(d - m + r);
            return d1 < d ? d1 : long.MinValue;
        }

        if ((ulong)r + (ulong)r < (ulong)m)
        {
            return d - r;
        }

        var d2 = unchecked(d + m - r);
        return d2 > d ? d2 : long.MaxValue;
    }
}
