namespace Keelson.Templating;

/// <summary>
/// Sprig's regex functions with Go's regexp (RE2) semantics. An invalid pattern makes regexMatch false, makes the
/// other plain forms panic as regexp.MustCompile does ("regexp: Compile(`(`): error parsing regexp: ..."), and is
/// the error of the must* forms.
/// </summary>
internal static class SprigRegex
{
    private static readonly GoType S = GoType.String;
    private static readonly GoType I = GoType.Int;

    public static void Add(List<GoFunction> f)
    {
        var cache = new RegexCache();
        f.Add(Fn.Of("regexMatch", GoType.Bool, [S, S], (_, a) => TryGet(cache, Fn.Str(a[0])) is { } re && re.IsMatch(Fn.Str(a[1]))));
        f.Add(Fn.OfWithError("mustRegexMatch", GoType.Bool, [S, S], (_, a) => cache.Get(Fn.Str(a[0])).IsMatch(Fn.Str(a[1]))));
        f.Add(Fn.Of("regexFindAll", GoType.SliceOfString, [S, S, I], (_, a) => MustCompile(cache, Fn.Str(a[0])).FindAllString(Fn.Str(a[1]), Fn.Int(a[2]))));
        f.Add(Fn.OfWithError("mustRegexFindAll", GoType.SliceOfString, [S, S, I], (_, a) => cache.Get(Fn.Str(a[0])).FindAllString(Fn.Str(a[1]), Fn.Int(a[2]))));
        f.Add(Fn.Of("regexFind", S, [S, S], (_, a) => MustCompile(cache, Fn.Str(a[0])).FindString(Fn.Str(a[1]))));
        f.Add(Fn.OfWithError("mustRegexFind", S, [S, S], (_, a) => cache.Get(Fn.Str(a[0])).FindString(Fn.Str(a[1]))));
        f.Add(Fn.Of("regexReplaceAll", S, [S, S, S], (_, a) => MustCompile(cache, Fn.Str(a[0])).ReplaceAll(Fn.Str(a[1]), Fn.Str(a[2]), literal: false)));
        f.Add(Fn.OfWithError("mustRegexReplaceAll", S, [S, S, S], (_, a) => cache.Get(Fn.Str(a[0])).ReplaceAll(Fn.Str(a[1]), Fn.Str(a[2]), literal: false)));
        f.Add(Fn.Of("regexReplaceAllLiteral", S, [S, S, S], (_, a) => MustCompile(cache, Fn.Str(a[0])).ReplaceAll(Fn.Str(a[1]), Fn.Str(a[2]), literal: true)));
        f.Add(Fn.OfWithError("mustRegexReplaceAllLiteral", S, [S, S, S], (_, a) => cache.Get(Fn.Str(a[0])).ReplaceAll(Fn.Str(a[1]), Fn.Str(a[2]), literal: true)));
        f.Add(Fn.Of("regexSplit", GoType.SliceOfString, [S, S, I], (_, a) => MustCompile(cache, Fn.Str(a[0])).Split(Fn.Str(a[1]), Fn.Int(a[2]))));
        f.Add(Fn.OfWithError("mustRegexSplit", GoType.SliceOfString, [S, S, I], (_, a) => cache.Get(Fn.Str(a[0])).Split(Fn.Str(a[1]), Fn.Int(a[2]))));
        f.Add(Fn.Of("regexQuoteMeta", S, [S], static (_, a) => Re2Parser.QuoteMeta(Fn.Str(a[0]))));
    }

    private static GoRegex? TryGet(RegexCache cache, string pattern)
    {
        try
        {
            return cache.Get(pattern);
        }
        catch (Re2SyntaxException)
        {
            return null;
        }
    }

    /// <summary>regexp.MustCompile's panic: "regexp: Compile(`expr`): error parsing regexp: ...".</summary>
    private static GoRegex MustCompile(RegexCache cache, string pattern)
    {
        try
        {
            return cache.Get(pattern);
        }
        catch (Re2SyntaxException ex)
        {
            var quoted = Fmt.GoStrconv.CanBackquote(pattern) ? "`" + pattern + "`" : Fmt.GoStrconv.Quote(pattern);
            throw new SprigException("regexp: Compile(" + quoted + "): " + ex.Message);
        }
    }
}
