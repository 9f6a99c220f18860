using System.Globalization;
using System.Text;

namespace Keelson.Templating;

/// <summary>
/// Go's view of strings for the Sprig functions: code points ("runes") and UTF-8 byte offsets over .NET's UTF-16
/// strings, and Go's unicode package predicates and case mappings. .NET's invariant tables are used (they follow a
/// newer Unicode than Go 1.19, as Helm's Go does) with the few places where Go deliberately differs patched in.
/// </summary>
internal static class GoText
{
    /// <summary>What Go decodes an invalid UTF-8 sequence (here: a lone surrogate) to.</summary>
    public const int RuneError = 0xFFFD;

    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static bool IsAscii(string s)
    {
        foreach (var c in s)
        {
            if (c >= 0x80)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The code point at <paramref name="i"/> and how many UTF-16 units it takes (a lone surrogate is U+FFFD, 1 unit).</summary>
    public static int RuneAt(string s, int i, out int width)
    {
        var c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(c, s[i + 1]);
        }

        width = 1;
        return char.IsSurrogate(c) ? RuneError : c;
    }

    /// <summary>Bytes the code point takes in UTF-8.</summary>
    public static int Utf8Width(int r) => r < 0x80 ? 1 : r < 0x800 ? 2 : r < 0x10000 ? 3 : 4;

    public static void AppendRune(StringBuilder sb, int r)
    {
        if (r < 0x10000)
        {
            sb.Append((char)r);
        }
        else
        {
            r -= 0x10000;
            sb.Append((char)(0xD800 + (r >> 10))).Append((char)(0xDC00 + (r & 0x3FF)));
        }
    }

    public static byte[] ToUtf8(string s) => Utf8.GetBytes(s);

    /// <summary>Go's string(bytes): invalid sequences become U+FFFD in .NET (Go would keep the raw bytes).</summary>
    public static string FromUtf8(ReadOnlySpan<byte> bytes) => Utf8.GetString(bytes);

    /// <summary>s[from:to] in UTF-8 byte offsets, as Go slices strings (a split character becomes U+FFFD).</summary>
    public static string ByteSlice(string s, int from, int to)
    {
        if (IsAscii(s))
        {
            return s.Substring(from, to - from);
        }

        var bytes = ToUtf8(s);
        return FromUtf8(bytes.AsSpan(from, to - from));
    }

    // ---- unicode package ----

    /// <summary>unicode.IsSpace.</summary>
    public static bool IsSpace(int r)
    {
        if (r <= 0xFF)
        {
            return r is '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or 0x85 or 0xA0;
        }

        return r is 0x1680 or (>= 0x2000 and <= 0x200A) or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;
    }

    public static UnicodeCategory Category(int r) =>
        r is >= 0xD800 and <= 0xDFFF ? UnicodeCategory.Surrogate : CharUnicodeInfo.GetUnicodeCategory(r);

    public static bool IsUpper(int r) => r < 0x80 ? r is >= 'A' and <= 'Z' : Category(r) == UnicodeCategory.UppercaseLetter;

    public static bool IsLower(int r) => r < 0x80 ? r is >= 'a' and <= 'z' : Category(r) == UnicodeCategory.LowercaseLetter;

    public static bool IsTitle(int r) => r >= 0x80 && Category(r) == UnicodeCategory.TitlecaseLetter;

    public static bool IsLetter(int r)
    {
        if (r < 0x80)
        {
            return (uint)((r | 0x20) - 'a') <= 'z' - 'a';
        }

        return Category(r) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter;
    }

    /// <summary>unicode.IsDigit: decimal digits (Nd).</summary>
    public static bool IsDigit(int r) => r < 0x80 ? r is >= '0' and <= '9' : Category(r) == UnicodeCategory.DecimalDigitNumber;

    /// <summary>unicode.IsNumber: N (Nd, Nl, No).</summary>
    public static bool IsNumber(int r) => r < 0x80
        ? r is >= '0' and <= '9'
        : Category(r) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    /// <summary>unicode.IsPunct: P.</summary>
    public static bool IsPunct(int r) => Category(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
        or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    /// <summary>unicode.ToUpper (simple case mapping; Go keeps ı → I, which .NET's invariant casing leaves out).</summary>
    public static int ToUpper(int r)
    {
        if (r < 0x80)
        {
            return r is >= 'a' and <= 'z' ? r - 32 : r;
        }

        if (r == 0x131)
        {
            return 'I';
        }

        return r is >= 0xD800 and <= 0xDFFF or > 0x10FFFF ? r : Rune.ToUpperInvariant(new Rune(r)).Value;
    }

    /// <summary>unicode.ToLower (Go keeps İ → i, which .NET's invariant casing leaves out).</summary>
    public static int ToLower(int r)
    {
        if (r < 0x80)
        {
            return r is >= 'A' and <= 'Z' ? r + 32 : r;
        }

        if (r == 0x130)
        {
            return 'i';
        }

        return r is >= 0xD800 and <= 0xDFFF or > 0x10FFFF ? r : Rune.ToLowerInvariant(new Rune(r)).Value;
    }

    /// <summary>unicode.ToTitle: upper case except the digraphs (DŽ → Dž) and Georgian, whose title case is itself.</summary>
    public static int ToTitle(int r)
    {
        switch (r)
        {
            case >= 0x1C4 and <= 0x1C6:
                return 0x1C5;
            case >= 0x1C7 and <= 0x1C9:
                return 0x1C8;
            case >= 0x1CA and <= 0x1CC:
                return 0x1CB;
            case >= 0x1F1 and <= 0x1F3:
                return 0x1F2;
            case (>= 0x10D0 and <= 0x10FA) or (>= 0x10FD and <= 0x10FF):
                return r;
            default:
                return ToUpper(r);
        }
    }

    /// <summary>
    /// unicode.SimpleFold: the next code point of r's case-folding orbit. Orbits of more than two members (k, K, K
    /// Kelvin sign...) and the few mappings Go treats specially come from Go's caseOrbit table.
    /// </summary>
    public static int SimpleFold(int r)
    {
        if (r is < 0 or > 0x10FFFF)
        {
            return r;
        }

        switch (r)
        {
            case 0x4B: return 0x6B;
            case 0x53: return 0x73;
            case 0x6B: return 0x212A;
            case 0x73: return 0x17F;
            case 0xB5: return 0x39C;
            case 0xC5: return 0xE5;
            case 0xDF: return 0x1E9E;
            case 0xE5: return 0x212B;
            case 0x130: return 0x130;
            case 0x131: return 0x131;
            case 0x17F: return 0x53;
            case 0x1C4: return 0x1C5;
            case 0x1C5: return 0x1C6;
            case 0x1C6: return 0x1C4;
            case 0x1C7: return 0x1C8;
            case 0x1C8: return 0x1C9;
            case 0x1C9: return 0x1C7;
            case 0x1CA: return 0x1CB;
            case 0x1CB: return 0x1CC;
            case 0x1CC: return 0x1CA;
            case 0x1F1: return 0x1F2;
            case 0x1F2: return 0x1F3;
            case 0x1F3: return 0x1F1;
            case 0x345: return 0x399;
            case 0x392: return 0x3B2;
            case 0x395: return 0x3B5;
            case 0x398: return 0x3B8;
            case 0x399: return 0x3B9;
            case 0x39A: return 0x3BA;
            case 0x39C: return 0x3BC;
            case 0x3A0: return 0x3C0;
            case 0x3A1: return 0x3C1;
            case 0x3A3: return 0x3C2;
            case 0x3A6: return 0x3C6;
            case 0x3A9: return 0x3C9;
            case 0x3B2: return 0x3D0;
            case 0x3B5: return 0x3F5;
            case 0x3B8: return 0x3D1;
            case 0x3B9: return 0x1FBE;
            case 0x3BA: return 0x3F0;
            case 0x3BC: return 0xB5;
            case 0x3C0: return 0x3D6;
            case 0x3C1: return 0x3F1;
            case 0x3C2: return 0x3C3;
            case 0x3C3: return 0x3A3;
            case 0x3C6: return 0x3D5;
            case 0x3C9: return 0x2126;
            case 0x3D0: return 0x392;
            case 0x3D1: return 0x3F4;
            case 0x3D5: return 0x3A6;
            case 0x3D6: return 0x3A0;
            case 0x3F0: return 0x39A;
            case 0x3F1: return 0x3A1;
            case 0x3F4: return 0x398;
            case 0x3F5: return 0x395;
            case 0x412: return 0x432;
            case 0x414: return 0x434;
            case 0x41E: return 0x43E;
            case 0x421: return 0x441;
            case 0x422: return 0x442;
            case 0x42A: return 0x44A;
            case 0x432: return 0x1C80;
            case 0x434: return 0x1C81;
            case 0x43E: return 0x1C82;
            case 0x441: return 0x1C83;
            case 0x442: return 0x1C84;
            case 0x44A: return 0x1C86;
            case 0x462: return 0x463;
            case 0x463: return 0x1C87;
            case 0x1C80: return 0x412;
            case 0x1C81: return 0x414;
            case 0x1C82: return 0x41E;
            case 0x1C83: return 0x421;
            case 0x1C84: return 0x1C85;
            case 0x1C85: return 0x422;
            case 0x1C86: return 0x42A;
            case 0x1C87: return 0x462;
            case 0x1C88: return 0xA64A;
            case 0x1E60: return 0x1E61;
            case 0x1E61: return 0x1E9B;
            case 0x1E9B: return 0x1E60;
            case 0x1E9E: return 0xDF;
            case 0x1FBE: return 0x345;
            case 0x2126: return 0x3A9;
            case 0x212A: return 0x4B;
            case 0x212B: return 0xC5;
            case 0xA64A: return 0xA64B;
            case 0xA64B: return 0x1C88;
        }

        var lower = ToLower(r);
        return lower != r ? lower : ToUpper(r);
    }

    /// <summary>Maps every code point of s (Go's strings.Map with a total mapping).</summary>
    public static string MapRunes(string s, Func<int, int> map)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length;)
        {
            var r = RuneAt(s, i, out var w);
            AppendRune(sb, map(r));
            i += w;
        }

        return sb.ToString();
    }
}
