using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Keelson.Templating.Net;

/// <summary>
/// Sprig's random functions. The string generators draw from crypto randomness over Sprig 3's character sets
/// (goutils' CryptoRandom: letters and digits of ' '..'z', or every printable ASCII character); randInt and shuffle
/// use an ordinary generator, as Go's math/rand does.
/// </summary>
internal static class SprigRandom
{
    private const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Digits = "0123456789";

    public static string AlphaNumeric(nint count) => FromSet(count, Letters + Digits);

    public static string Alpha(nint count) => FromSet(count, Letters);

    public static string Numeric(nint count) => FromSet(count, Digits);

    /// <summary>Printable ASCII, ' ' to '~'.</summary>
    public static string Ascii(nint count)
    {
        if (count <= 0)
        {
            return "";
        }

        var chars = new char[count];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)RandomNumberGenerator.GetInt32(32, 127);
        }

        return new string(chars);
    }

    /// <summary>A negative count is an error goutils reports and Sprig drops: the result is "".</summary>
    private static string FromSet(nint count, string set) =>
        count <= 0 ? "" : RandomNumberGenerator.GetString(set, checked((int)count));

    /// <summary>rand.Intn(max-min) + min, with Go's panic for an empty range.</summary>
    public static nint Int(nint min, nint max)
    {
        var n = unchecked(max - min);
        if (n <= 0)
        {
            throw new InvalidOperationException("invalid argument to Intn");
        }

        return unchecked((nint)Random.Shared.NextInt64(n) + min);
    }

    /// <summary>xstrings.Shuffle: a random permutation of the characters (runes).</summary>
    public static string Shuffle(string s)
    {
        if (s.Length == 0)
        {
            return s;
        }

        var runes = s.EnumerateRunes().ToArray();
        for (var i = runes.Length - 1; i > 0; i--)
        {
            var j = Random.Shared.Next(i + 1);
            (runes[i], runes[j]) = (runes[j], runes[i]);
        }

        var sb = new StringBuilder(s.Length);
        foreach (var r in runes)
        {
            sb.Append(r.ToString());
        }

        return sb.ToString();
    }

    /// <summary>uuid.New().String(): a random (version 4, RFC 4122 variant) UUID in lower case.</summary>
    public static string UuidV4()
    {
        Span<byte> b = stackalloc byte[16];
        RandomNumberGenerator.Fill(b);
        b[6] = (byte)(b[6] & 0x0f | 0x40);
        b[8] = (byte)(b[8] & 0x3f | 0x80);
        var hex = Convert.ToHexStringLower(b);
        return string.Create(CultureInfo.InvariantCulture, $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}");
    }
}
