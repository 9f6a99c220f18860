using System.Formats.Asn1;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Keelson.Templating.Dates;

namespace Keelson.Templating.Crypto;

/// <summary>
/// Sprig's certificate functions. Certificates are built as Go's x509.CreateCertificate builds them from Sprig's
/// template: version 3, a random 128-bit serial, CN-only subject, validity from now for the given days, key usage
/// (digital signature, key encipherment, plus cert sign for CAs; critical), extended key usage server and client
/// auth, basic constraints (critical), a SHA-1 subject key id for CAs, the issuer's key id when it has one, and
/// SANs (critical when the subject is empty). The DER is written here rather than by CertificateRequest, which
/// orders and encodes extensions its own way and knows no Ed25519.
/// </summary>
internal sealed class Certificates(Func<GoTime> now)
{
    private const string OidCommonName = "2.5.4.3";

    /// <summary>Go type sprig.certificate: struct { Cert string; Key string }.</summary>
    public static readonly GoType Type = new GoTypeBuilder("sprig.certificate")
        .Field("Cert", GoType.String, o => ((Certificate)o).Cert)
        .Field("Key", GoType.String, o => ((Certificate)o).Key)
        .Build();

    public sealed class Certificate(string cert, string key) : IGoValue
    {
        public string Cert { get; } = cert;

        public string Key { get; } = key;

        public GoType GoType => Type;
    }

    public static string GeneratePrivateKey(string type)
    {
        PrivateKey key;
        try
        {
            key = type switch
            {
                "" or "rsa" => PrivateKey.GenerateRsa(4096),
                "dsa" => PrivateKey.GenerateDsa(),
                "ecdsa" => PrivateKey.GenerateEcdsaP256(),
                "ed25519" => PrivateKey.GenerateEd25519(),
                _ => throw new ArgumentException("Unknown type " + type),
            };
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
        catch (InvalidOperationException ex) when (type == "dsa")
        {
            return "failed to generate dsa params: " + ex.Message;
        }

        using (key)
        {
            return key.ToPem();
        }
    }

    public static Certificate BuildCustom(string b64cert, string b64key)
    {
        if (!GoBase64.TryDecode(Encoding.UTF8.GetBytes(b64cert), out var cert, out _))
        {
            throw new InvalidOperationException("unable to decode base64 certificate");
        }

        if (!GoBase64.TryDecode(Encoding.UTF8.GetBytes(b64key), out var key, out _))
        {
            throw new InvalidOperationException("unable to decode base64 private key");
        }

        var block = Pem.Decode(cert) ?? throw new InvalidOperationException("unable to decode certificate");
        ParseCertificate(block.Bytes, "error parsing certificate: decodedCert.Bytes: ");
        var keyText = Encoding.UTF8.GetString(key);
        try
        {
            PrivateKey.ParsePem(keyText).Dispose();
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException("error parsing private key: " + ex.Message, ex);
        }

        return new Certificate(Encoding.UTF8.GetString(cert), keyText);
    }

    public Certificate GenerateCa(string cn, nint days, string? keyPem)
    {
        using var key = keyPem is null ? PrivateKey.GenerateRsa(2048) : ParseKeyArgument(keyPem);
        var template = BaseTemplate(cn, null, null, days) with { IsCa = true };
        return Create(template, key, issuer: null, key);
    }

    public Certificate GenerateSelfSigned(string cn, List<object?>? ips, List<object?>? dns, nint days, string? keyPem)
    {
        using var key = keyPem is null ? PrivateKey.GenerateRsa(2048) : ParseKeyArgument(keyPem);
        var template = BaseTemplate(cn, ips, dns, days);
        return Create(template, key, issuer: null, key);
    }

    public Certificate GenerateSigned(string cn, List<object?>? ips, List<object?>? dns, nint days, Certificate ca, string? keyPem)
    {
        using var key = keyPem is null ? PrivateKey.GenerateRsa(2048) : ParseKeyArgument(keyPem);
        var block = Pem.Decode(Encoding.UTF8.GetBytes(ca.Cert)) ?? throw new InvalidOperationException("unable to decode certificate");
        var issuer = ParseCertificate(block.Bytes, "error parsing certificate: decodedSignerCert.Bytes: ");
        PrivateKey signer;
        try
        {
            signer = PrivateKey.ParsePem(ca.Key);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException("error parsing private key: " + ex.Message, ex);
        }

        using (signer)
        {
            var template = BaseTemplate(cn, ips, dns, days);
            return Create(template, key, issuer, signer);
        }
    }

    private static PrivateKey ParseKeyArgument(string pem)
    {
        try
        {
            return PrivateKey.ParsePem(pem);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException("parsing private key: " + ex.Message, ex);
        }
    }

    /// <summary>What Go keeps of a parsed issuer certificate: its raw subject, subject key id and public key.</summary>
    private sealed record Issuer(byte[] RawSubject, byte[]? SubjectKeyId, byte[] PublicKeyInfo);

    private static Issuer ParseCertificate(byte[] der, string errorPrefix)
    {
        try
        {
            using var cert = X509CertificateLoader.LoadCertificate(der);
            byte[]? skid = null;
            foreach (var ext in cert.Extensions)
            {
                if (ext.Oid?.Value == "2.5.29.14")
                {
                    skid = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadOctetString();
                }
            }

            return new Issuer(cert.SubjectName.RawData, skid, cert.PublicKey.ExportSubjectPublicKeyInfo());
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException)
        {
            throw new InvalidOperationException(errorPrefix + "x509: malformed certificate", ex);
        }
    }

    private sealed record Template(string CommonName, List<byte[]> IpAddresses, List<string> DnsNames, GoTime NotBefore, GoTime NotAfter, bool IsCa);

    private Template BaseTemplate(string cn, List<object?>? ips, List<object?>? dns, nint days)
    {
        var addresses = new List<byte[]>();
        foreach (var ip in ips ?? [])
        {
            if (ip is not string text)
            {
                throw new InvalidOperationException("error parsing ip: " + GoFmt.Sprint(ip) + " is not a string");
            }

            addresses.Add(GoIp.Parse(text) ?? throw new InvalidOperationException("error parsing ip: " + text));
        }

        var names = new List<string>();
        foreach (var name in dns ?? [])
        {
            names.Add(name as string
                ?? throw new InvalidOperationException("error processing alternate dns name: " + GoFmt.Sprint(name) + " is not a string"));
        }

        var start = now();
        // time.Hour * 24 * time.Duration(daysValid) wraps around in Go, and so here.
        var end = now().Add(unchecked(GoDuration.Hour * 24 * days));
        return new Template(cn, addresses, names, start, end, IsCa: false);
    }

    private static Certificate Create(Template template, PrivateKey subjectKey, Issuer? issuer, PrivateKey signingKey)
    {
        byte[] certificate;
        try
        {
            certificate = CreateDer(template, subjectKey, issuer, signingKey);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException("error creating certificate: " + ex.Message, ex);
        }

        return new Certificate(Pem.Encode("CERTIFICATE", certificate), subjectKey.ToPem());
    }

    /// <summary>x509.CreateCertificate for Sprig's templates.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "RFC 5280 key identifiers are SHA-1 of the key, as Go writes them; not a signature.")]
    private static byte[] CreateDer(Template template, PrivateKey subjectKey, Issuer? issuer, PrivateKey signingKey)
    {
        var (signatureAlgorithm, sign) = signingKey.Signer();
        var spki = subjectKey.SubjectPublicKeyInfo();
        var subject = Name(template.CommonName);
        var issuerName = issuer?.RawSubject ?? subject;

        byte[]? authorityKeyId = null;
        if (issuer?.SubjectKeyId is { Length: > 0 } parentKeyId && !issuerName.AsSpan().SequenceEqual(subject))
        {
            authorityKeyId = parentKeyId;
        }

        byte[]? subjectKeyId = null;
        if (template.IsCa)
        {
            // RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
            subjectKeyId = SHA1.HashData(PublicKeyBits(spki));
        }

        if (issuer is not null && !issuer.PublicKeyInfo.AsSpan().SequenceEqual(signingKey.SubjectPublicKeyInfo()))
        {
            throw new InvalidOperationException("x509: provided PrivateKey doesn't match parent's PublicKey");
        }

        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                w.WriteInteger(2);
            }

            w.WriteInteger(PrivateKey.RandomSerial());
            w.WriteEncodedValue(signatureAlgorithm);
            w.WriteEncodedValue(issuerName);
            using (w.PushSequence())
            {
                WriteTime(w, template.NotBefore);
                WriteTime(w, template.NotAfter);
            }

            w.WriteEncodedValue(subject);
            w.WriteEncodedValue(spki);
            WriteExtensions(w, template, subject.Length == 2, authorityKeyId, subjectKeyId);
        }

        var tbs = w.Encode();
        var signature = sign(tbs);
        var cert = new AsnWriter(AsnEncodingRules.DER);
        using (cert.PushSequence())
        {
            cert.WriteEncodedValue(tbs);
            cert.WriteEncodedValue(signatureAlgorithm);
            cert.WriteBitString(signature);
        }

        return cert.Encode();
    }

    private static void WriteExtensions(AsnWriter w, Template template, bool subjectIsEmpty, byte[]? authorityKeyId, byte[]? subjectKeyId)
    {
        using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
        using (w.PushSequence())
        {
            // Key usage bits, as x509.KeyUsage numbers them from the most significant bit of the first byte.
            var usage = template.IsCa ? (byte)0b1010_0100 : (byte)0b1010_0000;
            WriteExtension(w, "2.5.29.15", critical: true, v => v.WriteBitString([usage], unusedBitCount: template.IsCa ? 2 : 5));
            WriteExtension(w, "2.5.29.37", critical: false, v =>
            {
                using (v.PushSequence())
                {
                    v.WriteObjectIdentifier("1.3.6.1.5.5.7.3.1");
                    v.WriteObjectIdentifier("1.3.6.1.5.5.7.3.2");
                }
            });
            WriteExtension(w, "2.5.29.19", critical: true, v =>
            {
                using (v.PushSequence())
                {
                    if (template.IsCa)
                    {
                        v.WriteBoolean(true);
                    }
                }
            });
            if (subjectKeyId is not null)
            {
                WriteExtension(w, "2.5.29.14", critical: false, v => v.WriteOctetString(subjectKeyId));
            }

            if (authorityKeyId is not null)
            {
                WriteExtension(w, "2.5.29.35", critical: false, v =>
                {
                    using (v.PushSequence())
                    {
                        v.WriteOctetString(authorityKeyId, new Asn1Tag(TagClass.ContextSpecific, 0));
                    }
                });
            }

            if (template.DnsNames.Count > 0 || template.IpAddresses.Count > 0)
            {
                foreach (var name in template.DnsNames)
                {
                    if (name.Any(c => c > 127))
                    {
                        throw new InvalidOperationException("x509: " + GoFmt.Sprintf("%q", name) + " cannot be encoded as an IA5String");
                    }
                }

                WriteExtension(w, "2.5.29.17", critical: subjectIsEmpty, v =>
                {
                    using (v.PushSequence())
                    {
                        foreach (var name in template.DnsNames)
                        {
                            v.WriteCharacterString(UniversalTagNumber.IA5String, name, new Asn1Tag(TagClass.ContextSpecific, 2));
                        }

                        foreach (var ip in template.IpAddresses)
                        {
                            v.WriteOctetString(ip, new Asn1Tag(TagClass.ContextSpecific, 7));
                        }
                    }
                });
            }
        }
    }

    private static void WriteExtension(AsnWriter w, string oid, bool critical, Action<AsnWriter> value)
    {
        var v = new AsnWriter(AsnEncodingRules.DER);
        value(v);
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid);
            if (critical)
            {
                w.WriteBoolean(true);
            }

            w.WriteOctetString(v.Encode());
        }
    }

    /// <summary>pkix.Name{CommonName: cn} as Go marshals it: PrintableString when it can be, else UTF8String; empty CN, empty name.</summary>
    private static byte[] Name(string cn)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            if (cn.Length > 0)
            {
                using (w.PushSetOf())
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(OidCommonName);
                    var printable = cn.All(c => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
                        or >= '\'' and <= ')' or >= '+' and <= '/' or ' ' or ':' or '=' or '?');
                    w.WriteCharacterString(printable ? UniversalTagNumber.PrintableString : UniversalTagNumber.UTF8String, cn);
                }
            }
        }

        return w.Encode();
    }

    /// <summary>UTCTime for 1950-2049, GeneralizedTime otherwise, to the second, in UTC.</summary>
    private static void WriteTime(AsnWriter w, GoTime time)
    {
        var t = time.In(GoLocation.Utc);
        var (year, month, day) = t.DateParts;
        var (hour, min, sec) = t.Clock;
        var rest = string.Create(CultureInfo.InvariantCulture, $"{month:00}{day:00}{hour:00}{min:00}{sec:00}Z");
        if (year is >= 1950 and < 2050)
        {
            w.WriteEncodedValue(Encoded(UniversalTagNumber.UtcTime, (year % 100).ToString("00", CultureInfo.InvariantCulture) + rest));
        }
        else if (year is >= 0 and <= 9999)
        {
            w.WriteEncodedValue(Encoded(UniversalTagNumber.GeneralizedTime, year.ToString("0000", CultureInfo.InvariantCulture) + rest));
        }
        else
        {
            throw new InvalidOperationException("asn1: structure error: cannot represent time as GeneralizedTime");
        }
    }

    private static byte[] Encoded(UniversalTagNumber tag, string ascii)
    {
        var bytes = Encoding.ASCII.GetBytes(ascii);
        return [(byte)tag, (byte)bytes.Length, .. bytes];
    }

    /// <summary>The contents of the subjectPublicKey BIT STRING of a SubjectPublicKeyInfo.</summary>
    private static byte[] PublicKeyBits(byte[] spki)
    {
        var seq = new AsnReader(spki, AsnEncodingRules.DER).ReadSequence();
        seq.ReadSequence();
        return seq.ReadBitString(out _);
    }
}

/// <summary>Go's net.ParseIP: dotted-quad IPv4 without leading zeros, or IPv6 without a zone; IPv4 (and mapped) as 4 bytes.</summary>
internal static class GoIp
{
    public static byte[]? Parse(string s)
    {
        foreach (var c in s)
        {
            if (c == '.')
            {
                return ParseV4(s);
            }

            if (c == ':')
            {
                return ParseV6(s);
            }
        }

        return null;
    }

    private static byte[]? ParseV4(string s)
    {
        var parts = s.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var p = parts[i];
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || p.Length > 1 && p[0] == '0')
            {
                return null;
            }

            var v = int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture);
            if (v > 255)
            {
                return null;
            }

            bytes[i] = (byte)v;
        }

        return bytes;
    }

    private static byte[]? ParseV6(string s)
    {
        if (s.Contains('%', StringComparison.Ordinal) || s.Contains('[', StringComparison.Ordinal) || s.Contains('/', StringComparison.Ordinal)
            || !IPAddress.TryParse(s, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return null;
        }

        // An embedded IPv4 part must itself be a strict dotted quad.
        var lastColon = s.LastIndexOf(':');
        if (s.IndexOf('.', lastColon) >= 0 && ParseV4(s[(lastColon + 1)..]) is null)
        {
            return null;
        }

        var bytes = address.GetAddressBytes();
        var mapped = bytes.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0 && bytes[10] == 0xff && bytes[11] == 0xff;
        return mapped ? bytes[12..] : bytes;
    }
}
