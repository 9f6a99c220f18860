namespace Keelson.Templating;

/// <summary>
/// b64enc/b64dec and b32enc/b32dec with Go's standard (padded) encodings. A decoding error is not a failure in
/// Sprig: the function returns Go's error text ("illegal base64 data at input byte 3") instead of the data.
/// </summary>
internal static class SprigEncoding
{
    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static readonly GoType S = GoType.String;

    public static void Add(List<GoFunction> f)
    {
        f.Add(Fn.Of("b64enc", S, [S], static (_, a) => Convert.ToBase64String(GoText.ToUtf8(Fn.Str(a[0])))));
        f.Add(Fn.Of("b64dec", S, [S], static (_, a) => Base64Decode(Fn.Str(a[0]))));
        f.Add(Fn.Of("b32enc", S, [S], static (_, a) => Base32Encode(GoText.ToUtf8(Fn.Str(a[0])))));
        f.Add(Fn.Of("b32dec", S, [S], static (_, a) => Base32Decode(Fn.Str(a[0]))));
    }

    /// <summary>base64.StdEncoding.DecodeString: padding required, CR and LF ignored, error offsets in bytes.</summary>
    public static string Base64Decode(string s)
    {
        var src = GoText.ToUtf8(s);
        var dst = new List<byte>(src.Length * 3 / 4);
        var si = 0;
        Span<byte> buf = stackalloc byte[4];
        while (si < src.Length)
        {
            var dlen = 4;
            var j = 0;
            var trailing = -1;
            for (; j < 4; j++)
            {
                if (si == src.Length)
                {
                    if (j == 0)
                    {
                        return GoText.FromUtf8(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dst));
                    }

                    return Corrupt("base64", si - j);
                }

                var c = src[si++];
                var v = Base64Alphabet.IndexOf((char)c, StringComparison.Ordinal);
                if (v >= 0 && c < 0x80)
                {
                    buf[j] = (byte)v;
                    continue;
                }

                if (c is (byte)'\n' or (byte)'\r')
                {
                    j--;
                    continue;
                }

                if (c != '=')
                {
                    return Corrupt("base64", si - 1);
                }

                // Padding: the end of the data.
                if (j < 2)
                {
                    return Corrupt("base64", si - 1);
                }

                if (j == 2)
                {
                    while (si < src.Length && src[si] is (byte)'\n' or (byte)'\r')
                    {
                        si++;
                    }

                    if (si == src.Length)
                    {
                        return Corrupt("base64", src.Length);
                    }

                    if (src[si] != '=')
                    {
                        return Corrupt("base64", si - 1);
                    }

                    si++;
                }

                while (si < src.Length && src[si] is (byte)'\n' or (byte)'\r')
                {
                    si++;
                }

                if (si < src.Length)
                {
                    trailing = si;
                }

                dlen = j;
                break;
            }

            var val = buf[0] << 18 | buf[1] << 12 | (dlen > 2 ? buf[2] : 0) << 6 | (dlen > 3 ? buf[3] : 0);
            dst.Add((byte)(val >> 16));
            if (dlen > 2)
            {
                dst.Add((byte)(val >> 8));
            }

            if (dlen > 3)
            {
                dst.Add((byte)val);
            }

            if (trailing >= 0)
            {
                return Corrupt("base64", trailing);
            }

            if (dlen < 4)
            {
                break;
            }
        }

        return GoText.FromUtf8(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dst));
    }

    public static string Base32Encode(ReadOnlySpan<byte> data)
    {
        var sb = new System.Text.StringBuilder((data.Length + 4) / 5 * 8);
        for (var i = 0; i < data.Length; i += 5)
        {
            var n = Math.Min(5, data.Length - i);
            ulong block = 0;
            for (var k = 0; k < 5; k++)
            {
                block = block << 8 | (k < n ? data[i + k] : (byte)0);
            }

            var chars = n switch { 1 => 2, 2 => 4, 3 => 5, 4 => 7, _ => 8 };
            for (var k = 0; k < 8; k++)
            {
                sb.Append(k < chars ? Base32Alphabet[(int)(block >> (35 - k * 5)) & 31] : '=');
            }
        }

        return sb.ToString();
    }

    /// <summary>base32.StdEncoding.DecodeString: CR and LF are removed first, then 8-character groups with padding.</summary>
    public static string Base32Decode(string s)
    {
        var raw = GoText.ToUtf8(s);
        var src = new List<byte>(raw.Length);
        foreach (var b in raw)
        {
            if (b is not ((byte)'\r' or (byte)'\n'))
            {
                src.Add(b);
            }
        }

        var olen = src.Count;
        var pos = 0;
        var dst = new List<byte>(olen * 5 / 8);
        Span<byte> buf = stackalloc byte[8];
        var end = false;
        while (pos < olen && !end)
        {
            buf.Clear();
            var dlen = 8;
            for (var j = 0; j < 8;)
            {
                if (pos == olen)
                {
                    return Corrupt("base32", olen - (olen - pos) - j);
                }

                var c = src[pos++];
                var left = olen - pos;
                if (c == '=' && j >= 2 && left < 8)
                {
                    if (left + j < 8 - 1)
                    {
                        return Corrupt("base32", olen);
                    }

                    for (var k = 0; k < 8 - 1 - j; k++)
                    {
                        if (left > k && src[pos + k] != '=')
                        {
                            return Corrupt("base32", olen - left + k - 1);
                        }
                    }

                    dlen = j;
                    end = true;
                    if (dlen is 1 or 3 or 6)
                    {
                        return Corrupt("base32", olen - left - 1);
                    }

                    break;
                }

                var v = c < 0x80 ? Base32Alphabet.IndexOf((char)c, StringComparison.Ordinal) : -1;
                if (v < 0)
                {
                    return Corrupt("base32", olen - left - 1);
                }

                buf[j++] = (byte)v;
            }

            var bytes = dlen switch { 8 => 5, 7 => 4, 5 => 3, 4 => 2, 2 => 1, _ => 0 };
            ulong block = 0;
            for (var k = 0; k < 8; k++)
            {
                block = block << 5 | buf[k];
            }

            for (var k = 0; k < bytes; k++)
            {
                dst.Add((byte)(block >> (32 - k * 8)));
            }
        }

        return GoText.FromUtf8(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dst));
    }

    private static string Corrupt(string encoding, int offset) =>
        "illegal " + encoding + " data at input byte " + offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
