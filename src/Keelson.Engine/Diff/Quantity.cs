using System.Globalization;

namespace Keelson.Engine.Diff;

/// <summary>
/// Kubernetes resource quantities (<c>500m</c>, <c>1Gi</c>, <c>1e3</c>) reduced to one spelling per value, so
/// <c>1000m</c> and <c>1</c> compare equal. Only for comparing: the result is a plain decimal, not what the API prints.
/// Public for the operator's size flags, which take the same spellings as a pod's resources.
/// </summary>
public static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m), ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m),
        ("P", 1e15m), ("E", 1e18m),
    ];

    /// <summary>The value as a plain decimal without trailing zeros, or null when the text is not a quantity.</summary>
    public static string? Canonical(string text) =>
        // Dividing by 1.000... drops trailing zeros: 1.000 becomes 1.
        TryParse(text, out var value) ? (value / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture) : null;

    /// <summary>Reads a quantity (<c>2Gi</c>, <c>500M</c>, <c>1e3</c>); false when the text is not one or overflows.</summary>
    public static bool TryParse(string text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            return false;
        }

        var number = text;
        var factor = 1m;
        foreach (var (suffix, f) in Suffixes)
        {
            // "E" is a suffix only when it does not start an exponent ("1E" is an exa, "1E3" a thousand).
            if (text.EndsWith(suffix, StringComparison.Ordinal) && text.Length > suffix.Length)
            {
                number = text[..^suffix.Length];
                factor = f;
                break;
            }
        }

        if (number.Length == 0 || !(char.IsAsciiDigit(number[^1]) || number[^1] == '.'))
        {
            return false;
        }

        foreach (var c in number)
        {
            if (!(char.IsAsciiDigit(c) || c is '.' or '+' or '-' or 'e' or 'E'))
            {
                return false;
            }
        }

        try
        {
            if (!decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var parsed))
            {
                return false;
            }

            value = parsed * factor;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
