using System.Globalization;
using System.Numerics;

namespace Keelson.Templating.Dates;

/// <summary>
/// Go's <c>time.Time</c>: an instant (Unix seconds and nanoseconds), the location it is shown in (null is UTC, as in
/// Go) and, for times from <c>now</c>, a monotonic clock reading, which Go prints as "m=+0.001" and uses to subtract
/// two such times. Immutable; the methods templates call follow Go's, monotonic handling included.
/// </summary>
internal sealed class GoTime : IGoValue
{
    public const long UnixToInternal = 62135596800;
    private const long WallToInternal = 59453308800;
    private const ulong HasMonotonic = 1UL << 63;

    public static readonly GoType StructType = BuildType();

    public static readonly GoType PointerType = GoType.PointerTo(StructType);

    private readonly bool _pointer;

    // Go's time.Local, which t.Local() converts to: the zone of the clock the time came from.
    private readonly GoLocation _local;

    private GoTime(long sec, int nsec, GoLocation? loc, long? mono, GoLocation local, bool pointer = false)
    {
        Sec = sec;
        Nsec = nsec;
        Loc = ReferenceEquals(loc, GoLocation.Utc) ? null : loc;
        Mono = mono;
        _local = local;
        _pointer = pointer;
    }

    /// <summary>time.Time{}: January 1, year 1, 00:00:00 UTC.</summary>
    public static GoTime Zero(GoLocation local) => new(-UnixToInternal, 0, null, null, local);

    /// <summary>Seconds since the Unix epoch.</summary>
    public long Sec { get; }

    /// <summary>Nanoseconds within the second, 0..999999999.</summary>
    public int Nsec { get; }

    /// <summary>The location; null means UTC.</summary>
    public GoLocation? Loc { get; }

    /// <summary>Monotonic clock reading in nanoseconds, if any.</summary>
    public long? Mono { get; }

    public GoLocation Location => Loc ?? GoLocation.Utc;

    public GoType GoType => _pointer ? PointerType : StructType;

    /// <summary>The same time as a <c>*time.Time</c> value.</summary>
    public GoTime AsPointer() => new(Sec, Nsec, Loc, Mono, _local, pointer: true);

    /// <summary>The <c>time.Time</c> a <c>*time.Time</c> points to.</summary>
    public GoTime AsValue() => _pointer ? new GoTime(Sec, Nsec, Loc, Mono, _local) : this;

    public override string ToString() => GoString();

    /// <summary>time.Unix(sec, nsec), shown in <paramref name="local"/> (Go's time.Local).</summary>
    public static GoTime FromUnix(long sec, long nsec, GoLocation local)
    {
        if (nsec is < 0 or >= GoDuration.Second)
        {
            var n = nsec / GoDuration.Second;
            sec += n;
            nsec -= n * GoDuration.Second;
            if (nsec < 0)
            {
                nsec += GoDuration.Second;
                sec--;
            }
        }

        return new GoTime(sec, (int)nsec, local, null, local);
    }

    /// <summary>A reading of a clock, as time.Now gives it: in <paramref name="local"/>, with a monotonic reading.</summary>
    public static GoTime Now(DateTimeOffset utcNow, long monotonic, GoLocation local)
    {
        var ticks = utcNow.UtcTicks - DateTime.UnixEpoch.Ticks;
        var sec = GoCalendar.FloorDiv(ticks, TimeSpan.TicksPerSecond);
        var nsec = (int)(GoCalendar.FloorMod(ticks, TimeSpan.TicksPerSecond) * 100);
        var wallSec = sec + UnixToInternal - WallToInternal;
        // Go keeps a monotonic reading only while the wall seconds fit its packed field (years 1885-2157).
        return new GoTime(sec, nsec, local, wallSec >= 0 && (ulong)wallSec >> 33 == 0 ? monotonic : null, local);
    }

    /// <summary>time.Date: normalizes out-of-range fields and resolves the local time in the location.</summary>
    public static GoTime Date(long year, long month, long day, long hour, long min, long sec, long nsec, GoLocation loc, GoLocation local)
    {
        var m = month - 1;
        (year, m) = Norm(year, m, 12);
        (sec, nsec) = Norm(sec, nsec, GoDuration.Second);
        (min, sec) = Norm(min, sec, 60);
        (hour, min) = Norm(hour, min, 60);
        (day, hour) = Norm(day, hour, 24);
        var days = GoCalendar.DaysFromCivil(year, (int)m + 1, 1) + day - 1;
        var unix = days * 86400 + hour * 3600 + min * 60 + sec;

        var (_, offset, start, end, _) = loc.Lookup(unix);
        if (offset != 0)
        {
            var utc = unix - offset;
            if (utc < start || utc >= end)
            {
                offset = loc.Lookup(utc).Offset;
            }

            unix -= offset;
        }

        return new GoTime(unix, (int)nsec, loc, null, local);
    }

    private static (long Hi, long Lo) Norm(long hi, long lo, long @base)
    {
        if (lo < 0)
        {
            var n = (-lo - 1) / @base + 1;
            hi -= n;
            lo += n * @base;
        }

        if (lo >= @base)
        {
            var n = lo / @base;
            hi += n;
            lo -= n * @base;
        }

        return (hi, lo);
    }

    /// <summary>The zone abbreviation and offset in effect (Go's Zone()).</summary>
    public (string Name, int Offset) Zone()
    {
        if (Loc is null)
        {
            return ("UTC", 0);
        }

        var z = Loc.Lookup(Sec);
        return (z.Name, z.Offset);
    }

    /// <summary>Seconds since the Unix epoch of the wall clock reading in the time's location.</summary>
    public long LocalSeconds => Sec + Zone().Offset;

    public (long Year, int Month, int Day) DateParts => GoCalendar.CivilFromDays(GoCalendar.FloorDiv(LocalSeconds, 86400));

    public (int Hour, int Minute, int Second) Clock
    {
        get
        {
            var s = GoCalendar.FloorMod(LocalSeconds, 86400);
            return ((int)(s / 3600), (int)(s % 3600 / 60), (int)(s % 60));
        }
    }

    /// <summary>Day of the year, 1-366.</summary>
    public int YearDay
    {
        get
        {
            var days = GoCalendar.FloorDiv(LocalSeconds, 86400);
            var (y, _, _) = GoCalendar.CivilFromDays(days);
            return (int)(days - GoCalendar.DaysFromCivil(y, 1, 1)) + 1;
        }
    }

    /// <summary>0 = Sunday.</summary>
    public int Weekday => (int)GoCalendar.FloorMod(GoCalendar.FloorDiv(LocalSeconds, 86400) + 4, 7);

    public bool IsZero => Sec == -UnixToInternal && Nsec == 0;

    /// <summary>t.In(loc): the same instant shown in another location; drops the monotonic reading.</summary>
    public GoTime In(GoLocation loc) => new(Sec, Nsec, loc, null, _local);

    /// <summary>t.Local().</summary>
    public GoTime ToLocal() => In(_local);

    /// <summary>The same instant with a zone of its own (as a parsed offset gives), keeping nothing monotonic.</summary>
    public GoTime WithSeconds(long sec) => new(sec, Nsec, Loc, null, _local);

    /// <summary>t.Add(d).</summary>
    public GoTime Add(long d)
    {
        var dsec = d / GoDuration.Second;
        var nsec = Nsec + (int)(d % GoDuration.Second);
        if (nsec >= GoDuration.Second)
        {
            dsec++;
            nsec -= (int)GoDuration.Second;
        }
        else if (nsec < 0)
        {
            dsec--;
            nsec += (int)GoDuration.Second;
        }

        var sec = unchecked(Sec + dsec);
        long? mono = null;
        if (Mono is { } m)
        {
            var wallSec = sec + UnixToInternal - WallToInternal;
            var te = unchecked(m + d);
            var overflow = d < 0 && te > m || d > 0 && te < m;
            if (wallSec >= 0 && (ulong)wallSec >> 33 == 0 && !overflow)
            {
                mono = te;
            }
        }

        return new GoTime(sec, nsec, Loc, mono, _local, _pointer);
    }

    /// <summary>t.AddDate(years, months, days) through time.Date, so it normalizes as Go does.</summary>
    public GoTime AddDate(long years, long months, long days)
    {
        var (y, m, d) = DateParts;
        var (hh, mm, ss) = Clock;
        return Date(y + years, m + months, d + days, hh, mm, ss, Nsec, Location, _local);
    }

    /// <summary>t.Sub(u), saturating at the Duration range; monotonic readings win when both have one.</summary>
    public long Sub(GoTime u)
    {
        if (Mono is { } te && u.Mono is { } ue)
        {
            var diff = unchecked(te - ue);
            if (diff < 0 && te > ue)
            {
                return long.MaxValue;
            }

            if (diff > 0 && te < ue)
            {
                return long.MinValue;
            }

            return diff;
        }

        var exact = (BigInteger)(Sec - u.Sec) * GoDuration.Second + (Nsec - u.Nsec);
        if (exact > long.MaxValue)
        {
            return long.MaxValue;
        }

        return exact < long.MinValue ? long.MinValue : (long)exact;
    }

    public int Compare(GoTime u)
    {
        if (Mono is { } a && u.Mono is { } b)
        {
            return a.CompareTo(b);
        }

        var c = Sec.CompareTo(u.Sec);
        return c != 0 ? c : Nsec.CompareTo(u.Nsec);
    }

    /// <summary>t.Truncate(d) / t.Round(d): multiples of d since the zero time; both drop the monotonic reading.</summary>
    public GoTime RoundTo(long d, bool round)
    {
        var t = new GoTime(Sec, Nsec, Loc, null, _local, _pointer);
        if (d <= 0)
        {
            return t;
        }

        var total = ((BigInteger)Sec + UnixToInternal) * GoDuration.Second + Nsec;
        var r = (long)(((total % d) + d) % d);
        if (!round)
        {
            return t.Add(-r);
        }

        return (ulong)r + (ulong)r < (ulong)d ? t.Add(-r) : t.Add(d - r);
    }

    /// <summary>Time.String: "2006-01-02 15:04:05.999999999 -0700 MST" plus " m=±s.nnnnnnnnn" with a monotonic reading.</summary>
    public string GoString()
    {
        var s = GoTimeFormat.Format(this, "2006-01-02 15:04:05.999999999 -0700 MST");
        if (Mono is not { } mono)
        {
            return s;
        }

        var sign = mono < 0 ? '-' : '+';
        var m2 = mono < 0 ? 0 - (ulong)mono : (ulong)mono;
        var m1 = m2 / 1_000_000_000;
        m2 %= 1_000_000_000;
        var m0 = m1 / 1_000_000_000;
        m1 %= 1_000_000_000;
        var sb = new System.Text.StringBuilder(s).Append(" m=").Append(sign);
        if (m0 != 0)
        {
            sb.Append(m0.ToString(CultureInfo.InvariantCulture)).Append(m1.ToString("D9", CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append(m1.ToString(CultureInfo.InvariantCulture));
        }

        return sb.Append('.').Append(m2.ToString("D9", CultureInfo.InvariantCulture)).ToString();
    }

    /// <summary>Time.MarshalJSON's text: RFC 3339 with nanoseconds, quoted.</summary>
    public string MarshalJson()
    {
        var year = DateParts.Year;
        if (year is < 0 or > 9999)
        {
            throw new InvalidOperationException("json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]");
        }

        return "\"" + GoTimeFormat.Format(this, GoTimeFormat.Rfc3339Nano) + "\"";
    }

    // Go's packed representation, so == and reflect.DeepEqual on times behave as in Go.
    private ulong Wall
    {
        get
        {
            if (Mono is null)
            {
                return (ulong)Nsec;
            }

            var wallSec = (ulong)(Sec + UnixToInternal - WallToInternal);
            return HasMonotonic | wallSec << 30 | (uint)Nsec;
        }
    }

    private long Ext => Mono ?? Sec + UnixToInternal;

    private static GoType BuildType()
    {
        var b = new GoTypeBuilder("time.Time");
        var t = b.Type;
        var none = Array.Empty<GoType>();
        static GoTime T(object r) => ((GoTime)r).AsValue();
        static GoTime Arg(object? a) => a is GoTime g ? g.AsValue() : throw new InvalidCastException($"{GoValues.TypeName(a)} is not a time.Time");
        return b
            .Field("wall", GoType.Uint64, o => T(o).Wall)
            .Field("ext", GoType.Int64, o => T(o).Ext)
            .Field("loc", GoLocation.PointerType, o => (object?)T(o).Loc ?? GoLocation.PointerType.Nil)
            .Method("String", new GoSignature(none, GoType.String), static (r, _, _) => T(r).GoString())
            .Method("Format", new GoSignature([GoType.String], GoType.String), static (r, _, a) => GoTimeFormat.Format(T(r), (string)a[0]!))
            .Method("Unix", new GoSignature(none, GoType.Int64), static (r, _, _) => T(r).Sec)
            .Method("UnixMilli", new GoSignature(none, GoType.Int64), static (r, _, _) => (long)(((BigInteger)T(r).Sec * 1000) + T(r).Nsec / 1_000_000))
            .Method("UnixMicro", new GoSignature(none, GoType.Int64), static (r, _, _) => (long)(((BigInteger)T(r).Sec * 1_000_000) + T(r).Nsec / 1000))
            .Method("UnixNano", new GoSignature(none, GoType.Int64), static (r, _, _) => unchecked(T(r).Sec * GoDuration.Second + T(r).Nsec))
            .Method("UTC", new GoSignature(none, t), static (r, _, _) => T(r).In(GoLocation.Utc))
            .Method("Local", new GoSignature(none, t), static (r, _, _) => T(r).ToLocal())
            .Method("In", new GoSignature([GoLocation.PointerType], t), static (r, _, a) =>
                a[0] is GoLocation loc ? T(r).In(loc) : throw new InvalidOperationException("time: missing Location in call to Time.In"))
            .Method("Location", new GoSignature(none, GoLocation.PointerType), static (r, _, _) => T(r).Location)
            .Method("Year", new GoSignature(none, GoType.Int), static (r, _, _) => (nint)T(r).DateParts.Year)
            .Method("Month", new GoSignature(none, GoNamedInt.MonthType), static (r, _, _) => new GoNamedInt(GoNamedInt.MonthType, T(r).DateParts.Month))
            .Method("Day", new GoSignature(none, GoType.Int), static (r, _, _) => (nint)T(r).DateParts.Day)
            .Method("Weekday", new GoSignature(none, GoNamedInt.WeekdayType), static (r, _, _) => new GoNamedInt(GoNamedInt.WeekdayType, T(r).Weekday))
            .Method("YearDay", new GoSignature(none, GoType.Int), static (r, _, _) => (nint)T(r).YearDay)
            .Method("Hour", new GoSignature(none, GoType.Int), static (r, _, _) => (nint)T(r).Clock.Hour)
            .Method("Minute", new GoSignature(none, GoType.Int), static (r, _, _) => (nint)T(r).Clock.Minute)
            .Method("Second", new GoSignature(none, GoType.Int), static (r, _, _) => (nint)T(r).Clock.Second)
            .Method("Nanosecond", new GoSignature(none, GoType.Int), static (r, _, _) => (nint)T(r).Nsec)
            .Method("IsZero", new GoSignature(none, GoType.Bool), static (r, _, _) => T(r).IsZero)
            .Method("IsDST", new GoSignature(none, GoType.Bool), static (r, _, _) => T(r).Loc is { } l && l.Lookup(T(r).Sec).IsDst)
            .Method("Add", new GoSignature([GoDuration.Type], t), static (r, _, a) => T(r).Add(GoDuration.From(a[0])))
            .Method("AddDate", new GoSignature([GoType.Int, GoType.Int, GoType.Int], t), static (r, _, a) =>
                T(r).AddDate((nint)a[0]!, (nint)a[1]!, (nint)a[2]!))
            .Method("Sub", new GoSignature([t], GoDuration.Type), static (r, _, a) => new GoDuration(T(r).Sub(Arg(a[0]))))
            .Method("After", new GoSignature([t], GoType.Bool), static (r, _, a) => T(r).Compare(Arg(a[0])) > 0)
            .Method("Before", new GoSignature([t], GoType.Bool), static (r, _, a) => T(r).Compare(Arg(a[0])) < 0)
            .Method("Equal", new GoSignature([t], GoType.Bool), static (r, _, a) => T(r).Compare(Arg(a[0])) == 0)
            .Method("Compare", new GoSignature([t], GoType.Int), static (r, _, a) => (nint)T(r).Compare(Arg(a[0])))
            .Method("Round", new GoSignature([GoDuration.Type], t), static (r, _, a) => T(r).RoundTo(GoDuration.From(a[0]), round: true))
            .Method("Truncate", new GoSignature([GoDuration.Type], t), static (r, _, a) => T(r).RoundTo(GoDuration.From(a[0]), round: false))
            .Method("MarshalJSON", new GoSignature(none, GoType.Bytes, ReturnsError: true), static (r, _, _) => System.Text.Encoding.UTF8.GetBytes(T(r).MarshalJson()))
            .Method("MarshalText", new GoSignature(none, GoType.Bytes, ReturnsError: true), static (r, _, _) =>
                System.Text.Encoding.UTF8.GetBytes(T(r).MarshalJson().Trim('"')))
            .MarshalJson(static o => T(o).MarshalJson())
            .Build();
    }
}
