using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Keelson.Templating.Crypto;

/// <summary>
/// bcrypt as golang.org/x/crypto/bcrypt writes it: "$2a$", two-digit cost, 22 characters of salt and 31 of hash in
/// bcrypt's base64 alphabet. The BCL has no Blowfish, so it is here: the cipher's initial tables are the hexadecimal
/// digits of pi (the Blowfish specification), computed once on first use instead of pasted in as a table.
/// </summary>
internal static class Bcrypt
{
    public const int DefaultCost = 10;

    private const string Alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    // "OrpheanBeholderScryDoubt", the text bcrypt encrypts.
    private static readonly byte[] MagicText = "OrpheanBeholderScryDoubt"u8.ToArray();

    private static readonly Lazy<uint[]> PiWords = new(() => PiHex.FractionWords(18 + 4 * 256));

    /// <summary>bcrypt.GenerateFromPassword with a random salt.</summary>
    /// <exception cref="ArgumentException">The password is longer than 72 bytes (x/crypto's ErrPasswordTooLong).</exception>
    public static string Hash(string password, int cost = DefaultCost)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return Hash(Encoding.UTF8.GetBytes(password), cost, salt);
    }

    /// <summary>The hash for a given 16-byte salt (deterministic; used by tests with published vectors).</summary>
    public static string Hash(byte[] password, int cost, byte[] salt)
    {
        if (password.Length > 72)
        {
            throw new ArgumentException("bcrypt: password length exceeds 72 bytes");
        }

        var encodedSalt = Encode(salt);
        var key = new byte[password.Length + 1];
        password.CopyTo(key, 0);
        var state = Blowfish.Create(PiWords.Value);
        state.ExpandKey(key, salt);
        var rounds = 1L << cost;
        for (var i = 0L; i < rounds; i++)
        {
            state.ExpandKey(key);
            state.ExpandKey(salt);
        }

        var cipher = (byte[])MagicText.Clone();
        for (var i = 0; i < 24; i += 8)
        {
            for (var j = 0; j < 64; j++)
            {
                state.Encrypt(cipher.AsSpan(i, 8));
            }
        }

        // Bug compatibility with C bcrypt: only 23 of the 24 encrypted bytes are kept.
        return "$2a$" + cost.ToString("00", System.Globalization.CultureInfo.InvariantCulture) + "$" + encodedSalt + Encode(cipher.AsSpan(0, 23));
    }

    /// <summary>Decodes bcrypt's 22-character salt back to its 16 bytes.</summary>
    public static byte[] DecodeSalt(string encoded)
    {
        var bits = 0;
        var value = 0;
        var bytes = new List<byte>();
        foreach (var c in encoded)
        {
            var v = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (v < 0)
            {
                throw new FormatException($"bcrypt: invalid salt character {c}");
            }

            value = value << 6 | v;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(value >> bits));
                value &= (1 << bits) - 1;
            }
        }

        return bytes.ToArray();
    }

    /// <summary>Standard base64 bit order over bcrypt's alphabet, without padding.</summary>
    private static string Encode(ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder((data.Length * 4 + 2) / 3);
        var bits = 0;
        var value = 0;
        foreach (var b in data)
        {
            value = value << 8 | b;
            bits += 8;
            while (bits >= 6)
            {
                bits -= 6;
                sb.Append(Alphabet[(value >> bits) & 63]);
            }

            value &= (1 << bits) - 1;
        }

        if (bits > 0)
        {
            sb.Append(Alphabet[(value << (6 - bits)) & 63]);
        }

        return sb.ToString();
    }

    /// <summary>Blowfish's key schedule and block function, as bcrypt's expensive key setup drives them.</summary>
    private sealed class Blowfish
    {
        private readonly uint[] _p = new uint[18];
        private readonly uint[] _s0 = new uint[256];
        private readonly uint[] _s1 = new uint[256];
        private readonly uint[] _s2 = new uint[256];
        private readonly uint[] _s3 = new uint[256];

        public static Blowfish Create(uint[] pi)
        {
            var b = new Blowfish();
            pi.AsSpan(0, 18).CopyTo(b._p);
            pi.AsSpan(18, 256).CopyTo(b._s0);
            pi.AsSpan(18 + 256, 256).CopyTo(b._s1);
            pi.AsSpan(18 + 512, 256).CopyTo(b._s2);
            pi.AsSpan(18 + 768, 256).CopyTo(b._s3);
            return b;
        }

        /// <summary>x/crypto's ExpandKey (salt empty) or expandKeyWithSalt: key words into P, then re-encrypt all tables.</summary>
        public void ExpandKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt = default)
        {
            var j = 0;
            for (var i = 0; i < 18; i++)
            {
                _p[i] ^= NextWord(key, ref j);
            }

            j = 0;
            uint l = 0, r = 0;
            var salted = salt.Length > 0;
            Fill(_p, ref l, ref r, salt, ref j, salted);
            Fill(_s0, ref l, ref r, salt, ref j, salted);
            Fill(_s1, ref l, ref r, salt, ref j, salted);
            Fill(_s2, ref l, ref r, salt, ref j, salted);
            Fill(_s3, ref l, ref r, salt, ref j, salted);
        }

        private void Fill(uint[] table, ref uint l, ref uint r, ReadOnlySpan<byte> salt, ref int j, bool salted)
        {
            for (var i = 0; i < table.Length; i += 2)
            {
                if (salted)
                {
                    l ^= NextWord(salt, ref j);
                    r ^= NextWord(salt, ref j);
                }

                (l, r) = EncryptBlock(l, r);
                table[i] = l;
                table[i + 1] = r;
            }
        }

        public void Encrypt(Span<byte> block)
        {
            var (l, r) = EncryptBlock(BinaryPrimitives.ReadUInt32BigEndian(block), BinaryPrimitives.ReadUInt32BigEndian(block[4..]));
            BinaryPrimitives.WriteUInt32BigEndian(block, l);
            BinaryPrimitives.WriteUInt32BigEndian(block[4..], r);
        }

        private (uint, uint) EncryptBlock(uint l, uint r)
        {
            var p = _p;
            l ^= p[0];
            for (var i = 1; i < 17; i += 2)
            {
                r ^= F(l) ^ p[i];
                l ^= F(r) ^ p[i + 1];
            }

            r ^= p[17];
            return (r, l);
        }

        private uint F(uint x) => ((_s0[x >> 24] + _s1[(x >> 16) & 0xff]) ^ _s2[(x >> 8) & 0xff]) + _s3[x & 0xff];

        private static uint NextWord(ReadOnlySpan<byte> b, ref int pos)
        {
            uint w = 0;
            for (var i = 0; i < 4; i++)
            {
                w = w << 8 | b[pos];
                pos++;
                if (pos >= b.Length)
                {
                    pos = 0;
                }
            }

            return w;
        }
    }
}

/// <summary>
/// The hexadecimal digits of pi's fractional part, by Machin's formula (pi = 16 atan(1/5) - 4 atan(1/239)) in
/// fixed point over 32-bit limbs, with guard limbs to absorb the truncation of each series term.
/// </summary>
internal static class PiHex
{
    private const int Guard = 3;

    /// <summary>The first <paramref name="count"/> 32-bit words of pi's fraction: 0x243F6A88, 0x85A308D3, ...</summary>
    public static uint[] FractionWords(int count)
    {
        var limbs = count + Guard + 1; // limb 0 is the integer part; big-endian limb order
        var a = ArcTanInverse(5, limbs);
        var b = ArcTanInverse(239, limbs);
        MultiplySmall(a, 16);
        MultiplySmall(b, 4);
        Subtract(a, b);
        return a.AsSpan(1, count).ToArray();
    }

    private static uint[] ArcTanInverse(uint x, int limbs)
    {
        var sum = new uint[limbs];
        var term = new uint[limbs];
        var scratch = new uint[limbs];
        term[0] = 1;
        var first = DivideSmall(term, x, 0);
        Array.Copy(term, sum, limbs);
        var x2 = x * x;
        var negative = true;
        for (uint k = 3; ; k += 2)
        {
            first = DivideSmall(term, x2, first);
            if (first >= limbs)
            {
                return sum;
            }

            Array.Copy(term, first, scratch, first, limbs - first);
            Array.Clear(scratch, 0, first);
            DivideSmall(scratch, k, first);
            if (negative)
            {
                Subtract(sum, scratch);
            }
            else
            {
                Add(sum, scratch);
            }

            negative = !negative;
        }
    }

    /// <summary>Divides in place; returns the index of the first non-zero limb (limbs before <paramref name="first"/> are zero).</summary>
    private static int DivideSmall(uint[] n, uint d, int first)
    {
        ulong rem = 0;
        for (var i = first; i < n.Length; i++)
        {
            var cur = rem << 32 | n[i];
            n[i] = (uint)(cur / d);
            rem = cur % d;
        }

        while (first < n.Length && n[first] == 0)
        {
            first++;
        }

        return first;
    }

    private static void MultiplySmall(uint[] n, uint m)
    {
        ulong carry = 0;
        for (var i = n.Length - 1; i >= 0; i--)
        {
            var cur = (ulong)n[i] * m + carry;
            n[i] = (uint)cur;
            carry = cur >> 32;
        }
    }

    private static void Add(uint[] a, uint[] b)
    {
        ulong carry = 0;
        for (var i = a.Length - 1; i >= 0; i--)
        {
            var cur = (ulong)a[i] + b[i] + carry;
            a[i] = (uint)cur;
            carry = cur >> 32;
        }
    }

    private static void Subtract(uint[] a, uint[] b)
    {
        long borrow = 0;
        for (var i = a.Length - 1; i >= 0; i--)
        {
            var cur = (long)a[i] - b[i] - borrow;
            borrow = cur < 0 ? 1 : 0;
            a[i] = (uint)cur;
        }
    }
}
