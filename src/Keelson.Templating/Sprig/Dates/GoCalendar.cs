namespace Keelson.Templating.Dates;

/// <summary>
/// Proleptic Gregorian calendar arithmetic on Unix days, over Go's whole range of years (DateTime stops at 9999).
/// </summary>
internal static class GoCalendar
{
    private static readonly int[] DaysBeforeMonth = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

    public static bool IsLeap(long year) => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

    /// <summary>Days in the months before <paramref name="month"/> of a common year (1-12; 13 gives 365).</summary>
    public static int DaysBefore(int month) => DaysBeforeMonth[month - 1];

    public static int DaysIn(int month, long year) =>
        month == 2 && IsLeap(year) ? 29 : DaysBeforeMonth[month] - DaysBeforeMonth[month - 1];

    /// <summary>Days from 1970-01-01 to the date (Howard Hinnant's days_from_civil).</summary>
    public static long DaysFromCivil(long year, int month, int day)
    {
        var y = month <= 2 ? year - 1 : year;
        var era = FloorDiv(y, 400);
        var yoe = y - era * 400;
        var mp = (month + 9) % 12;
        var doy = (153 * mp + 2) / 5 + day - 1;
        var doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    /// <summary>The date of a day counted from 1970-01-01 (Hinnant's civil_from_days).</summary>
    public static (long Year, int Month, int Day) CivilFromDays(long days)
    {
        var z = days + 719468;
        var era = FloorDiv(z, 146097);
        var doe = z - era * 146097;
        var yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        var y = yoe + era * 400;
        var doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        var mp = (5 * doy + 2) / 153;
        var d = (int)(doy - (153 * mp + 2) / 5 + 1);
        var m = (int)(mp < 10 ? mp + 3 : mp - 9);
        return (m <= 2 ? y + 1 : y, m, d);
    }

    /// <summary>The year and the 0-based day of the year of a Unix second (UTC).</summary>
    public static (long Year, long YearDay) YearAndYearDay(long unixSeconds)
    {
        var days = FloorDiv(unixSeconds, 86400);
        var (y, _, _) = CivilFromDays(days);
        return (y, days - DaysFromCivil(y, 1, 1));
    }

    public static long FloorDiv(long a, long b)
    {
        var q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }

    public static long FloorMod(long a, long b) => a - FloorDiv(a, b) * b;
}
