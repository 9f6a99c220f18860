using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Keelson.Templating.Crypto;

/// <summary>Sprig's hashes, bcrypt/htpasswd, derivePassword, encryptAES/decryptAES and randBytes.</summary>
internal static class SprigCrypto
{
    private const string MasterPasswordSeed = "com.lyndir.masterpassword";

    private static readonly Dictionary<string, string[]> PasswordTemplates = new(StringComparer.Ordinal)
    {
        ["maximum"] = ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        ["long"] =
        [
            "CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
            "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        ["medium"] = ["CvcnoCvc", "CvcCvcno"],
        ["short"] = ["Cvcn"],
        ["basic"] = ["aaanaaan", "aannaaan", "aaannaaa"],
        ["pin"] = ["nnnn"],
    };

    private static readonly Dictionary<char, string> TemplateCharacters = new()
    {
        ['V'] = "AEIOU",
        ['C'] = "BCDFGHJKLMNPQRSTVWXYZ",
        ['v'] = "aeiou",
        ['c'] = "bcdfghjklmnpqrstvwxyz",
        ['A'] = "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        ['a'] = "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        ['n'] = "0123456789",
        ['o'] = "@&%?,=[]_:-+*$#!'^~;()/.",
        ['x'] = "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    };

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "sha1sum is SHA-1 by definition; it is a checksum, not a protection.")]
    public static string Sha1(string input) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(input)));

    public static string Sha256(string input) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input)));

    public static string Sha512(string input) => Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes(input)));

    public static string Adler32(string input)
    {
        // Adler-32 is two running sums modulo 65521 (RFC 1950).
        const uint mod = 65521;
        uint a = 1, b = 0;
        foreach (var x in Encoding.UTF8.GetBytes(input))
        {
            a = (a + x) % mod;
            b = (b + a) % mod;
        }

        return (b << 16 | a).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Sprig's bcrypt: a failure is returned as text, not as an error.</summary>
    public static string BcryptHash(string input)
    {
        try
        {
            return Bcrypt.Hash(input);
        }
        catch (ArgumentException ex)
        {
            return "failed to encrypt string with bcrypt: " + ex.Message;
        }
    }

    public static string Htpasswd(string username, string password) =>
        username.Contains(':', StringComparison.Ordinal) ? "invalid username: " + username : username + ":" + BcryptHash(password);

    /// <summary>Sprig's derivePassword: the Master Password algorithm (scrypt key, HMAC seed, character templates).</summary>
    public static string DerivePassword(uint counter, string passwordType, string password, string user, string site, CancellationToken cancellationToken)
    {
        if (!PasswordTemplates.TryGetValue(passwordType, out var templates))
        {
            return "cannot find password template " + passwordType;
        }

        var userBytes = Encoding.UTF8.GetBytes(user);
        var salt = Concat(Encoding.UTF8.GetBytes(MasterPasswordSeed), BigEndian((uint)userBytes.Length), userBytes);
        var key = Scrypt.DeriveKey(Encoding.UTF8.GetBytes(password), salt, 32768, 8, 2, 64, cancellationToken);

        var siteBytes = Encoding.UTF8.GetBytes(site);
        var message = Concat(Encoding.UTF8.GetBytes(MasterPasswordSeed), BigEndian((uint)siteBytes.Length), siteBytes, BigEndian(counter));
        var seed = HMACSHA256.HashData(key, message);
        var template = templates[seed[0] % templates.Length];
        var sb = new StringBuilder(template.Length);
        for (var i = 0; i < template.Length; i++)
        {
            var chars = TemplateCharacters[template[i]];
            sb.Append(chars[seed[i + 1] % chars.Length]);
        }

        return sb.ToString();
    }

    /// <summary>Sprig's encryptAES: AES-256-CBC, key = the password's bytes zero-padded or cut to 32, PKCS#7 padding, random IV first, base64.</summary>
    public static string EncryptAes(string password, string plaintext)
    {
        if (plaintext.Length == 0)
        {
            return "";
        }

        using var aes = Aes.Create();
        aes.Key = Key(password);
        var iv = RandomNumberGenerator.GetBytes(16);
        var content = Encoding.UTF8.GetBytes(plaintext);
        var padding = 16 - content.Length % 16;
        var padded = new byte[content.Length + padding];
        content.CopyTo(padded, 0);
        padded.AsSpan(content.Length).Fill((byte)padding);
        var output = new byte[16 + padded.Length];
        iv.CopyTo(output, 0);
        aes.EncryptCbc(padded, iv, output.AsSpan(16), PaddingMode.None);
        return Convert.ToBase64String(output);
    }

    /// <summary>Sprig's decryptAES, including the runtime panics Go reports for short or malformed input.</summary>
    public static string DecryptAes(string password, string crypt64)
    {
        if (crypt64.Length == 0)
        {
            return "";
        }

        var encoded = Encoding.UTF8.GetBytes(crypt64);
        if (!GoBase64.TryDecode(encoded, out var crypt, out var offset))
        {
            throw new InvalidOperationException(GoBase64.Error(offset));
        }

        if (crypt.Length < 16)
        {
            throw new InvalidOperationException(
                $"runtime error: slice bounds out of range [:16] with capacity {GoBase64.DecodedCapacity(encoded.Length)}");
        }

        var body = crypt.AsSpan(16);
        if (body.Length % 16 != 0)
        {
            throw new InvalidOperationException("crypto/cipher: input not full blocks");
        }

        if (body.Length == 0)
        {
            throw new InvalidOperationException("runtime error: index out of range [-1]");
        }

        using var aes = Aes.Create();
        aes.Key = Key(password);
        var decrypted = aes.DecryptCbc(body, crypt.AsSpan(0, 16), PaddingMode.None);
        var end = decrypted.Length - decrypted[^1];
        if (end < 0)
        {
            throw new InvalidOperationException($"runtime error: slice bounds out of range [:{end}]");
        }

        return Encoding.UTF8.GetString(decrypted, 0, end);
    }

    public static string RandBytes(nint count)
    {
        if (count < 0)
        {
            throw new InvalidOperationException("runtime error: makeslice: len out of range");
        }

        return Convert.ToBase64String(RandomNumberGenerator.GetBytes(checked((int)count)));
    }

    private static byte[] Key(string password)
    {
        var key = new byte[32];
        var bytes = Encoding.UTF8.GetBytes(password);
        bytes.AsSpan(0, Math.Min(32, bytes.Length)).CopyTo(key);
        return key;
    }

    private static byte[] BigEndian(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return b;
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var result = new byte[parts.Sum(p => p.Length)];
        var at = 0;
        foreach (var p in parts)
        {
            p.CopyTo(result, at);
            at += p.Length;
        }

        return result;
    }
}
