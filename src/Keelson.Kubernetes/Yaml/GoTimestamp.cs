namespace Keelson.Kubernetes.Yaml;

/// <summary>
/// Whether go-yaml v2 would read a plain scalar as a timestamp. It tries Go's time.Parse with four layouts:
/// "2006-1-2T15:4:5.999999999Z07:00", the same with a lower-case "t", "2006-1-2 15:4:5.999999999" and "2006-1-2".
/// Only the yes/no matters: sigs.k8s.io/yaml hands timestamps on as the original text, but a string that looks like
/// one must be quoted when written.
/// </summary>
internal static class GoTimestamp
{
    public static bool IsTimestamp(ReadOnlySpan<char> s)
    {
        // go-yaml's quick check: every accepted layout starts with a four-digit year and a dash.
        if (s.Length < 5 || !char.IsAsciiDigit(s[0]) || !char.IsAsciiDigit(s[1]) || !char.IsAsciiDigit(s[2])
            || !char.IsAsciiDigit(s[3]) || s[4] != '-')
        {
            return false;
        }

        return Matches(s, 'T', zone: true) || Matches(s, 't', zone: true) || Matches(s, ' ', zone: false)
            || Matches(s, '\0', zone: false);
    }

    private static bool Matches(ReadOnlySpan<char> v, char separator, bool zone)
    {
        var year = ((v[0] - '0') * 1000) + ((v[1] - '0') * 100) + ((v[2] - '0') * 10) + (v[3] - '0');
        v = v[5..];
        if (!Number(ref v, out var month) || month is < 1 or > 12 || !Literal(ref v, '-') || !Number(ref v, out var day))
        {
            return false;
        }

        if (separator != '\0')
        {
            if (separator == ' ')
            {
                // A space in a Go layout matches any run of spaces (and an empty rest, which then fails below).
                if (v.Length > 0 && v[0] != ' ')
                {
                    return false;
                }

                v = v.TrimStart(' ');
            }
            else if (!Literal(ref v, separator))
            {
                return false;
            }

            if (!Number(ref v, out var hour) || hour >= 24 || !Literal(ref v, ':') || !Number(ref v, out var minute)
                || minute >= 60 || !Literal(ref v, ':') || !Number(ref v, out var second) || second >= 60)
            {
                return false;
            }

            // Fractional seconds: a '.' or ',' followed by any number of digits, optional.
            if (v.Length >= 2 && v[0] is '.' or ',' && char.IsAsciiDigit(v[1]))
            {
                var i = 1;
                while (i < v.Length && char.IsAsciiDigit(v[i]))
                {
                    i++;
                }

                v = v[i..];
            }

            if (zone && !Zone(ref v))
            {
                return false;
            }
        }

        return v.IsEmpty && day >= 1 && day <= DaysIn(month, year);
    }

    private static bool Zone(ref ReadOnlySpan<char> v)
    {
        if (v.Length >= 1 && v[0] == 'Z')
        {
            v = v[1..];
            return true;
        }

        if (v.Length < 6 || v[3] != ':' || !char.IsAsciiDigit(v[1]) || !char.IsAsciiDigit(v[2])
            || !char.IsAsciiDigit(v[4]) || !char.IsAsciiDigit(v[5]))
        {
            return false;
        }

        var hours = ((v[1] - '0') * 10) + (v[2] - '0');
        var minutes = ((v[4] - '0') * 10) + (v[5] - '0');
        if (hours > 24 || minutes > 60 || v[0] is not ('+' or '-'))
        {
            return false;
        }

        v = v[6..];
        return true;
    }

    // Go's getnum with fixed=false: one or two digits.
    private static bool Number(ref ReadOnlySpan<char> v, out int value)
    {
        value = 0;
        if (v.IsEmpty || !char.IsAsciiDigit(v[0]))
        {
            return false;
        }

        if (v.Length < 2 || !char.IsAsciiDigit(v[1]))
        {
            value = v[0] - '0';
            v = v[1..];
            return true;
        }

        value = ((v[0] - '0') * 10) + (v[1] - '0');
        v = v[2..];
        return true;
    }

    private static bool Literal(ref ReadOnlySpan<char> v, char c)
    {
        if (v.IsEmpty || v[0] != c)
        {
            return false;
        }

        v = v[1..];
        return true;
    }

    private static int DaysIn(int month, int year) => month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : month switch
    {
        2 => 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };
}
