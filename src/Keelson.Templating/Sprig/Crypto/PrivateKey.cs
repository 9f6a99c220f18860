using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Keelson.Templating.Crypto;

/// <summary>
/// A private key of one of the kinds Sprig generates and parses (RSA, ECDSA, Ed25519, DSA), with the PEM forms Go's
/// x509 package writes (PKCS#1 "RSA PRIVATE KEY", SEC 1 "EC PRIVATE KEY", PKCS#8 "PRIVATE KEY" for Ed25519, Sprig's
/// own "DSA PRIVATE KEY") and what certificate creation needs: the public key and a signer.
/// </summary>
internal sealed class PrivateKey : IDisposable
{
    private const string OidRsa = "1.2.840.113549.1.1.1";
    private const string OidEc = "1.2.840.10045.2.1";
    private const string OidEd25519 = "1.3.101.112";

    private readonly RSA? _rsa;
    private readonly ECDsa? _ec;
    private readonly byte[]? _ed25519Seed;
    private readonly DSAParameters? _dsa;

    private PrivateKey(RSA? rsa = null, ECDsa? ec = null, byte[]? ed25519Seed = null, DSAParameters? dsa = null)
    {
        _rsa = rsa;
        _ec = ec;
        _ed25519Seed = ed25519Seed;
        _dsa = dsa;
    }

    public void Dispose()
    {
        _rsa?.Dispose();
        _ec?.Dispose();
    }

    /// <summary>Go's %T of the key, for messages.</summary>
    private string GoTypeName =>
        _rsa is not null ? "*rsa.PrivateKey" : _ec is not null ? "*ecdsa.PrivateKey" : _ed25519Seed is not null ? "ed25519.PrivateKey" : "*dsa.PrivateKey";

    public static PrivateKey GenerateRsa(int bits) => new(rsa: RSA.Create(bits));

    public static PrivateKey GenerateEcdsaP256() => new(ec: ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static PrivateKey GenerateEd25519() => new(ed25519Seed: RandomNumberGenerator.GetBytes(Ed25519.SeedSize));

    /// <summary>DSA with L=2048, N=256 (Go's dsa.L2048N256), through the platform's DSA.</summary>
    /// <exception cref="InvalidOperationException">The platform cannot generate such keys.</exception>
    public static PrivateKey GenerateDsa()
    {
        try
        {
            using var dsa = DSA.Create(2048);
            var parameters = dsa.ExportParameters(includePrivateParameters: true);
            if (parameters.Q is not { Length: 32 })
            {
                throw new InvalidOperationException($"this platform generates DSA keys with a {parameters.Q?.Length * 8}-bit Q, not the 256 bits Sprig asks for");
            }

            return new PrivateKey(dsa: parameters);
        }
        catch (Exception ex) when (ex is CryptographicException or PlatformNotSupportedException)
        {
            throw new InvalidOperationException("DSA key generation is not available on this platform: " + ex.Message, ex);
        }
    }

    /// <summary>Sprig's pemBlockForKey, encoded.</summary>
    public string ToPem()
    {
        if (_rsa is not null)
        {
            return Pem.Encode("RSA PRIVATE KEY", _rsa.ExportRSAPrivateKey());
        }

        if (_ec is not null)
        {
            return Pem.Encode("EC PRIVATE KEY", _ec.ExportECPrivateKey());
        }

        if (_ed25519Seed is not null)
        {
            var w = new AsnWriter(AsnEncodingRules.DER);
            using (w.PushSequence())
            {
                w.WriteInteger(0);
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(OidEd25519);
                }

                var inner = new AsnWriter(AsnEncodingRules.DER);
                inner.WriteOctetString(_ed25519Seed);
                w.WriteOctetString(inner.Encode());
            }

            return Pem.Encode("PRIVATE KEY", w.Encode());
        }

        var p = _dsa!.Value;
        var dw = new AsnWriter(AsnEncodingRules.DER);
        using (dw.PushSequence())
        {
            dw.WriteInteger(0);
            foreach (var n in (byte[][])[p.P!, p.Q!, p.G!, p.Y!, p.X!])
            {
                dw.WriteIntegerUnsigned(n);
            }
        }

        return Pem.Encode("DSA PRIVATE KEY", dw.Encode());
    }

    /// <summary>Sprig's parsePrivateKeyPEM, with its error messages.</summary>
    /// <exception cref="FormatException">The PEM holds no private key Go would parse.</exception>
    public static PrivateKey ParsePem(string pem)
    {
        var block = Pem.Decode(Encoding.UTF8.GetBytes(pem)) ?? throw new FormatException("no PEM data in input");
        var (type, der) = block;
        if (type == "PRIVATE KEY")
        {
            try
            {
                return ParsePkcs8(der);
            }
            catch (FormatException ex)
            {
                throw new FormatException("decoding PEM as PKCS#8: " + ex.Message, ex);
            }
        }

        if (!type.EndsWith(" PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new FormatException("no private key data in PEM block of type " + type);
        }

        switch (type[..^" PRIVATE KEY".Length])
        {
            case "RSA":
                return Import("parsing RSA private key from PEM: x509: failed to parse private key", () =>
                {
                    var rsa = RSA.Create();
                    rsa.ImportRSAPrivateKey(der, out var read);
                    return read == der.Length ? new PrivateKey(rsa: rsa) : Dispose(rsa);
                });
            case "EC":
                return Import("parsing EC private key from PEM: x509: failed to parse EC private key", () =>
                {
                    var ec = ECDsa.Create();
                    ec.ImportECPrivateKey(der, out var read);
                    return read == der.Length && IsGoCurve(ec) ? new PrivateKey(ec: ec) : Dispose(ec);
                });
            case "DSA":
                return Import("parsing DSA private key from PEM: asn1: structure error", () => ParseDsa(der));
            default:
                throw new FormatException("invalid private key type " + type);
        }
    }

    private static PrivateKey? Dispose(IDisposable key)
    {
        key.Dispose();
        return null;
    }

    private static PrivateKey Import(string error, Func<PrivateKey?> import)
    {
        try
        {
            return import() ?? throw new FormatException(error);
        }
        catch (CryptographicException ex)
        {
            throw new FormatException(error, ex);
        }
        catch (AsnContentException ex)
        {
            throw new FormatException(error, ex);
        }
    }

    private static PrivateKey ParseDsa(byte[] der)
    {
        var reader = new AsnReader(der, AsnEncodingRules.BER);
        var seq = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        _ = seq.ReadInteger();
        var values = new byte[5][];
        for (var i = 0; i < 5; i++)
        {
            values[i] = seq.ReadInteger().ToByteArray(isUnsigned: true, isBigEndian: true);
        }

        return new PrivateKey(dsa: new DSAParameters { P = values[0], Q = values[1], G = values[2], Y = values[3], X = values[4] });
    }

    private static PrivateKey ParsePkcs8(byte[] der)
    {
        string algorithm;
        ReadOnlyMemory<byte> keyData;
        bool hasParameters;
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var seq = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            _ = seq.ReadInteger();
            var algo = seq.ReadSequence();
            algorithm = algo.ReadObjectIdentifier();
            hasParameters = algo.HasData;
            keyData = seq.ReadOctetString();
        }
        catch (AsnContentException ex)
        {
            throw new FormatException("x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)", ex);
        }

        switch (algorithm)
        {
            case OidRsa:
                return Import("x509: failed to parse RSA private key embedded in PKCS#8", () =>
                {
                    var rsa = RSA.Create();
                    rsa.ImportPkcs8PrivateKey(der, out _);
                    return new PrivateKey(rsa: rsa);
                });
            case OidEc:
                return Import("x509: failed to parse EC private key embedded in PKCS#8", () =>
                {
                    var ec = ECDsa.Create();
                    ec.ImportPkcs8PrivateKey(der, out _);
                    return IsGoCurve(ec) ? new PrivateKey(ec: ec) : Dispose(ec);
                });
            case OidEd25519:
                if (hasParameters)
                {
                    throw new FormatException("x509: invalid Ed25519 private key parameters");
                }

                byte[] seed;
                try
                {
                    var inner = new AsnReader(keyData, AsnEncodingRules.DER);
                    seed = inner.ReadOctetString();
                    inner.ThrowIfNotEmpty();
                }
                catch (AsnContentException ex)
                {
                    throw new FormatException("x509: invalid Ed25519 private key: " + ex.Message, ex);
                }

                return seed.Length == Ed25519.SeedSize
                    ? new PrivateKey(ed25519Seed: seed)
                    : throw new FormatException($"x509: invalid Ed25519 private key length: {seed.Length}");
            default:
                throw new FormatException("x509: PKCS#8 wrapping contained private key with unknown algorithm: " + algorithm);
        }
    }

    // Go's x509 knows P-224, P-256, P-384 and P-521 only.
    private static bool IsGoCurve(ECDsa ec) => CurveOid(ec) is "1.3.132.0.33" or "1.2.840.10045.3.1.7" or "1.3.132.0.34" or "1.3.132.0.35";

    private static string? CurveOid(ECDsa ec)
    {
        var curve = ec.ExportParameters(false).Curve;
        return curve.IsNamed ? curve.Oid.Value ?? Oid.FromFriendlyName(curve.Oid.FriendlyName!, OidGroup.PublicKeyAlgorithm).Value : null;
    }

    /// <summary>The SubjectPublicKeyInfo (x509.MarshalPKIXPublicKey); Go cannot encode DSA keys here.</summary>
    public byte[] SubjectPublicKeyInfo()
    {
        if (_rsa is not null)
        {
            return _rsa.ExportSubjectPublicKeyInfo();
        }

        if (_ec is not null)
        {
            return _ec.ExportSubjectPublicKeyInfo();
        }

        if (_ed25519Seed is not null)
        {
            var w = new AsnWriter(AsnEncodingRules.DER);
            using (w.PushSequence())
            {
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(OidEd25519);
                }

                w.WriteBitString(Ed25519.PublicKey(_ed25519Seed));
            }

            return w.Encode();
        }

        throw new InvalidOperationException("x509: unsupported public key type: *dsa.PublicKey");
    }

    /// <summary>The signature algorithm Go picks for this key and the function that signs a TBS certificate with it.</summary>
    public (byte[] AlgorithmIdentifier, Func<byte[], byte[]> Sign) Signer()
    {
        if (_rsa is not null)
        {
            var rsa = _rsa;
            return (AlgorithmIdentifier("1.2.840.113549.1.1.11", nullParameters: true),
                tbs => rsa.SignData(tbs, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        if (_ec is not null)
        {
            var ec = _ec;
            var (oid, hash) = CurveOid(ec) switch
            {
                "1.3.132.0.33" or "1.2.840.10045.3.1.7" => ("1.2.840.10045.4.3.2", HashAlgorithmName.SHA256),
                "1.3.132.0.34" => ("1.2.840.10045.4.3.3", HashAlgorithmName.SHA384),
                "1.3.132.0.35" => ("1.2.840.10045.4.3.4", HashAlgorithmName.SHA512),
                _ => throw new InvalidOperationException("x509: unknown elliptic curve"),
            };
            return (AlgorithmIdentifier(oid, nullParameters: false),
                tbs => ec.SignData(tbs, hash, DSASignatureFormat.Rfc3279DerSequence));
        }

        if (_ed25519Seed is not null)
        {
            var seed = _ed25519Seed;
            return (AlgorithmIdentifier(OidEd25519, nullParameters: false), tbs => Ed25519.Sign(seed, tbs));
        }

        throw new InvalidOperationException("x509: certificate private key does not implement crypto.Signer");
    }

    private static byte[] AlgorithmIdentifier(string oid, bool nullParameters)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid);
            if (nullParameters)
            {
                w.WriteNull();
            }
        }

        return w.Encode();
    }

    public override string ToString() => GoTypeName;

    /// <summary>A random serial number below 2^128, as Sprig draws it.</summary>
    public static BigInteger RandomSerial() => new(RandomNumberGenerator.GetBytes(16), isUnsigned: true, isBigEndian: true);
}
