using Keelson.Templating.Crypto;
using Keelson.Templating.Dates;
using Keelson.Templating.Net;
using Keelson.Templating.Semver;

namespace Keelson.Templating;

public static partial class Sprig
{
    private static readonly GoType[] NoParameters = [];

    static partial void AddSystemFunctions(List<GoFunction> functions, SprigOptions options)
    {
        var dates = new DateFunctions(options.Time);
        functions.AddRange(dates.All());
        functions.AddRange(SemverFunctions());
        functions.AddRange(CryptoFunctions());
        functions.AddRange(CertificateFunctions(new Certificates(dates.Now)));
        functions.AddRange(RandomFunctions());
        functions.AddRange(UrlFunctions());
    }

    private static IEnumerable<GoFunction> SemverFunctions()
    {
        yield return new GoFunction("semver", new GoSignature([GoType.String], SemverValue.PointerType, ReturnsError: true),
            static (_, a) => new SemverValue(SemverVersion.Parse((string)a[0]!), pointer: true));
        yield return new GoFunction("semverCompare", new GoSignature([GoType.String, GoType.String], GoType.Bool, ReturnsError: true),
            static (_, a) => SemverConstraint.Parse((string)a[0]!).IsSatisfiedBy(SemverVersion.Parse((string)a[1]!)));
    }

    private static IEnumerable<GoFunction> CryptoFunctions()
    {
        yield return GoFunction.Create("sha1sum", (string s) => SprigCrypto.Sha1(s));
        yield return GoFunction.Create("sha256sum", (string s) => SprigCrypto.Sha256(s));
        yield return GoFunction.Create("sha512sum", (string s) => SprigCrypto.Sha512(s));
        yield return GoFunction.Create("adler32sum", (string s) => SprigCrypto.Adler32(s));
        yield return GoFunction.Create("bcrypt", (string s) => SprigCrypto.BcryptHash(s));
        yield return GoFunction.Create("htpasswd", (string user, string password) => SprigCrypto.Htpasswd(user, password));
        yield return new GoFunction("derivePassword",
            new GoSignature([GoType.Uint32, GoType.String, GoType.String, GoType.String, GoType.String], GoType.String),
            static (ctx, a) => SprigCrypto.DerivePassword((uint)a[0]!, (string)a[1]!, (string)a[2]!, (string)a[3]!, (string)a[4]!, ctx.CancellationToken));
        yield return new GoFunction("encryptAES", new GoSignature([GoType.String, GoType.String], GoType.String, ReturnsError: true),
            static (_, a) => SprigCrypto.EncryptAes((string)a[0]!, (string)a[1]!));
        yield return new GoFunction("decryptAES", new GoSignature([GoType.String, GoType.String], GoType.String, ReturnsError: true),
            static (_, a) => SprigCrypto.DecryptAes((string)a[0]!, (string)a[1]!));
        yield return new GoFunction("randBytes", new GoSignature([GoType.Int], GoType.String, ReturnsError: true),
            static (_, a) => SprigCrypto.RandBytes((nint)a[0]!));
    }

    private static IEnumerable<GoFunction> CertificateFunctions(Certificates certificates)
    {
        var cert = Certificates.Type;
        var str = GoType.String;
        var list = GoType.SliceOfInterface;
        var days = GoType.Int;
        static List<object?>? List(object? value) => value is null or GoTypedNil ? null : GoFunction.Arg<List<object?>>(value);
        static Certificates.Certificate Ca(object? value) =>
            value as Certificates.Certificate ?? throw new InvalidCastException($"{GoValues.TypeName(value)} is not a sprig.certificate");

        yield return GoFunction.Create("genPrivateKey", (string type) => Certificates.GeneratePrivateKey(type));
        yield return new GoFunction("buildCustomCert", new GoSignature([str, str], cert, ReturnsError: true),
            static (_, a) => Certificates.BuildCustom((string)a[0]!, (string)a[1]!));
        yield return new GoFunction("genCA", new GoSignature([str, days], cert, ReturnsError: true),
            (_, a) => certificates.GenerateCa((string)a[0]!, (nint)a[1]!, null));
        yield return new GoFunction("genCAWithKey", new GoSignature([str, days, str], cert, ReturnsError: true),
            (_, a) => certificates.GenerateCa((string)a[0]!, (nint)a[1]!, (string)a[2]!));
        yield return new GoFunction("genSelfSignedCert", new GoSignature([str, list, list, days], cert, ReturnsError: true),
            (_, a) => certificates.GenerateSelfSigned((string)a[0]!, List(a[1]), List(a[2]), (nint)a[3]!, null));
        yield return new GoFunction("genSelfSignedCertWithKey", new GoSignature([str, list, list, days, str], cert, ReturnsError: true),
            (_, a) => certificates.GenerateSelfSigned((string)a[0]!, List(a[1]), List(a[2]), (nint)a[3]!, (string)a[4]!));
        yield return new GoFunction("genSignedCert", new GoSignature([str, list, list, days, cert], cert, ReturnsError: true),
            (_, a) => certificates.GenerateSigned((string)a[0]!, List(a[1]), List(a[2]), (nint)a[3]!, Ca(a[4]), null));
        yield return new GoFunction("genSignedCertWithKey", new GoSignature([str, list, list, days, cert, str], cert, ReturnsError: true),
            (_, a) => certificates.GenerateSigned((string)a[0]!, List(a[1]), List(a[2]), (nint)a[3]!, Ca(a[4]), (string)a[5]!));
    }

    private static IEnumerable<GoFunction> RandomFunctions()
    {
        yield return GoFunction.Create("randAlphaNum", (nint n) => SprigRandom.AlphaNumeric(n));
        yield return GoFunction.Create("randAlpha", (nint n) => SprigRandom.Alpha(n));
        yield return GoFunction.Create("randAscii", (nint n) => SprigRandom.Ascii(n));
        yield return GoFunction.Create("randNumeric", (nint n) => SprigRandom.Numeric(n));
        yield return GoFunction.Create("randInt", (nint min, nint max) => SprigRandom.Int(min, max));
        yield return GoFunction.Create("shuffle", (string s) => SprigRandom.Shuffle(s));
        yield return new GoFunction("uuidv4", new GoSignature(NoParameters, GoType.String), static (_, _) => SprigRandom.UuidV4());
    }

    private static IEnumerable<GoFunction> UrlFunctions()
    {
        yield return GoFunction.Create("urlParse", (string v) => SprigUrls.UrlParse(v));
        yield return new GoFunction("urlJoin", new GoSignature([GoType.MapOfStringInterface], GoType.String),
            static (_, a) => SprigUrls.UrlJoin(a[0] as IDictionary<string, object?>));
        yield return GoFunction.Create("getHostByName", (string name) => SprigNetwork.GetHostByName(name));
    }
}
