using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Keelson.Templating.Dates;

/// <summary>
/// Go's time layouts: a layout is an example of the reference time "Mon Jan 2 15:04:05 MST 2006" (elements such as
/// <c>2006</c>, <c>01</c>, <c>Jan</c>, <c>January</c>, <c>Mon</c>, <c>_2</c>, <c>002</c>, <c>15</c>, <c>03</c>,
/// <c>PM</c>, <c>.000</c>/<c>.999</c> and <c>,000</c>, <c>MST</c>, <c>-0700</c>, <c>Z07:00</c>...); everything else
/// is literal text. Format and Parse follow Go's time package element for element, errors included.
/// </summary>
internal static class GoTimeFormat
{
    public const string Rfc3339Nano = "2006-01-02T15:04:05.999999999Z07:00";

    private static readonly string[] LongMonths =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static readonly string[] ShortMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private static readonly string[] LongDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    private static readonly string[] ShortDays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    private enum Std
    {
        None,
        LongMonth,
        Month,
        NumMonth,
        ZeroMonth,
        LongWeekDay,
        WeekDay,
        Day,
        UnderDay,
        ZeroDay,
        UnderYearDay,
        ZeroYearDay,
        Hour,
        Hour12,
        ZeroHour12,
        Minute,
        ZeroMinute,
        Second,
        ZeroSecond,
        LongYear,
        Year,
        PM,
        Pm,
        TZ,
        Iso8601TZ,
        Iso8601SecondsTZ,
        Iso8601ShortTZ,
        Iso8601ColonTZ,
        Iso8601ColonSecondsTZ,
        NumTZ,
        NumSecondsTz,
        NumShortTZ,
        NumColonTZ,
        NumColonSecondsTZ,
        FracSecond0,
        FracSecond9,
    }

    /// <summary>One layout element: what it is, and for fractional seconds the digit count and separator.</summary>
    private readonly record struct Element(Std Kind, int Digits = 0, char Separator = '.');

    /// <summary>Go's nextStdChunk: the literal text before the first element, the element, and the rest.</summary>
    private static (string Prefix, Element Std, string Suffix) NextChunk(string layout)
    {
        for (var i = 0; i < layout.Length; i++)
        {
            var c = layout[i];
            switch (c)
            {
                case 'J':
                    if (At(layout, i, "Jan"))
                    {
                        if (At(layout, i, "January"))
                        {
                            return (layout[..i], new Element(Std.LongMonth), layout[(i + 7)..]);
                        }

                        if (!StartsWithLower(layout, i + 3))
                        {
                            return (layout[..i], new Element(Std.Month), layout[(i + 3)..]);
                        }
                    }

                    break;
                case 'M':
                    if (At(layout, i, "Mon"))
                    {
                        if (At(layout, i, "Monday"))
                        {
                            return (layout[..i], new Element(Std.LongWeekDay), layout[(i + 6)..]);
                        }

                        if (!StartsWithLower(layout, i + 3))
                        {
                            return (layout[..i], new Element(Std.WeekDay), layout[(i + 3)..]);
                        }
                    }

                    if (At(layout, i, "MST"))
                    {
                        return (layout[..i], new Element(Std.TZ), layout[(i + 3)..]);
                    }

                    break;
                case '0':
                    if (i + 1 < layout.Length && layout[i + 1] is >= '1' and <= '6')
                    {
                        var std = layout[i + 1] switch
                        {
                            '1' => Std.ZeroMonth,
                            '2' => Std.ZeroDay,
                            '3' => Std.ZeroHour12,
                            '4' => Std.ZeroMinute,
                            '5' => Std.ZeroSecond,
                            _ => Std.Year,
                        };
                        return (layout[..i], new Element(std), layout[(i + 2)..]);
                    }

                    if (i + 2 < layout.Length && layout[i + 1] == '0' && layout[i + 2] == '2')
                    {
                        return (layout[..i], new Element(Std.ZeroYearDay), layout[(i + 3)..]);
                    }

                    break;
                case '1':
                    if (i + 1 < layout.Length && layout[i + 1] == '5')
                    {
                        return (layout[..i], new Element(Std.Hour), layout[(i + 2)..]);
                    }

                    return (layout[..i], new Element(Std.NumMonth), layout[(i + 1)..]);
                case '2':
                    if (At(layout, i, "2006"))
                    {
                        return (layout[..i], new Element(Std.LongYear), layout[(i + 4)..]);
                    }

                    return (layout[..i], new Element(Std.Day), layout[(i + 1)..]);
                case '_':
                    if (i + 1 < layout.Length && layout[i + 1] == '2')
                    {
                        // _2006 is a literal _ followed by the long year.
                        if (At(layout, i + 1, "2006"))
                        {
                            return (layout[..(i + 1)], new Element(Std.LongYear), layout[(i + 5)..]);
                        }

                        return (layout[..i], new Element(Std.UnderDay), layout[(i + 2)..]);
                    }

                    if (i + 2 < layout.Length && layout[i + 1] == '_' && layout[i + 2] == '2')
                    {
                        return (layout[..i], new Element(Std.UnderYearDay), layout[(i + 3)..]);
                    }

                    break;
                case '3':
                    return (layout[..i], new Element(Std.Hour12), layout[(i + 1)..]);
                case '4':
                    return (layout[..i], new Element(Std.Minute), layout[(i + 1)..]);
                case '5':
                    return (layout[..i], new Element(Std.Second), layout[(i + 1)..]);
                case 'P':
                    if (i + 1 < layout.Length && layout[i + 1] == 'M')
                    {
                        return (layout[..i], new Element(Std.PM), layout[(i + 2)..]);
                    }

                    break;
                case 'p':
                    if (i + 1 < layout.Length && layout[i + 1] == 'm')
                    {
                        return (layout[..i], new Element(Std.Pm), layout[(i + 2)..]);
                    }

                    break;
                case '-':
                    foreach (var (text, std) in (ReadOnlySpan<(string, Std)>)[("-070000", Std.NumSecondsTz), ("-07:00:00", Std.NumColonSecondsTZ), ("-0700", Std.NumTZ), ("-07:00", Std.NumColonTZ), ("-07", Std.NumShortTZ)])
                    {
                        if (At(layout, i, text))
                        {
                            return (layout[..i], new Element(std), layout[(i + text.Length)..]);
                        }
                    }

                    break;
                case 'Z':
                    foreach (var (text, std) in (ReadOnlySpan<(string, Std)>)[("Z070000", Std.Iso8601SecondsTZ), ("Z07:00:00", Std.Iso8601ColonSecondsTZ), ("Z0700", Std.Iso8601TZ), ("Z07:00", Std.Iso8601ColonTZ), ("Z07", Std.Iso8601ShortTZ)])
                    {
                        if (At(layout, i, text))
                        {
                            return (layout[..i], new Element(std), layout[(i + text.Length)..]);
                        }
                    }

                    break;
                case '.':
                case ',':
                    if (i + 1 < layout.Length && layout[i + 1] is '0' or '9')
                    {
                        var ch = layout[i + 1];
                        var j = i + 1;
                        while (j < layout.Length && layout[j] == ch)
                        {
                            j++;
                        }

                        if (!(j < layout.Length && char.IsAsciiDigit(layout[j])))
                        {
                            var kind = ch == '0' ? Std.FracSecond0 : Std.FracSecond9;
                            return (layout[..i], new Element(kind, j - (i + 1), c), layout[j..]);
                        }
                    }

                    break;
            }
        }

        return (layout, new Element(Std.None), "");
    }

    private static bool At(string s, int i, string what) => i + what.Length <= s.Length && string.CompareOrdinal(s, i, what, 0, what.Length) == 0;

    private static bool StartsWithLower(string s, int i) => i < s.Length && s[i] is >= 'a' and <= 'z';

    /// <summary>Time.Format.</summary>
    public static string Format(GoTime t, string layout)
    {
        var (name, offset) = t.Zone();
        var (year, month, day) = t.DateParts;
        var (hour, min, sec) = t.Clock;
        var yday = -1;
        var sb = new StringBuilder(layout.Length + 10);
        while (layout.Length > 0)
        {
            var (prefix, std, suffix) = NextChunk(layout);
            sb.Append(prefix);
            if (std.Kind == Std.None)
            {
                break;
            }

            layout = suffix;
            switch (std.Kind)
            {
                case Std.Year:
                    AppendInt(sb, Math.Abs(year) % 100, 2);
                    break;
                case Std.LongYear:
                    AppendInt(sb, year, 4);
                    break;
                case Std.Month:
                    sb.Append(ShortMonths[month - 1]);
                    break;
                case Std.LongMonth:
                    sb.Append(LongMonths[month - 1]);
                    break;
                case Std.NumMonth:
                    AppendInt(sb, month, 0);
                    break;
                case Std.ZeroMonth:
                    AppendInt(sb, month, 2);
                    break;
                case Std.WeekDay:
                    sb.Append(ShortDays[t.Weekday]);
                    break;
                case Std.LongWeekDay:
                    sb.Append(LongDays[t.Weekday]);
                    break;
                case Std.Day:
                    AppendInt(sb, day, 0);
                    break;
                case Std.UnderDay:
                    if (day < 10)
                    {
                        sb.Append(' ');
                    }

                    AppendInt(sb, day, 0);
                    break;
                case Std.ZeroDay:
                    AppendInt(sb, day, 2);
                    break;
                case Std.UnderYearDay:
                    yday = yday < 0 ? t.YearDay : yday;
                    if (yday < 100)
                    {
                        sb.Append(' ');
                        if (yday < 10)
                        {
                            sb.Append(' ');
                        }
                    }

                    AppendInt(sb, yday, 0);
                    break;
                case Std.ZeroYearDay:
                    yday = yday < 0 ? t.YearDay : yday;
                    AppendInt(sb, yday, 3);
                    break;
                case Std.Hour:
                    AppendInt(sb, hour, 2);
                    break;
                case Std.Hour12:
                    AppendInt(sb, hour % 12 == 0 ? 12 : hour % 12, 0);
                    break;
                case Std.ZeroHour12:
                    AppendInt(sb, hour % 12 == 0 ? 12 : hour % 12, 2);
                    break;
                case Std.Minute:
                    AppendInt(sb, min, 0);
                    break;
                case Std.ZeroMinute:
                    AppendInt(sb, min, 2);
                    break;
                case Std.Second:
                    AppendInt(sb, sec, 0);
                    break;
                case Std.ZeroSecond:
                    AppendInt(sb, sec, 2);
                    break;
                case Std.PM:
                    sb.Append(hour >= 12 ? "PM" : "AM");
                    break;
                case Std.Pm:
                    sb.Append(hour >= 12 ? "pm" : "am");
                    break;
                case Std.Iso8601TZ or Std.Iso8601ColonTZ or Std.Iso8601SecondsTZ or Std.Iso8601ShortTZ or Std.Iso8601ColonSecondsTZ
                    or Std.NumTZ or Std.NumColonTZ or Std.NumSecondsTz or Std.NumShortTZ or Std.NumColonSecondsTZ:
                    AppendOffset(sb, std.Kind, offset);
                    break;
                case Std.TZ:
                    if (name.Length > 0)
                    {
                        sb.Append(name);
                        break;
                    }

                    // No abbreviation known: print the offset as -0700.
                    var zone = offset / 60;
                    sb.Append(zone < 0 ? '-' : '+');
                    zone = Math.Abs(zone);
                    AppendInt(sb, zone / 60, 2);
                    AppendInt(sb, zone % 60, 2);
                    break;
                case Std.FracSecond0:
                case Std.FracSecond9:
                    AppendNano(sb, t.Nsec, std);
                    break;
            }
        }

        return sb.ToString();
    }

    private static void AppendOffset(StringBuilder sb, Std std, int offset)
    {
        var iso = std is Std.Iso8601TZ or Std.Iso8601ColonTZ or Std.Iso8601SecondsTZ or Std.Iso8601ShortTZ or Std.Iso8601ColonSecondsTZ;
        if (offset == 0 && iso)
        {
            sb.Append('Z');
            return;
        }

        var zone = offset / 60;
        var absOffset = offset;
        if (zone < 0)
        {
            sb.Append('-');
            zone = -zone;
            absOffset = -absOffset;
        }
        else
        {
            sb.Append('+');
        }

        AppendInt(sb, zone / 60, 2);
        if (std is Std.Iso8601ColonTZ or Std.NumColonTZ or Std.Iso8601ColonSecondsTZ or Std.NumColonSecondsTZ)
        {
            sb.Append(':');
        }

        if (std is not Std.NumShortTZ and not Std.Iso8601ShortTZ)
        {
            AppendInt(sb, zone % 60, 2);
        }

        if (std is Std.Iso8601SecondsTZ or Std.NumSecondsTz or Std.NumColonSecondsTZ or Std.Iso8601ColonSecondsTZ)
        {
            if (std is Std.NumColonSecondsTZ or Std.Iso8601ColonSecondsTZ)
            {
                sb.Append(':');
            }

            AppendInt(sb, absOffset % 60, 2);
        }
    }

    private static void AppendNano(StringBuilder sb, int nanosec, Element std)
    {
        var trim = std.Kind == Std.FracSecond9;
        var n = std.Digits;
        if (trim && (n == 0 || nanosec == 0))
        {
            return;
        }

        var digits = nanosec.ToString("D9", CultureInfo.InvariantCulture);
        if (n < 9)
        {
            digits = digits[..n];
        }

        if (trim)
        {
            digits = digits.TrimEnd('0');
            if (digits.Length == 0)
            {
                return;
            }
        }

        sb.Append(std.Separator).Append(digits);
    }

    /// <summary>Go's appendInt: at least <paramref name="width"/> digits, the sign before the padding.</summary>
    private static void AppendInt(StringBuilder sb, long x, int width)
    {
        var u = (ulong)x;
        if (x < 0)
        {
            sb.Append('-');
            u = 0 - u;
        }

        var digits = u.ToString(CultureInfo.InvariantCulture);
        for (var i = digits.Length; i < width; i++)
        {
            sb.Append('0');
        }

        sb.Append(digits);
    }

    /// <summary>Go's time quote(): like strconv.Quote for ASCII, \x escapes for the rest.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in s.EnumerateRunes())
        {
            if (rune.Value is >= 0x80 or < ' ')
            {
                var n = rune.EncodeToUtf8(utf8);
                foreach (var b in utf8[..n])
                {
                    sb.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                if (rune.Value is '"' or '\\')
                {
                    sb.Append('\\');
                }

                sb.Append((char)rune.Value);
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>time.ParseInLocation: <paramref name="location"/> is both the default and the local zone.</summary>
    public static bool TryParse(string layout, string value, GoLocation location, GoLocation local, [NotNullWhen(true)] out GoTime? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        error = null;
        var originalLayout = layout;
        var originalValue = value;
        string? rangeError = null;
        bool amSet = false, pmSet = false;
        long year = 0;
        int month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0, nsec = 0;
        GoLocation? z = null;
        var zoneOffset = -1;
        var zoneName = "";

        while (true)
        {
            var (prefix, std, suffix) = NextChunk(layout);
            var stdText = layout[prefix.Length..(layout.Length - suffix.Length)];
            if (!Skip(ref value, prefix))
            {
                error = ParseError(originalLayout, originalValue, prefix, value, "");
                return false;
            }

            if (std.Kind == Std.None)
            {
                if (value.Length != 0)
                {
                    error = ParseError(originalLayout, originalValue, "", value, ": extra text: " + Quote(value));
                    return false;
                }

                break;
            }

            layout = suffix;
            var hold = value;
            var ok = true;
            switch (std.Kind)
            {
                case Std.Year:
                    if (value.Length < 2)
                    {
                        ok = false;
                        break;
                    }

                    ok = TryAtoi(value[..2], out var yy);
                    value = value[2..];
                    year = yy >= 69 ? yy + 1900 : yy + 2000;
                    break;
                case Std.LongYear:
                    if (value.Length < 4 || !char.IsAsciiDigit(value[0]))
                    {
                        ok = false;
                        break;
                    }

                    ok = TryAtoi(value[..4], out var yyyy);
                    year = yyyy;
                    value = value[4..];
                    break;
                case Std.Month:
                    ok = Lookup(ShortMonths, ref value, out month);
                    month++;
                    break;
                case Std.LongMonth:
                    ok = Lookup(LongMonths, ref value, out month);
                    month++;
                    break;
                case Std.NumMonth:
                case Std.ZeroMonth:
                    ok = GetNum(ref value, std.Kind == Std.ZeroMonth, out month);
                    if (ok && month is <= 0 or > 12)
                    {
                        rangeError = "month";
                    }

                    break;
                case Std.WeekDay:
                    ok = Lookup(ShortDays, ref value, out _);
                    break;
                case Std.LongWeekDay:
                    ok = Lookup(LongDays, ref value, out _);
                    break;
                case Std.Day:
                case Std.UnderDay:
                case Std.ZeroDay:
                    if (std.Kind == Std.UnderDay && value.Length > 0 && value[0] == ' ')
                    {
                        value = value[1..];
                    }

                    ok = GetNum(ref value, std.Kind == Std.ZeroDay, out day);
                    break;
                case Std.UnderYearDay:
                case Std.ZeroYearDay:
                    for (var i = 0; i < 2; i++)
                    {
                        if (std.Kind == Std.UnderYearDay && value.Length > 0 && value[0] == ' ')
                        {
                            value = value[1..];
                        }
                    }

                    ok = GetNum3(ref value, std.Kind == Std.ZeroYearDay, out yday);
                    break;
                case Std.Hour:
                    ok = GetNum(ref value, false, out hour);
                    if (hour is < 0 or >= 24)
                    {
                        rangeError = "hour";
                    }

                    break;
                case Std.Hour12:
                case Std.ZeroHour12:
                    ok = GetNum(ref value, std.Kind == Std.ZeroHour12, out hour);
                    if (hour is < 0 or > 12)
                    {
                        rangeError = "hour";
                    }

                    break;
                case Std.Minute:
                case Std.ZeroMinute:
                    ok = GetNum(ref value, std.Kind == Std.ZeroMinute, out min);
                    if (min is < 0 or >= 60)
                    {
                        rangeError = "minute";
                    }

                    break;
                case Std.Second:
                case Std.ZeroSecond:
                    ok = GetNum(ref value, std.Kind == Std.ZeroSecond, out sec);
                    if (!ok)
                    {
                        break;
                    }

                    if (sec is < 0 or >= 60)
                    {
                        rangeError = "second";
                        break;
                    }

                    // A fractional second in the value but not in the layout is still read.
                    if (value.Length >= 2 && value[0] is '.' or ',' && char.IsAsciiDigit(value[1]))
                    {
                        var next = NextChunk(layout).Std.Kind;
                        if (next is Std.FracSecond0 or Std.FracSecond9)
                        {
                            break;
                        }

                        var n = 2;
                        while (n < value.Length && char.IsAsciiDigit(value[n]))
                        {
                            n++;
                        }

                        ok = ParseNanoseconds(value, n, out nsec, ref rangeError);
                        value = value[n..];
                    }

                    break;
                case Std.PM:
                case Std.Pm:
                    if (value.Length < 2)
                    {
                        ok = false;
                        break;
                    }

                    var p = value[..2];
                    value = value[2..];
                    var (pmText, amText) = std.Kind == Std.PM ? ("PM", "AM") : ("pm", "am");
                    if (p == pmText)
                    {
                        pmSet = true;
                    }
                    else if (p == amText)
                    {
                        amSet = true;
                    }
                    else
                    {
                        ok = false;
                    }

                    break;
                case Std.Iso8601TZ or Std.Iso8601ColonTZ or Std.Iso8601SecondsTZ or Std.Iso8601ShortTZ or Std.Iso8601ColonSecondsTZ
                    or Std.NumTZ or Std.NumShortTZ or Std.NumColonTZ or Std.NumSecondsTz or Std.NumColonSecondsTZ:
                    if (std.Kind is Std.Iso8601TZ or Std.Iso8601ShortTZ or Std.Iso8601ColonTZ && value.Length >= 1 && value[0] == 'Z')
                    {
                        value = value[1..];
                        z = GoLocation.Utc;
                        break;
                    }

                    ok = ParseOffset(std.Kind, ref value, out zoneOffset, ref rangeError);
                    break;
                case Std.TZ:
                    if (value.Length >= 3 && value.StartsWith("UTC", StringComparison.Ordinal))
                    {
                        z = GoLocation.Utc;
                        value = value[3..];
                        break;
                    }

                    var zoneLength = ParseTimeZone(value);
                    if (zoneLength <= 0)
                    {
                        ok = false;
                        break;
                    }

                    zoneName = value[..zoneLength];
                    value = value[zoneLength..];
                    break;
                case Std.FracSecond0:
                    var digits = 1 + std.Digits;
                    if (value.Length < digits)
                    {
                        ok = false;
                        break;
                    }

                    ok = ParseNanoseconds(value, digits, out nsec, ref rangeError);
                    value = value[digits..];
                    break;
                case Std.FracSecond9:
                    if (value.Length < 2 || value[0] is not ('.' or ',') || !char.IsAsciiDigit(value[1]))
                    {
                        // Fractional second omitted.
                        break;
                    }

                    var k = 0;
                    while (k + 1 < value.Length && char.IsAsciiDigit(value[k + 1]))
                    {
                        k++;
                    }

                    ok = ParseNanoseconds(value, 1 + k, out nsec, ref rangeError);
                    value = value[(1 + k)..];
                    break;
            }

            if (rangeError is not null)
            {
                error = ParseError(originalLayout, originalValue, stdText, value, ": " + rangeError + " out of range");
                return false;
            }

            if (!ok)
            {
                error = ParseError(originalLayout, originalValue, stdText, hold, "");
                return false;
            }
        }

        if (pmSet && hour < 12)
        {
            hour += 12;
        }
        else if (amSet && hour == 12)
        {
            hour = 0;
        }

        if (yday >= 0)
        {
            int d = 0, m = 0;
            if (GoCalendar.IsLeap(year))
            {
                if (yday == 31 + 29)
                {
                    m = 2;
                    d = 29;
                }
                else if (yday > 31 + 29)
                {
                    yday--;
                }
            }

            if (yday is < 1 or > 365)
            {
                error = ParseError(originalLayout, originalValue, "", value, ": day-of-year out of range");
                return false;
            }

            if (m == 0)
            {
                m = (yday - 1) / 31 + 1;
                if (GoCalendar.DaysBefore(m + 1) < yday)
                {
                    m++;
                }

                d = yday - GoCalendar.DaysBefore(m);
            }

            if (month >= 0 && month != m)
            {
                error = ParseError(originalLayout, originalValue, "", value, ": day-of-year does not match month");
                return false;
            }

            month = m;
            if (day >= 0 && day != d)
            {
                error = ParseError(originalLayout, originalValue, "", value, ": day-of-year does not match day");
                return false;
            }

            day = d;
        }
        else
        {
            if (month < 0)
            {
                month = 1;
            }

            if (day < 0)
            {
                day = 1;
            }
        }

        if (day < 1 || day > GoCalendar.DaysIn(month, year))
        {
            error = ParseError(originalLayout, originalValue, "", value, ": day out of range");
            return false;
        }

        if (z is not null)
        {
            result = GoTime.Date(year, month, day, hour, min, sec, nsec, z, local);
            return true;
        }

        if (zoneOffset != -1)
        {
            var t = GoTime.Date(year, month, day, hour, min, sec, nsec, GoLocation.Utc, local);
            var unix = t.Sec - zoneOffset;
            // The local zone, if it had that offset (and name) at that time; else a zone of its own.
            var (name, offset, _, _, _) = local.Lookup(unix);
            result = offset == zoneOffset && (zoneName.Length == 0 || name == zoneName)
                ? t.WithSeconds(unix).In(local)
                : t.WithSeconds(unix).In(GoLocation.Fixed(zoneName, zoneOffset));
            return true;
        }

        if (zoneName.Length > 0)
        {
            var t = GoTime.Date(year, month, day, hour, min, sec, nsec, GoLocation.Utc, local);
            if (local.TryLookupName(zoneName, t.Sec, out var offset))
            {
                result = t.WithSeconds(t.Sec - offset).In(local);
                return true;
            }

            offset = 0;
            if (zoneName.Length > 3 && zoneName.StartsWith("GMT", StringComparison.Ordinal))
            {
                _ = TryAtoi(zoneName[3..], out var hours);
                offset = (int)hours * 3600;
            }

            result = t.In(GoLocation.Fixed(zoneName, offset));
            return true;
        }

        result = GoTime.Date(year, month, day, hour, min, sec, nsec, location, local);
        return true;
    }

    private static bool ParseOffset(Std std, ref string value, out int zoneOffset, ref string? rangeError)
    {
        zoneOffset = -1;
        string sign, hh, mm, ss;
        if (std is Std.Iso8601ColonTZ or Std.NumColonTZ)
        {
            if (value.Length < 6 || value[3] != ':')
            {
                return false;
            }

            (sign, hh, mm, ss, value) = (value[..1], value[1..3], value[4..6], "00", value[6..]);
        }
        else if (std is Std.NumShortTZ or Std.Iso8601ShortTZ)
        {
            if (value.Length < 3)
            {
                return false;
            }

            (sign, hh, mm, ss, value) = (value[..1], value[1..3], "00", "00", value[3..]);
        }
        else if (std is Std.Iso8601ColonSecondsTZ or Std.NumColonSecondsTZ)
        {
            if (value.Length < 9 || value[3] != ':' || value[6] != ':')
            {
                return false;
            }

            (sign, hh, mm, ss, value) = (value[..1], value[1..3], value[4..6], value[7..9], value[9..]);
        }
        else if (std is Std.Iso8601SecondsTZ or Std.NumSecondsTz)
        {
            if (value.Length < 7)
            {
                return false;
            }

            (sign, hh, mm, ss, value) = (value[..1], value[1..3], value[3..5], value[5..7], value[7..]);
        }
        else
        {
            if (value.Length < 5)
            {
                return false;
            }

            (sign, hh, mm, ss, value) = (value[..1], value[1..3], value[3..5], "00", value[5..]);
        }

        var rest = hh;
        if (!GetNum(ref rest, true, out var hr))
        {
            return false;
        }

        rest = mm;
        if (!GetNum(ref rest, true, out var mi))
        {
            return false;
        }

        rest = ss;
        if (!GetNum(ref rest, true, out var se))
        {
            return false;
        }

        // Go compares with > rather than >=: some write offsets of 24 hours or 60 minutes.
        if (hr > 24)
        {
            rangeError = "time zone offset hour";
        }

        if (mi > 60)
        {
            rangeError = "time zone offset minute";
        }

        if (se > 60)
        {
            rangeError = "time zone offset second";
        }

        zoneOffset = (hr * 60 + mi) * 60 + se;
        switch (sign[0])
        {
            case '+':
                return true;
            case '-':
                zoneOffset = -zoneOffset;
                return true;
            default:
                return false;
        }
    }

    private static string ParseError(string layout, string value, string layoutElem, string valueElem, string message) =>
        message.Length == 0
            ? "parsing time " + Quote(value) + " as " + Quote(layout) + ": cannot parse " + Quote(valueElem) + " as " + Quote(layoutElem)
            : "parsing time " + Quote(value) + message;

    private static bool Skip(ref string value, string prefix)
    {
        while (prefix.Length > 0)
        {
            if (prefix[0] == ' ')
            {
                if (value.Length > 0 && value[0] != ' ')
                {
                    return false;
                }

                prefix = prefix.TrimStart(' ');
                value = value.TrimStart(' ');
                continue;
            }

            if (value.Length == 0 || value[0] != prefix[0])
            {
                return false;
            }

            prefix = prefix[1..];
            value = value[1..];
        }

        return true;
    }

    private static bool GetNum(ref string s, bool fixedWidth, out int n)
    {
        n = 0;
        if (s.Length == 0 || !char.IsAsciiDigit(s[0]))
        {
            return false;
        }

        if (s.Length < 2 || !char.IsAsciiDigit(s[1]))
        {
            if (fixedWidth)
            {
                return false;
            }

            n = s[0] - '0';
            s = s[1..];
            return true;
        }

        n = (s[0] - '0') * 10 + (s[1] - '0');
        s = s[2..];
        return true;
    }

    private static bool GetNum3(ref string s, bool fixedWidth, out int n)
    {
        n = 0;
        var i = 0;
        for (; i < 3 && i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            n = n * 10 + (s[i] - '0');
        }

        if (i == 0 || fixedWidth && i != 3)
        {
            return false;
        }

        s = s[i..];
        return true;
    }

    /// <summary>Go's time atoi: an optional sign and decimal digits, all of the text.</summary>
    private static bool TryAtoi(string s, out long x)
    {
        x = 0;
        var neg = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            neg = s[0] == '-';
            s = s[1..];
        }

        if (s.Length == 0 || !s.All(char.IsAsciiDigit) || s.Length > 18)
        {
            return false;
        }

        x = long.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
        if (neg)
        {
            x = -x;
        }

        return true;
    }

    private static bool ParseNanoseconds(string value, int nbytes, out int ns, ref string? rangeError)
    {
        ns = 0;
        if (value[0] is not ('.' or ','))
        {
            return false;
        }

        if (nbytes > 10)
        {
            nbytes = 10;
        }

        if (!TryAtoi(value[1..nbytes], out var x))
        {
            return false;
        }

        if (x < 0)
        {
            rangeError = "fractional second";
            return true;
        }

        for (var i = 0; i < 10 - nbytes; i++)
        {
            x *= 10;
        }

        ns = (int)x;
        return true;
    }

    /// <summary>Go's lookup: a case-insensitive (ASCII) prefix match against a table of names.</summary>
    private static bool Lookup(string[] table, ref string value, out int index)
    {
        for (var i = 0; i < table.Length; i++)
        {
            var name = table[i];
            if (value.Length >= name.Length && string.Compare(value, 0, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0
                && value[..name.Length].All(char.IsAscii))
            {
                value = value[name.Length..];
                index = i;
                return true;
            }
        }

        index = -1;
        return false;
    }

    /// <summary>Go's parseTimeZone: the length of a zone abbreviation at the start of the value, or 0.</summary>
    private static int ParseTimeZone(string value)
    {
        if (value.Length < 3)
        {
            return 0;
        }

        if (value.Length >= 4 && (value.StartsWith("ChST", StringComparison.Ordinal) || value.StartsWith("MeST", StringComparison.Ordinal)))
        {
            return 4;
        }

        if (value.StartsWith("GMT", StringComparison.Ordinal))
        {
            return value.Length == 3 ? 3 : 3 + ParseSignedOffset(value[3..]);
        }

        if (value[0] is '+' or '-')
        {
            return ParseSignedOffset(value);
        }

        var upper = 0;
        while (upper < 6 && upper < value.Length && value[upper] is >= 'A' and <= 'Z')
        {
            upper++;
        }

        return upper switch
        {
            5 when value[4] == 'T' => 5,
            4 when value[3] == 'T' || value.StartsWith("WITA", StringComparison.Ordinal) => 4,
            3 => 3,
            _ => 0,
        };
    }

    private static int ParseSignedOffset(string value)
    {
        if (value.Length == 0 || value[0] is not ('+' or '-'))
        {
            return 0;
        }

        var i = 1;
        long x = 0;
        while (i < value.Length && char.IsAsciiDigit(value[i]))
        {
            x = x * 10 + (value[i] - '0');
            if (x > 1_000_000)
            {
                return 0;
            }

            i++;
        }

        if (i == 1 || x > 23)
        {
            return 0;
        }

        return i;
    }
}
