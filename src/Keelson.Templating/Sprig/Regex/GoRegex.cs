using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Keelson.Templating;

/// <summary>
/// A Go regexp (RE2 syntax and semantics) running on .NET's non-backtracking engine, which finds the same
/// leftmost-first matches in linear time. The search loops are Go's: FindAll skips an empty match right after a
/// previous match, ReplaceAll never replaces such an empty match, and positions advance by whole characters.
/// </summary>
internal sealed class GoRegex
{
    /// <summary>Bounds the backtracking engine, used only for \b on non-ASCII input or patterns too large for the other one.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    private const RegexOptions Options = RegexOptions.Multiline | RegexOptions.CultureInvariant;

    private readonly Regex _regex;
    private readonly ReNode _tree;
    private readonly bool _usesWordBoundary;
    private Regex? _asciiBoundaryRegex;

    private GoRegex(string expr, ReNode tree, IReadOnlyList<string?> names)
    {
        Expr = expr;
        _tree = tree;
        Names = names;
        var pattern = DotNetPattern.Write(tree, asciiWordBoundary: false, out _usesWordBoundary);
        _regex = Build(pattern, allowNonBacktracking: true);
    }

    public string Expr { get; }

    /// <summary>Group names by index (null when unnamed); index 0 is the whole match.</summary>
    public IReadOnlyList<string?> Names { get; }

    /// <summary>regexp.Compile: throws <see cref="Re2SyntaxException"/> with Go's message.</summary>
    public static GoRegex Compile(string expr)
    {
        var tree = Re2Parser.Parse(expr, out var names);
        return new GoRegex(expr, tree, names);
    }

    private static Regex Build(string pattern, bool allowNonBacktracking)
    {
        if (allowNonBacktracking)
        {
            try
            {
                return new Regex(pattern, Options | RegexOptions.NonBacktracking);
            }
            catch (NotSupportedException)
            {
                // Too large for the automaton: the backtracking engine with a time limit.
            }
        }

        return new Regex(pattern, Options, MatchTimeout);
    }

    /// <summary>.NET's \b knows Unicode letters; Go's only ASCII ones. They agree on ASCII text.</summary>
    private Regex RegexFor(string input)
    {
        if (!_usesWordBoundary || GoText.IsAscii(input))
        {
            return _regex;
        }

        return _asciiBoundaryRegex ??= Build(DotNetPattern.Write(_tree, asciiWordBoundary: true, out _), allowNonBacktracking: false);
    }

    /// <summary>The leftmost match starting at or after <paramref name="start"/>, never inside a surrogate pair; null if none.</summary>
    private static Match? Find(Regex regex, string s, int start)
    {
        try
        {
            while (start <= s.Length)
            {
                var m = regex.Match(s, start);
                if (!m.Success)
                {
                    return null;
                }

                var at = m.Index;
                if (at > 0 && at < s.Length && char.IsLowSurrogate(s[at]) && char.IsHighSurrogate(s[at - 1]))
                {
                    // Go never looks between the halves of a character; .NET's empty-width assertions might.
                    start = at + 1;
                    continue;
                }

                return m;
            }

            return null;
        }
        catch (RegexMatchTimeoutException)
        {
            throw new SprigException($"regexp: matching took longer than {MatchTimeout.TotalSeconds:0} seconds");
        }
    }

    public bool IsMatch(string s) => Find(RegexFor(s), s, 0) is not null;

    /// <summary>FindString: the leftmost match's text, "" if none.</summary>
    public string FindString(string s) => Find(RegexFor(s), s, 0)?.Value ?? "";

    /// <summary>Go's allMatches: up to n matches (all for n &lt; 0).</summary>
    private List<Match> AllMatches(string s, nint n)
    {
        var regex = RegexFor(s);
        var result = new List<Match>();
        var pos = 0;
        var prevMatchEnd = -1;
        while ((n < 0 || result.Count < n) && pos <= s.Length)
        {
            var m = Find(regex, s, pos);
            if (m is null)
            {
                break;
            }

            var end = m.Index + m.Length;
            var accept = true;
            if (end == pos)
            {
                // An empty match right after the previous match is not a match of its own.
                if (m.Index == prevMatchEnd)
                {
                    accept = false;
                }

                pos += pos < s.Length ? Width(s, pos) : 1;
            }
            else
            {
                pos = end;
            }

            prevMatchEnd = end;
            if (accept)
            {
                result.Add(m);
            }
        }

        return result;
    }

    /// <summary>FindAllString: nil (null) when nothing matched.</summary>
    public List<string>? FindAllString(string s, nint n)
    {
        if (n == 0)
        {
            return null;
        }

        var matches = AllMatches(s, n);
        if (matches.Count == 0)
        {
            return null;
        }

        var result = new List<string>(matches.Count);
        foreach (var m in matches)
        {
            result.Add(m.Value);
        }

        return result;
    }

    /// <summary>regexp.Split: the text between up to n-1 matches (n &lt; 0: all), nil for n == 0.</summary>
    public List<string>? Split(string s, nint n)
    {
        if (n == 0)
        {
            return null;
        }

        if (Expr.Length > 0 && s.Length == 0)
        {
            return [""];
        }

        var matches = AllMatches(s, n);
        var result = new List<string>(matches.Count + 1);
        int beg = 0, end = 0;
        foreach (var m in matches)
        {
            if (n > 0 && result.Count == n - 1)
            {
                break;
            }

            end = m.Index;
            if (m.Index + m.Length != 0)
            {
                result.Add(s[beg..end]);
            }

            beg = m.Index + m.Length;
        }

        if (end != s.Length)
        {
            result.Add(s[beg..]);
        }

        return result;
    }

    /// <summary>ReplaceAllString (template expanded with Go's $ rules) or ReplaceAllLiteralString.</summary>
    public string ReplaceAll(string src, string repl, bool literal)
    {
        var regex = RegexFor(src);
        var sb = new StringBuilder(src.Length);
        var lastMatchEnd = 0;
        var searchPos = 0;
        var any = false;
        while (searchPos <= src.Length)
        {
            var m = Find(regex, src, searchPos);
            if (m is null)
            {
                break;
            }

            any = true;
            var start = m.Index;
            var end = start + m.Length;
            sb.Append(src, lastMatchEnd, start - lastMatchEnd);

            // No replacement for an empty match right after the previous match (Go's rule, not .NET's).
            if (end > lastMatchEnd || start == 0)
            {
                if (literal)
                {
                    sb.Append(repl);
                }
                else
                {
                    Expand(sb, repl, m);
                }
            }

            lastMatchEnd = end;
            var width = searchPos < src.Length ? Width(src, searchPos) : 1;
            if (searchPos + width > end)
            {
                searchPos += width;
            }
            else if (searchPos + 1 > end)
            {
                searchPos++;
            }
            else
            {
                searchPos = end;
            }
        }

        if (!any)
        {
            return src;
        }

        sb.Append(src, lastMatchEnd, src.Length - lastMatchEnd);
        return sb.ToString();
    }

    /// <summary>
    /// regexp's Expand: $1, ${1}, $name, ${name}; a name is the longest run of letters, digits and '_' ($1x is
    /// the group named "1x"); $$ is a dollar; a malformed reference is a literal '$'; unknown groups are empty.
    /// </summary>
    private void Expand(StringBuilder sb, string template, Match m)
    {
        var i = 0;
        while (i < template.Length)
        {
            var dollar = template.IndexOf('$', i);
            if (dollar < 0)
            {
                break;
            }

            sb.Append(template, i, dollar - i);
            i = dollar + 1;
            if (i < template.Length && template[i] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }

            if (!TryExtract(template, i, out var name, out var num, out var rest))
            {
                sb.Append('$');
                continue;
            }

            i = rest;
            if (num >= 0)
            {
                if (num < m.Groups.Count && m.Groups[num].Success)
                {
                    sb.Append(m.Groups[num].ValueSpan);
                }
            }
            else
            {
                for (var g = 0; g < Names.Count; g++)
                {
                    if (Names[g] == name && g < m.Groups.Count && m.Groups[g].Success)
                    {
                        sb.Append(m.Groups[g].ValueSpan);
                        break;
                    }
                }
            }
        }

        sb.Append(template, i, template.Length - i);
    }

    /// <summary>Go's extract: the group reference after a '$'; num is -1 for a name that is not a number.</summary>
    private static bool TryExtract(string s, int at, out string name, out int num, out int rest)
    {
        name = "";
        num = -1;
        rest = at;
        if (at >= s.Length)
        {
            return false;
        }

        var brace = s[at] == '{';
        var p = brace ? at + 1 : at;
        var start = p;
        while (p < s.Length)
        {
            var r = GoText.RuneAt(s, p, out var w);
            if (!GoText.IsLetter(r) && !GoText.IsDigit(r) && r != '_')
            {
                break;
            }

            p += w;
        }

        if (p == start)
        {
            return false;
        }

        name = s[start..p];
        if (brace)
        {
            if (p >= s.Length || s[p] != '}')
            {
                return false;
            }

            p++;
        }

        num = 0;
        foreach (var c in name)
        {
            if (c is < '0' or > '9' || num >= 100_000_000)
            {
                num = -1;
                break;
            }

            num = num * 10 + (c - '0');
        }

        // Leading zeros make it a name, not a number.
        if (name[0] == '0' && name.Length > 1)
        {
            num = -1;
        }

        rest = p;
        return true;
    }

    private static int Width(string s, int i) =>
        char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
}

/// <summary>
/// Compiled regexes by pattern, shared by all renders of a function map. Bounded: when full it starts over, so a
/// template that builds patterns from data cannot grow it without limit. Compile errors are cached too.
/// </summary>
internal sealed class RegexCache(int capacity = 512)
{
    private readonly ConcurrentDictionary<string, object> _entries = new(StringComparer.Ordinal);

    /// <summary>The compiled pattern; throws <see cref="Re2SyntaxException"/> for a bad one.</summary>
    public GoRegex Get(string pattern)
    {
        if (!_entries.TryGetValue(pattern, out var entry))
        {
            try
            {
                entry = GoRegex.Compile(pattern);
            }
            catch (Re2SyntaxException ex)
            {
                entry = ex;
            }

            if (_entries.Count >= capacity)
            {
                _entries.Clear();
            }

            _entries[pattern] = entry;
        }

        return entry is GoRegex regex ? regex : throw ((Re2SyntaxException)entry).Copy();
    }
}
