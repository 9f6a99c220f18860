namespace Keelson.Templating.Dates;

/// <summary>
/// The POSIX TZ rule in a TZif footer ("CET-1CEST,M3.5.0,M10.5.0/3"), which gives the zone for instants after the
/// file's last transition. Go's tzset, rule for rule, including the interval it reports around the answer.
/// </summary>
internal static class PosixRule
{
    private const long SecondsPerDay = 86400;

    private enum RuleKind
    {
        Julian,
        DayOfYear,
        MonthWeekDay,
    }

    public static bool TryLookup(string rule, long lastTransition, long sec, out (string Name, int Offset, long Start, long End, bool IsDst) result)
    {
        result = default;
        var s = rule.AsSpan();
        if (!TryName(ref s, out var stdName) || !TryOffset(ref s, out var stdOffset))
        {
            return false;
        }

        stdOffset = -stdOffset;
        if (s.Length == 0 || s[0] == ',')
        {
            // No daylight saving time.
            result = (stdName, stdOffset, lastTransition, GoLocation.Omega, false);
            return true;
        }

        if (!TryName(ref s, out var dstName))
        {
            return false;
        }

        int dstOffset;
        if (s.Length == 0 || s[0] == ',')
        {
            dstOffset = stdOffset + 3600;
        }
        else
        {
            if (!TryOffset(ref s, out dstOffset))
            {
                return false;
            }

            dstOffset = -dstOffset;
        }

        if (s.Length == 0)
        {
            // tzcode's default rules.
            s = ",M3.2.0,M11.1.0";
        }

        if (s[0] != ',' && s[0] != ';')
        {
            return false;
        }

        s = s[1..];
        if (!TryRule(ref s, out var startRule) || s.Length == 0 || s[0] != ',')
        {
            return false;
        }

        s = s[1..];
        if (!TryRule(ref s, out var endRule) || s.Length > 0)
        {
            return false;
        }

        var (year, yday) = GoCalendar.YearAndYearDay(sec);
        var ysec = yday * SecondsPerDay + sec % SecondsPerDay;
        var yearStart = GoCalendar.DaysFromCivil(year, 1, 1) * SecondsPerDay;
        long startSec = RuleTime(year, startRule, stdOffset);
        long endSec = RuleTime(year, endRule, dstOffset);
        bool dstIsDst = true, stdIsDst = false;
        if (endSec < startSec)
        {
            // Southern hemisphere: swap, keeping the labels, as Go does.
            (startSec, endSec) = (endSec, startSec);
            (stdName, dstName) = (dstName, stdName);
            (stdOffset, dstOffset) = (dstOffset, stdOffset);
            (stdIsDst, dstIsDst) = (dstIsDst, stdIsDst);
        }

        if (ysec < startSec)
        {
            result = (stdName, stdOffset, yearStart, startSec + yearStart, stdIsDst);
        }
        else if (ysec >= endSec)
        {
            result = (stdName, stdOffset, endSec + yearStart, yearStart + 365 * SecondsPerDay, stdIsDst);
        }
        else
        {
            result = (dstName, dstOffset, startSec + yearStart, endSec + yearStart, dstIsDst);
        }

        return true;
    }

    private static bool TryName(ref ReadOnlySpan<char> s, out string name)
    {
        name = "";
        if (s.Length == 0)
        {
            return false;
        }

        if (s[0] != '<')
        {
            var i = 0;
            while (i < s.Length && !"0123456789,-+".Contains(s[i]))
            {
                i++;
            }

            if (i < 3)
            {
                return false;
            }

            name = s[..i].ToString();
            s = s[i..];
            return true;
        }

        var close = s.IndexOf('>');
        if (close < 0)
        {
            return false;
        }

        name = s[1..close].ToString();
        s = s[(close + 1)..];
        return true;
    }

    private static bool TryOffset(ref ReadOnlySpan<char> s, out int offset)
    {
        offset = 0;
        if (s.Length == 0)
        {
            return false;
        }

        var negate = false;
        if (s[0] == '+')
        {
            s = s[1..];
        }
        else if (s[0] == '-')
        {
            negate = true;
            s = s[1..];
        }

        if (!TryNumber(ref s, 0, 24 * 7, out var hours))
        {
            return false;
        }

        offset = hours * 3600;
        if (s.Length > 0 && s[0] == ':')
        {
            s = s[1..];
            if (!TryNumber(ref s, 0, 59, out var mins))
            {
                return false;
            }

            offset += mins * 60;
            if (s.Length > 0 && s[0] == ':')
            {
                s = s[1..];
                if (!TryNumber(ref s, 0, 59, out var secs))
                {
                    return false;
                }

                offset += secs;
            }
        }

        if (negate)
        {
            offset = -offset;
        }

        return true;
    }

    private static bool TryRule(ref ReadOnlySpan<char> s, out (RuleKind Kind, int Day, int Week, int Month, int Time) rule)
    {
        rule = default;
        if (s.Length == 0)
        {
            return false;
        }

        if (s[0] == 'J')
        {
            s = s[1..];
            if (!TryNumber(ref s, 1, 365, out var jday))
            {
                return false;
            }

            rule = (RuleKind.Julian, jday, 0, 0, 0);
        }
        else if (s[0] == 'M')
        {
            s = s[1..];
            if (!TryNumber(ref s, 1, 12, out var mon) || s.Length == 0 || s[0] != '.')
            {
                return false;
            }

            s = s[1..];
            if (!TryNumber(ref s, 1, 5, out var week) || s.Length == 0 || s[0] != '.')
            {
                return false;
            }

            s = s[1..];
            if (!TryNumber(ref s, 0, 6, out var day))
            {
                return false;
            }

            rule = (RuleKind.MonthWeekDay, day, week, mon, 0);
        }
        else
        {
            if (!TryNumber(ref s, 0, 365, out var day))
            {
                return false;
            }

            rule = (RuleKind.DayOfYear, day, 0, 0, 0);
        }

        if (s.Length == 0 || s[0] != '/')
        {
            rule.Time = 2 * 3600;
            return true;
        }

        s = s[1..];
        if (!TryOffset(ref s, out var time))
        {
            return false;
        }

        rule.Time = time;
        return true;
    }

    private static bool TryNumber(ref ReadOnlySpan<char> s, int min, int max, out int value)
    {
        value = 0;
        var i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            value = value * 10 + (s[i] - '0');
            if (value > max)
            {
                return false;
            }

            i++;
        }

        if (i == 0 || value < min)
        {
            return false;
        }

        s = s[i..];
        return true;
    }

    private static int RuleTime(long year, (RuleKind Kind, int Day, int Week, int Month, int Time) r, int offset)
    {
        int s;
        switch (r.Kind)
        {
            case RuleKind.Julian:
                s = (r.Day - 1) * (int)SecondsPerDay;
                if (GoCalendar.IsLeap(year) && r.Day >= 60)
                {
                    s += (int)SecondsPerDay;
                }

                break;
            case RuleKind.DayOfYear:
                s = r.Day * (int)SecondsPerDay;
                break;
            default:
            {
                // Zeller's congruence: the weekday of the first of the month.
                var m1 = (r.Month + 9) % 12 + 1;
                var yy0 = year;
                if (r.Month <= 2)
                {
                    yy0--;
                }

                var yy1 = yy0 / 100;
                var yy2 = yy0 % 100;
                var dow = (int)(((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7);
                if (dow < 0)
                {
                    dow += 7;
                }

                var d = r.Day - dow;
                if (d < 0)
                {
                    d += 7;
                }

                for (var i = 1; i < r.Week; i++)
                {
                    if (d + 7 >= GoCalendar.DaysIn(r.Month, year))
                    {
                        break;
                    }

                    d += 7;
                }

                d += GoCalendar.DaysBefore(r.Month);
                if (GoCalendar.IsLeap(year) && r.Month > 2)
                {
                    d++;
                }

                s = d * (int)SecondsPerDay;
                break;
            }
        }

        return s + r.Time - offset;
    }
}
