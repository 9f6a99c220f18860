namespace Keelson.Templating.Tests;

/// <summary>The function map Helm charts see: every Sprig 3.3 name, and nothing Helm takes away.</summary>
public sealed class SprigFunctionMapTests
{
    // Sprig 3.2.3's genericMap (Debian's source, functions.go) plus sha512sum, the one name Sprig 3.3.0 adds (its
    // functions.go on GitHub), minus env and expandenv, which Helm deletes.
    private static readonly string[] Expected =
    [
        "abbrev", "abbrevboth", "add", "add1", "add1f", "addf", "adler32sum", "ago", "all", "any", "append", "atoi",
        "b32dec", "b32enc", "b64dec", "b64enc", "base", "bcrypt", "biggest", "buildCustomCert", "camelcase", "cat",
        "ceil", "chunk", "clean", "coalesce", "compact", "concat", "contains", "date", "dateInZone", "dateModify",
        "date_in_zone", "date_modify", "decryptAES", "deepCopy", "deepEqual", "default", "derivePassword", "dict",
        "dig", "dir", "div", "divf", "duration", "durationRound", "empty", "encryptAES", "ext", "fail", "first",
        "float64", "floor", "fromJson", "genCA", "genCAWithKey", "genPrivateKey", "genSelfSignedCert",
        "genSelfSignedCertWithKey", "genSignedCert", "genSignedCertWithKey", "get", "getHostByName", "has", "hasKey",
        "hasPrefix", "hasSuffix", "hello", "htmlDate", "htmlDateInZone", "htpasswd", "indent", "initial", "initials",
        "int", "int64", "isAbs", "join", "kebabcase", "keys", "kindIs", "kindOf", "last", "list", "lower", "max",
        "maxf", "merge", "mergeOverwrite", "min", "minf", "mod", "mul", "mulf", "mustAppend", "mustChunk",
        "mustCompact", "mustDateModify", "mustDeepCopy", "mustFirst", "mustFromJson", "mustHas", "mustInitial",
        "mustLast", "mustMerge", "mustMergeOverwrite", "mustPrepend", "mustPush", "mustRegexFind", "mustRegexFindAll",
        "mustRegexMatch", "mustRegexReplaceAll", "mustRegexReplaceAllLiteral", "mustRegexSplit", "mustRest",
        "mustReverse", "mustSlice", "mustToDate", "mustToJson", "mustToPrettyJson", "mustToRawJson", "mustUniq",
        "mustWithout", "must_date_modify", "nindent", "nospace", "now", "omit", "osBase", "osClean", "osDir", "osExt",
        "osIsAbs", "pick", "pluck", "plural", "prepend", "push", "quote", "randAlpha", "randAlphaNum", "randAscii",
        "randBytes", "randInt", "randNumeric", "regexFind", "regexFindAll", "regexMatch", "regexQuoteMeta",
        "regexReplaceAll", "regexReplaceAllLiteral", "regexSplit", "repeat", "replace", "rest", "reverse", "round",
        "semver", "semverCompare", "seq", "set", "sha1sum", "sha256sum", "sha512sum", "shuffle", "slice", "snakecase",
        "sortAlpha", "split", "splitList", "splitn", "squote", "sub", "subf", "substr", "swapcase", "ternary", "title",
        "toDate", "toDecimal", "toJson", "toPrettyJson", "toRawJson", "toString", "toStrings", "trim", "trimAll",
        "trimPrefix", "trimSuffix", "trimall", "trunc", "tuple", "typeIs", "typeIsLike", "typeOf", "uniq", "unixEpoch",
        "unset", "until", "untilStep", "untitle", "upper", "urlJoin", "urlParse", "uuidv4", "values", "without", "wrap",
        "wrapWith",
    ];

    [Fact]
    public void Sprig_adds_exactly_the_text_function_map_of_Sprig_3_3_without_env_and_expandenv()
    {
        var added = Sprig.Functions.Names
            .Where(n => !FunctionMap.Builtins.Contains(n) || Expected.Contains(n, StringComparer.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(Expected.Order(StringComparer.Ordinal), added);
        Assert.All(FunctionMap.Builtins.Names, n => Assert.True(Sprig.Functions.Contains(n), n));
        Assert.False(Sprig.Functions.Contains("env"));
        Assert.False(Sprig.Functions.Contains("expandenv"));
    }

    [Fact]
    public void Sprig_replaces_the_slice_builtin_with_its_own()
    {
        // As in Go, Sprig's FuncMap entry hides the builtin: its slice takes lists only (checked against Go 1.19).
        var builtins = new TemplateSet(FunctionMap.Builtins);
        builtins.Parse("t", "{{ slice \"abc\" 1 2 }}");
        Assert.Equal("b", builtins.Execute("t", null, TestContext.Current.CancellationToken));
        var error = Assert.Throws<TemplateException>(() => Render("{{ slice \"abc\" 1 2 }}"));
        Assert.Contains("list should be type of slice or array but string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandBytes_is_the_base64_of_that_many_random_bytes()
    {
        foreach (var n in new[] { 0, 1, 24, 100 })
        {
            var text = Render($"{{{{ randBytes {n} }}}}");
            Assert.Equal(n, Convert.FromBase64String(text).Length);
        }

        Assert.NotEqual(Render("{{ randBytes 32 }}"), Render("{{ randBytes 32 }}"));
    }

    [Fact]
    public void EncryptAES_output_is_a_random_iv_and_whole_blocks_that_decryptAES_reverses()
    {
        // 16 bytes of plaintext take a second block of padding (PKCS#7): IV + 2 blocks.
        var first = Render("{{ encryptAES \"k\" \"0123456789abcdef\" }}");
        Assert.Equal(48, Convert.FromBase64String(first).Length);
        Assert.NotEqual(first, Render("{{ encryptAES \"k\" \"0123456789abcdef\" }}"));
        Assert.Equal(32, Convert.FromBase64String(Render("{{ encryptAES \"k\" \"x\" }}")).Length);
        Assert.Equal("0123456789abcdef", Render($"{{{{ decryptAES \"k\" \"{first}\" }}}}"));
    }

    private static string Render(string template)
    {
        var set = new TemplateSet(Sprig.Functions);
        set.Parse("t", template);
        return set.Execute("t", null, TestContext.Current.CancellationToken);
    }
}
