using System.Numerics;
using System.Security.Cryptography;

namespace Keelson.Templating.Crypto;

/// <summary>
/// Ed25519 (RFC 8032) key derivation and signing, which the BCL lacks: enough for Sprig's ed25519 keys and the
/// certificates they sign. Straightforward big-integer arithmetic in extended twisted Edwards coordinates; a
/// certificate needs one key derivation and one signature, so speed is not a concern here.
/// </summary>
internal static class Ed25519
{
    public const int SeedSize = 32;

    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger D = Mod(-121665 * Inverse(121666));
    private static readonly BigInteger SqrtMinusOne = BigInteger.ModPow(2, (P - 1) / 4, P);
    private static readonly Point Base = BasePoint();

    /// <summary>The 32-byte public key of a 32-byte seed.</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> seed)
    {
        var (scalar, _) = Expand(seed);
        return Encode(Multiply(Base, scalar));
    }

    /// <summary>The 64-byte signature of a message.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> message)
    {
        var (s, prefix) = Expand(seed);
        var a = Encode(Multiply(Base, s));
        var r = Mod(FromLittleEndian(SHA512.HashData([.. prefix, .. message])), L);
        var rEncoded = Encode(Multiply(Base, r));
        var k = Mod(FromLittleEndian(SHA512.HashData([.. rEncoded, .. a, .. message])), L);
        var sig = Mod(r + k * s, L);
        var signature = new byte[64];
        rEncoded.CopyTo(signature, 0);
        ToLittleEndian(sig, 32).CopyTo(signature, 32);
        return signature;
    }

    private static (BigInteger Scalar, byte[] Prefix) Expand(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize)
        {
            throw new ArgumentException("ed25519: bad seed length");
        }

        var h = SHA512.HashData(seed);
        var a = h[..32];
        a[0] &= 248;
        a[31] &= 127;
        a[31] |= 64;
        return (FromLittleEndian(a), h[32..]);
    }

    private readonly record struct Point(BigInteger X, BigInteger Y, BigInteger Z, BigInteger T);

    private static Point BasePoint()
    {
        var y = Mod(4 * Inverse(5));
        var x = RecoverX(y, 0);
        return new Point(x, y, 1, Mod(x * y));
    }

    private static BigInteger RecoverX(BigInteger y, int sign)
    {
        var y2 = y * y;
        var x2 = Mod((y2 - 1) * Inverse(D * y2 + 1));
        var x = BigInteger.ModPow(x2, (P + 3) / 8, P);
        if (Mod(x * x - x2) != 0)
        {
            x = Mod(x * SqrtMinusOne);
        }

        if ((int)(x % 2) != sign)
        {
            x = P - x;
        }

        return x;
    }

    private static Point Add(Point p, Point q)
    {
        var a = Mod((p.Y - p.X) * (q.Y - q.X));
        var b = Mod((p.Y + p.X) * (q.Y + q.X));
        var c = Mod(2 * p.T * q.T * D);
        var d = Mod(2 * p.Z * q.Z);
        var e = b - a;
        var f = d - c;
        var g = d + c;
        var h = b + a;
        return new Point(Mod(e * f), Mod(g * h), Mod(f * g), Mod(e * h));
    }

    private static Point Multiply(Point p, BigInteger scalar)
    {
        var q = new Point(0, 1, 1, 0);
        while (scalar > 0)
        {
            if (!scalar.IsEven)
            {
                q = Add(q, p);
            }

            p = Add(p, p);
            scalar >>= 1;
        }

        return q;
    }

    private static byte[] Encode(Point p)
    {
        var zInv = Inverse(p.Z);
        var x = Mod(p.X * zInv);
        var y = Mod(p.Y * zInv);
        var bytes = ToLittleEndian(y, 32);
        if (!x.IsEven)
        {
            bytes[31] |= 0x80;
        }

        return bytes;
    }

    private static BigInteger Mod(BigInteger a) => Mod(a, P);

    private static BigInteger Mod(BigInteger a, BigInteger m)
    {
        var r = BigInteger.Remainder(a, m);
        return r.Sign < 0 ? r + m : r;
    }

    private static BigInteger Inverse(BigInteger a) => BigInteger.ModPow(Mod(a), P - 2, P);

    private static BigInteger FromLittleEndian(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: false);

    private static byte[] ToLittleEndian(BigInteger value, int length)
    {
        var bytes = new byte[length];
        value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return bytes;
    }
}
