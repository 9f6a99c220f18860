namespace Keelson.Engine.Render.Helm;

/// <summary>
/// .helmignore rules with Helm's semantics (pkg/ignore): shell globs via filepath.Match, a rule without '/' matches
/// the base name, a leading '/' anchors at the chart root, a trailing '/' matches directories only, '!' negates, and
/// <c>**</c> is refused. Helm always adds <c>templates/.?*</c> (dot files in templates/ are not templates).
/// </summary>
internal sealed class HelmIgnore
{
    public const string FileName = ".helmignore";

    private readonly List<Rule> _rules = [];

    public static HelmIgnore Parse(string text)
    {
        var ignore = new HelmIgnore();
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        foreach (var line in text.Split('\n'))
        {
            ignore.Add(line.TrimEnd('\r'));
        }

        return ignore;
    }

    public static HelmIgnore Empty() => new();

    public void AddDefaults() => Add("templates/.?*");

    /// <summary>Whether a path (relative, '/'-separated) is ignored.</summary>
    public bool Ignore(string path, bool isDirectory)
    {
        if (path.Length == 0 || path is "." or "./")
        {
            return false;
        }

        foreach (var rule in _rules)
        {
            // Helm's negation returns "ignored" for every path the negated rule does not match.
            if (rule.Negate)
            {
                if (rule.MustBeDirectory && !isDirectory)
                {
                    return true;
                }

                if (!rule.Matches(path))
                {
                    return true;
                }

                continue;
            }

            if (rule.MustBeDirectory && !isDirectory)
            {
                continue;
            }

            if (rule.Matches(path))
            {
                return true;
            }
        }

        return false;
    }

    private void Add(string line)
    {
        var rule = line.Trim();
        if (rule.Length == 0 || rule.StartsWith('#'))
        {
            return;
        }

        if (rule.Contains("**", StringComparison.Ordinal))
        {
            throw new HelmException("double-star (**) syntax is not supported");
        }

        try
        {
            GoGlob.Check(rule);
        }
        catch (FormatException)
        {
            throw new HelmException($"syntax error in pattern in {FileName}: {rule}");
        }

        var negate = false;
        if (rule.StartsWith('!'))
        {
            negate = true;
            rule = rule[1..];
        }

        var mustDir = false;
        if (rule.EndsWith('/'))
        {
            mustDir = true;
            rule = rule[..^1];
        }

        RuleKind kind;
        if (rule.StartsWith('/'))
        {
            kind = RuleKind.Rooted;
            rule = rule[1..];
        }
        else
        {
            kind = rule.Contains('/', StringComparison.Ordinal) ? RuleKind.Structural : RuleKind.BaseName;
        }

        _rules.Add(new Rule(rule, kind, negate, mustDir));
    }

    private enum RuleKind
    {
        Rooted,
        Structural,
        BaseName,
    }

    private sealed record Rule(string Pattern, RuleKind Kind, bool Negate, bool MustBeDirectory)
    {
        public bool Matches(string path)
        {
            var name = Kind == RuleKind.BaseName ? BaseName(path) : path;
            try
            {
                return GoGlob.Match(Pattern, name);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        private static string BaseName(string path)
        {
            path = path.TrimEnd('/');
            var slash = path.LastIndexOf('/');
            return slash < 0 ? path : path[(slash + 1)..];
        }
    }
}
