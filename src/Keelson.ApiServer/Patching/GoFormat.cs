using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Patching;

/// <summary>
/// Formatting that reproduces Go's output where it leaks into API responses: error messages and field paths use
/// fmt's %v and %q, managedFields use encoding/json.
/// </summary>
internal static class GoFormat
{
    /// <summary>strconv.Quote: a double-quoted Go string literal.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            var c = rune.Value;
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    continue;
                case '\\':
                    sb.Append("\\\\");
                    continue;
            }

            if (IsPrint(rune))
            {
                sb.Append(rune.ToString());
                continue;
            }

            switch (c)
            {
                case '\a':
                    sb.Append("\\a");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\v':
                    sb.Append("\\v");
                    break;
                default:
                    if (c < ' ' || c == 0x7f)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\\x{c:x2}");
                    }
                    else if (c < 0x10000)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\\u{c:x4}");
                    }
                    else
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\\U{c:x8}");
                    }

                    break;
            }
        }

        sb.Append('"');
        return sb.ToString();
    }

    private static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }

    /// <summary>fmt's %v of a float64 (strconv 'g' with the shortest precision).</summary>
    public static string FloatV(double f)
    {
        if (double.IsNaN(f))
        {
            return "NaN";
        }

        if (double.IsInfinity(f))
        {
            return f > 0 ? "+Inf" : "-Inf";
        }

        var (negative, digits, dp) = Shortest(f);
        var exp = dp - 1;
        var body = digits.Length == 0 ? "0" : exp < -4 || exp >= 6 ? Exponent(digits, dp) : Fixed(digits, dp);
        return negative ? "-" + body : body;
    }

    /// <summary>encoding/json's rendering of a float64.</summary>
    public static string JsonFloat(double f)
    {
        var (negative, digits, dp) = Shortest(f);
        var abs = Math.Abs(f);
        string body;
        if (digits.Length == 0)
        {
            body = "0";
        }
        else if (abs < 1e-6 || abs >= 1e21)
        {
            body = Exponent(digits, dp);
            // encoding/json writes e-7, not e-07.
            if (body.Length >= 4 && body[^4] == 'e' && body[^3] == '-' && body[^2] == '0')
            {
                body = body[..^2] + body[^1];
            }
        }
        else
        {
            body = Fixed(digits, dp);
        }

        return negative ? "-" + body : body;
    }

    private static (bool Negative, string Digits, int DecimalPoint) Shortest(double f)
    {
        var text = f.ToString("R", CultureInfo.InvariantCulture);
        var negative = text.StartsWith('-');
        if (negative)
        {
            text = text[1..];
        }

        var exp = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exp = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        var intPart = point >= 0 ? text[..point] : text;
        var fracPart = point >= 0 ? text[(point + 1)..] : "";
        var digits = intPart + fracPart;
        var dp = intPart.Length + exp;
        var lead = 0;
        while (lead < digits.Length && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..].TrimEnd('0');
        dp -= lead;
        return (negative, digits, dp);
    }

    private static string Fixed(string digits, int dp)
    {
        if (dp <= 0)
        {
            return "0." + new string('0', -dp) + digits;
        }

        if (dp >= digits.Length)
        {
            return digits + new string('0', dp - digits.Length);
        }

        return digits[..dp] + "." + digits[dp..];
    }

    private static string Exponent(string digits, int dp)
    {
        var exp = dp - 1;
        var mantissa = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
        var sign = exp < 0 ? '-' : '+';
        var magnitude = Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        return mantissa + "e" + sign + magnitude;
    }

    /// <summary>A JSON string the way Go's encoding/json writes it (HTML characters escaped).</summary>
    public static void WriteJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '<':
                case '>':
                case '&':
                case '\u2028':
                case '\u2029':
                    sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    if (c < ' ')
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>fmt's %v of a value decoded by encoding/json into interface{} (maps sorted, numbers float64).</summary>
    public static string Value(JsonNode? node)
    {
        var sb = new StringBuilder();
        WriteValue(sb, node);
        return sb.ToString();
    }

    private static void WriteValue(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("<nil>");
                return;
            case JsonObject obj:
                sb.Append("map[");
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        sb.Append(' ');
                    }

                    first = false;
                    sb.Append(key).Append(':');
                    WriteValue(sb, value);
                }

                sb.Append(']');
                return;
            case JsonArray arr:
                sb.Append('[');
                for (var i = 0; i < arr.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(' ');
                    }

                    WriteValue(sb, arr[i]);
                }

                sb.Append(']');
                return;
        }

        var v = node.AsValue();
        switch (JsonValues.KindOf(v))
        {
            case ValueKind.String:
                sb.Append(v.GetValue<string>());
                break;
            case ValueKind.Bool:
                sb.Append(JsonValues.BoolOf(v) ? "true" : "false");
                break;
            case ValueKind.Int:
            case ValueKind.Float:
                sb.Append(FloatV(JsonValues.NumberOf(v).Float));
                break;
            default:
                sb.Append("<nil>");
                break;
        }
    }
}
