using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Keelson.Templating.Crypto;

/// <summary>
/// scrypt (RFC 7914) over the BCL's PBKDF2-HMAC-SHA256: PBKDF2 spreads the password into p blocks, each goes through
/// ROMix (N rounds of BlockMix/Salsa20/8 filling a table, N rounds reading it back at data-dependent places), and
/// PBKDF2 condenses the result.
/// </summary>
internal static class Scrypt
{
    /// <exception cref="ArgumentException">N is not a power of two above 1, or r·p is too large (x/crypto's checks).</exception>
    public static byte[] DeriveKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int n, int r, int p, int keyLength, CancellationToken cancellationToken = default)
    {
        if (n <= 1 || (n & (n - 1)) != 0)
        {
            throw new ArgumentException("scrypt: N must be > 1 and a power of 2");
        }

        if ((long)r * p >= 1 << 30 || r > int.MaxValue / 128 / p || r > int.MaxValue / 256 || n > int.MaxValue / 128 / r)
        {
            throw new ArgumentException("scrypt: parameters are too large");
        }

        var blockWords = 32 * r;
        var b = Rfc2898DeriveBytes.Pbkdf2(password, salt, 1, HashAlgorithmName.SHA256, p * 128 * r);
        var words = new uint[blockWords];
        var v = ArrayPool<uint>.Shared.Rent(n * blockWords);
        var scratch = new uint[blockWords];
        try
        {
            for (var i = 0; i < p; i++)
            {
                var block = b.AsSpan(i * 128 * r, 128 * r);
                for (var k = 0; k < blockWords; k++)
                {
                    words[k] = BinaryPrimitives.ReadUInt32LittleEndian(block[(k * 4)..]);
                }

                RoMix(words, v, scratch, n, r, cancellationToken);
                for (var k = 0; k < blockWords; k++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(block[(k * 4)..], words[k]);
                }
            }
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(v);
        }

        return Rfc2898DeriveBytes.Pbkdf2(password, b, 1, HashAlgorithmName.SHA256, keyLength);
    }

    private static void RoMix(uint[] x, uint[] v, uint[] scratch, int n, int r, CancellationToken cancellationToken)
    {
        var blockWords = 32 * r;
        for (var i = 0; i < n; i++)
        {
            x.AsSpan().CopyTo(v.AsSpan(i * blockWords, blockWords));
            BlockMix(x, scratch, r);
            if ((i & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        for (var i = 0; i < n; i++)
        {
            // Integerify: the first word of the last 64-byte block, modulo N (a power of two).
            var j = (int)(x[(2 * r - 1) * 16] & (uint)(n - 1));
            Xor(x, v.AsSpan(j * blockWords, blockWords));
            BlockMix(x, scratch, r);
            if ((i & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private static void Xor(Span<uint> a, ReadOnlySpan<uint> b)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<uint>.Count;
            for (; i <= a.Length - width; i += width)
            {
                (new Vector<uint>(a[i..]) ^ new Vector<uint>(b[i..])).CopyTo(a[i..]);
            }
        }

        for (; i < a.Length; i++)
        {
            a[i] ^= b[i];
        }
    }

    /// <summary>BlockMix: Salsa20/8 over the chain of 64-byte blocks; even outputs first, then odd ones.</summary>
    private static void BlockMix(uint[] b, uint[] y, int r)
    {
        Span<uint> t = stackalloc uint[16];
        b.AsSpan((2 * r - 1) * 16, 16).CopyTo(t);
        for (var i = 0; i < 2 * r; i++)
        {
            Xor(t, b.AsSpan(i * 16, 16));
            Salsa208(t);
            // Block i goes to position i/2 (even) or r + i/2 (odd).
            var to = (i & 1) == 0 ? i / 2 : r + i / 2;
            t.CopyTo(y.AsSpan(to * 16, 16));
        }

        y.AsSpan().CopyTo(b);
    }

    private static void Salsa208(Span<uint> b)
    {
        uint x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3], x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7];
        uint x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11], x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15];
        for (var i = 0; i < 8; i += 2)
        {
            x4 ^= BitOperations.RotateLeft(x0 + x12, 7);
            x8 ^= BitOperations.RotateLeft(x4 + x0, 9);
            x12 ^= BitOperations.RotateLeft(x8 + x4, 13);
            x0 ^= BitOperations.RotateLeft(x12 + x8, 18);
            x9 ^= BitOperations.RotateLeft(x5 + x1, 7);
            x13 ^= BitOperations.RotateLeft(x9 + x5, 9);
            x1 ^= BitOperations.RotateLeft(x13 + x9, 13);
            x5 ^= BitOperations.RotateLeft(x1 + x13, 18);
            x14 ^= BitOperations.RotateLeft(x10 + x6, 7);
            x2 ^= BitOperations.RotateLeft(x14 + x10, 9);
            x6 ^= BitOperations.RotateLeft(x2 + x14, 13);
            x10 ^= BitOperations.RotateLeft(x6 + x2, 18);
            x3 ^= BitOperations.RotateLeft(x15 + x11, 7);
            x7 ^= BitOperations.RotateLeft(x3 + x15, 9);
            x11 ^= BitOperations.RotateLeft(x7 + x3, 13);
            x15 ^= BitOperations.RotateLeft(x11 + x7, 18);

            x1 ^= BitOperations.RotateLeft(x0 + x3, 7);
            x2 ^= BitOperations.RotateLeft(x1 + x0, 9);
            x3 ^= BitOperations.RotateLeft(x2 + x1, 13);
            x0 ^= BitOperations.RotateLeft(x3 + x2, 18);
            x6 ^= BitOperations.RotateLeft(x5 + x4, 7);
            x7 ^= BitOperations.RotateLeft(x6 + x5, 9);
            x4 ^= BitOperations.RotateLeft(x7 + x6, 13);
            x5 ^= BitOperations.RotateLeft(x4 + x7, 18);
            x11 ^= BitOperations.RotateLeft(x10 + x9, 7);
            x8 ^= BitOperations.RotateLeft(x11 + x10, 9);
            x9 ^= BitOperations.RotateLeft(x8 + x11, 13);
            x10 ^= BitOperations.RotateLeft(x9 + x8, 18);
            x12 ^= BitOperations.RotateLeft(x15 + x14, 7);
            x13 ^= BitOperations.RotateLeft(x12 + x15, 9);
            x14 ^= BitOperations.RotateLeft(x13 + x12, 13);
            x15 ^= BitOperations.RotateLeft(x14 + x13, 18);
        }

        b[0] += x0;
        b[1] += x1;
        b[2] += x2;
        b[3] += x3;
        b[4] += x4;
        b[5] += x5;
        b[6] += x6;
        b[7] += x7;
        b[8] += x8;
        b[9] += x9;
        b[10] += x10;
        b[11] += x11;
        b[12] += x12;
        b[13] += x13;
        b[14] += x14;
        b[15] += x15;
    }
}
