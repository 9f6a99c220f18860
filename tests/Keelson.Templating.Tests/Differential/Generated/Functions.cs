namespace Keelson.Templating.Tests.Differential.Generated;

/// <summary>A function the generator may call: parameter types, optional repeated trailing parameter, result.</summary>
internal sealed record Function(string Name, Ty[] Params, Ty Result, Ty? Rest = null, bool Sprig = true);

/// <summary>
/// The functions random templates use. Left out on purpose: anything random or time-dependent (rand*, uuidv4, now,
/// ago, date of non-integers, shuffle, gen*, bcrypt, htpasswd, encryptAES), unordered results (keys and values are
/// only used sorted), slow ones (derivePassword), and slicing lists (Go slices past the length up to the capacity
/// encoding/json happened to allocate, which no other implementation can reproduce).
/// </summary>
internal static class Functions
{
    private const Ty S = Ty.Str;
    private const Ty A = Ty.Ascii;
    private const Ty I = Ty.Int;
    private const Ty F = Ty.Float;
    private const Ty B = Ty.Bool;
    private const Ty L = Ty.List;
    private const Ty M = Ty.Map;
    private const Ty X = Ty.Any;

    public static readonly IReadOnlyList<Function> All =
    [
        // Go builtins.
        new("len", [X], I, Sprig: false),
        new("index", [L, I], X, Sprig: false),
        new("index", [M, A], X, Sprig: false),
        new("slice", [A, I, I], A, Sprig: false),
        new("not", [X], B, Sprig: false),
        new("and", [X, X], X, X, Sprig: false),
        new("or", [X, X], X, X, Sprig: false),
        new("eq", [X, X], B, X, Sprig: false),
        new("ne", [X, X], B, Sprig: false),
        new("lt", [X, X], B, Sprig: false),
        new("le", [X, X], B, Sprig: false),
        new("gt", [X, X], B, Sprig: false),
        new("ge", [X, X], B, Sprig: false),
        new("print", [], S, X, Sprig: false),
        new("println", [], S, X, Sprig: false),
        new("html", [X], S, X, Sprig: false),
        new("js", [X], S, Sprig: false),
        new("urlquery", [X], S, X, Sprig: false),

        // Sprig strings.
        new("upper", [S], S),
        new("lower", [S], S),
        new("title", [S], S),
        new("untitle", [S], S),
        new("trim", [S], S),
        new("trimAll", [S, S], S),
        new("trimPrefix", [S, S], S),
        new("trimSuffix", [S, S], S),
        new("trunc", [I, A], A),
        new("abbrev", [I, A], A),
        new("substr", [I, I, A], A),
        new("repeat", [I, S], S),
        new("nospace", [A], A),
        new("initials", [A], A),
        new("swapcase", [S], S),
        new("snakecase", [S], S),
        new("camelcase", [S], S),
        new("kebabcase", [S], S),
        new("wrap", [I, S], S),
        new("contains", [S, S], B),
        new("hasPrefix", [S, S], B),
        new("hasSuffix", [S, S], B),
        new("quote", [X], S, X),
        new("squote", [X], S, X),
        new("cat", [X], S, X),
        new("indent", [I, S], S),
        new("nindent", [I, S], S),
        new("replace", [S, S, S], S),
        new("plural", [S, S, I], S),
        new("toString", [X], S),
        new("b64enc", [S], A),
        new("b64dec", [S], S),
        new("b32enc", [S], A),
        new("sha256sum", [S], A),
        new("sha1sum", [S], A),
        new("adler32sum", [S], A),
        new("regexMatch", [Ty.Str, S], B),
        new("regexFind", [Ty.Str, S], S),
        new("regexReplaceAll", [Ty.Str, S, S], S),
        new("regexSplit", [Ty.Str, S, I], L),
        new("regexFindAll", [Ty.Str, S, I], L),
        new("regexQuoteMeta", [S], S),
        new("semverCompare", [A, A], B),
        new("base", [S], S),
        new("dir", [S], S),
        new("clean", [S], S),
        new("ext", [S], S),

        // Sprig lists.
        new("list", [], L, X),
        new("append", [L, X], L),
        new("prepend", [L, X], L),
        new("first", [L], X),
        new("rest", [L], L),
        new("last", [L], X),
        new("initial", [L], L),
        new("reverse", [L], L),
        new("uniq", [L], L),
        new("without", [L], L, X),
        new("has", [X, L], B),
        new("compact", [L], L),
        new("concat", [L, L], L, L),
        new("join", [S, L], S),
        new("splitList", [S, S], L),
        new("sortAlpha", [L], L),
        new("until", [I], L),
        new("seq", [I], S, I),
        new("chunk", [I, L], L),
        new("toStrings", [L], L),

        // Sprig dictionaries.
        new("dict", [], M, X),
        new("get", [M, A], X),
        new("hasKey", [M, A], B),
        new("pick", [M], M, A),
        new("omit", [M], M, A),
        new("merge", [M, M], M),
        new("mergeOverwrite", [M, M], M),
        new("set", [M, A, X], M),
        new("unset", [M, A], M),
        new("dig", [A, X, M], X),
        new("pluck", [A, M], L, M),
        new("deepCopy", [X], X),

        // Sprig math and conversions.
        new("add", [X, X], I, X),
        new("add1", [X], I),
        new("sub", [X, X], I),
        new("mul", [X, X], I, X),
        new("div", [X, X], I),
        new("mod", [X, X], I),
        new("max", [X, X], I, X),
        new("min", [X, X], I, X),
        new("addf", [X, X], F, X),
        new("subf", [X, X], F, X),
        new("mulf", [X, X], F),
        new("divf", [X, X], F),
        new("maxf", [X, X], F),
        new("minf", [X, X], F),
        new("floor", [X], F),
        new("ceil", [X], F),
        new("round", [X, I], F),
        new("int", [X], I),
        new("int64", [X], I),
        new("float64", [X], F),
        new("atoi", [S], I),

        // Sprig defaults, JSON and reflection.
        new("default", [X, X], X),
        new("empty", [X], B),
        new("coalesce", [X, X], X, X),
        new("ternary", [X, X, B], X),
        new("all", [X], B, X),
        new("any", [X], B, X),
        new("toJson", [X], S),
        new("toPrettyJson", [X], S),
        new("toRawJson", [X], S),
        new("fromJson", [S], X),
        new("kindOf", [X], A),
        new("typeOf", [X], A),
        new("kindIs", [A, X], B),
        new("deepEqual", [X, X], B),
    ];

    public static readonly string[] Regexes =
    [
        "^[a-z]+$", "[0-9]+", "a|b", "(\\w+)@(\\w+)", "\\s+", "^v?[0-9]+\\.[0-9]+", ".", "", "x*", "[aeiou]", "(?i)hello",
        "[[:alpha:]]+", "\\bcat\\b", "(a)(b)?", "[^a-z]", "é+", "(",
    ];

    public static readonly string[] Replacements = ["-", "${1}", "$1x", "<$0>", "", "$$", "${2}"];

    public static readonly string[] Constraints =
    [
        // A lone "!=1.2.3" is left out: it accepts prereleases in Masterminds/semver 3.2 (the reference) and not in 3.4.
        ">=1.2.3", "^1.0", "~1.2", "1.x", "<2.0.0", ">1.0.0, <3", "1.2 - 1.4", "!=1.2.3, <3", "!=1.x", ">= 1.20-0", "*",
        "=1.2.3 || >=2", ">>1",
    ];

    public static readonly string[] Versions = ["1.2.3", "v1.2.3", "1.0", "2.0.0-rc.1", "0.9.9", "1.2.4+build", "banana", "1.20.3"];

    public static readonly string[] JsonTexts = ["{\"a\": 1}", "[1, \"x\"]", "\"s\"", "12", "null", "{bad", "", "true"];

    public static readonly string[] Kinds = ["string", "slice", "map", "float64", "int", "bool", "invalid", "int64"];
}
