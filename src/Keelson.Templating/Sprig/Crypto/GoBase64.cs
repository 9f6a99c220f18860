using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Keelson.Templating.Crypto;

/// <summary>
/// Go's base64.StdEncoding decoder: padding required, '\r' and '\n' skipped anywhere, and on bad input the byte
/// offset Go reports ("illegal base64 data at input byte 4"). .NET's decoder accepts other whitespace and reports
/// no offset, so Sprig's errors and edge cases need this one.
/// </summary>
internal static class GoBase64
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private static readonly byte[] DecodeMap = BuildMap();

    /// <summary>The decoded bytes, or the offset of the first bad input byte. Decoding stops at the error.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> src, [NotNullWhen(true)] out byte[]? result, out int errorOffset)
    {
        var dst = new byte[src.Length / 4 * 3 + 3];
        var n = 0;
        var si = 0;
        errorOffset = -1;
        while (si < src.Length)
        {
            if (!DecodeQuantum(dst.AsSpan(n), src, ref si, out var written, out errorOffset))
            {
                result = null;
                return false;
            }

            n += written;
        }

        result = dst[..n];
        return true;
    }

    /// <summary>DecodedLen of Go's padded encoding: the capacity of the slice Go's DecodeString returns.</summary>
    public static int DecodedCapacity(int encodedLength) => encodedLength / 4 * 3;

    public static string Error(int offset) => "illegal base64 data at input byte " + offset.ToString(CultureInfo.InvariantCulture);

    private static bool DecodeQuantum(Span<byte> dst, ReadOnlySpan<byte> src, ref int si, out int written, out int errorOffset)
    {
        written = 0;
        errorOffset = -1;
        Span<byte> dbuf = stackalloc byte[4];
        var dlen = 4;
        for (var j = 0; j < 4; j++)
        {
            if (src.Length == si)
            {
                if (j == 0)
                {
                    return true;
                }

                // Padding is required: a short final quantum is an error at its start.
                errorOffset = si - j;
                return false;
            }

            var input = src[si];
            si++;
            var output = DecodeMap[input];
            if (output != 0xff)
            {
                dbuf[j] = output;
                continue;
            }

            if (input is (byte)'\n' or (byte)'\r')
            {
                j--;
                continue;
            }

            if (input != '=')
            {
                errorOffset = si - 1;
                return false;
            }

            switch (j)
            {
                case 0:
                case 1:
                    errorOffset = si - 1;
                    return false;
                case 2:
                    // "==" is expected; the first '=' is consumed.
                    SkipNewlines(src, ref si);
                    if (si == src.Length)
                    {
                        errorOffset = src.Length;
                        return false;
                    }

                    if (src[si] != '=')
                    {
                        errorOffset = si - 1;
                        return false;
                    }

                    si++;
                    break;
            }

            SkipNewlines(src, ref si);
            if (si < src.Length)
            {
                // Trailing garbage after the padding.
                errorOffset = si;
                return false;
            }

            dlen = j;
            break;
        }

        var val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3];
        var b0 = (byte)(val >> 16);
        var b1 = (byte)(val >> 8);
        var b2 = (byte)val;
        switch (dlen)
        {
            case 4:
                dst[2] = b2;
                dst[1] = b1;
                dst[0] = b0;
                break;
            case 3:
                dst[1] = b1;
                dst[0] = b0;
                break;
            case 2:
                dst[0] = b0;
                break;
        }

        written = dlen - 1;
        return true;
    }

    private static void SkipNewlines(ReadOnlySpan<byte> src, ref int si)
    {
        while (si < src.Length && src[si] is (byte)'\n' or (byte)'\r')
        {
            si++;
        }
    }

    private static byte[] BuildMap()
    {
        var map = new byte[256];
        Array.Fill(map, (byte)0xff);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            map[Alphabet[i]] = (byte)i;
        }

        return map;
    }
}
