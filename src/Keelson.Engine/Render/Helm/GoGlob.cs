using System.Text;
using System.Text.RegularExpressions;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Go's path/filepath.Match (Unix separator), which Helm uses for .helmignore rules and <c>--show-only</c>, and the
/// gobwas/glob syntax of <c>.Files.Glob</c> (<c>**</c> crosses '/', <c>{a,b}</c> alternatives).
/// </summary>
internal static class GoGlob
{
    /// <summary>filepath.Match: false for no match; throws <see cref="FormatException"/> for a malformed pattern (ErrBadPattern).</summary>
    public static bool Match(string pattern, string name)
    {
        while (pattern.Length > 0)
        {
            var (star, chunk, rest) = ScanChunk(pattern);
            pattern = rest;
            if (star && chunk.Length == 0)
            {
                // A trailing * matches the rest of the name unless it has a '/'.
                return !name.Contains('/', StringComparison.Ordinal);
            }

            var (t, ok) = MatchChunk(chunk, name);
            if (ok && (t.Length == 0 || pattern.Length > 0))
            {
                name = t;
                continue;
            }

            var matched = false;
            if (star)
            {
                for (var i = 0; i < name.Length && name[i] != '/'; i++)
                {
                    var (t2, ok2) = MatchChunk(chunk, name[(i + 1)..]);
                    if (ok2)
                    {
                        if (pattern.Length == 0 && t2.Length > 0)
                        {
                            continue;
                        }

                        name = t2;
                        matched = true;
                        break;
                    }
                }
            }

            if (matched)
            {
                continue;
            }

            // Report a malformed remainder even when the name did not match, as Go does.
            while (pattern.Length > 0)
            {
                var (_, c, r) = ScanChunk(pattern);
                pattern = r;
                MatchChunk(c, "");
            }

            return false;
        }

        return name.Length == 0;
    }

    /// <summary>Throws when a pattern is malformed (what filepath.Match(pattern, "abc") reports).</summary>
    public static void Check(string pattern) => Match(pattern, "abc");

    private static (bool Star, string Chunk, string Remaining) ScanChunk(string pattern)
    {
        var star = false;
        while (pattern.Length > 0 && pattern[0] == '*')
        {
            pattern = pattern[1..];
            star = true;
        }

        var inRange = false;
        int i;
        for (i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 < pattern.Length)
                {
                    i++;
                }
            }
            else if (c == '[')
            {
                inRange = true;
            }
            else if (c == ']')
            {
                inRange = false;
            }
            else if (c == '*' && !inRange)
            {
                break;
            }
        }

        return (star, pattern[..i], pattern[i..]);
    }

    private static (string Remaining, bool Ok) MatchChunk(string chunk, string s)
    {
        var failed = false;
        while (chunk.Length > 0)
        {
            if (!failed && s.Length == 0)
            {
                failed = true;
            }

            switch (chunk[0])
            {
                case '[':
                {
                    var r = 0;
                    if (!failed)
                    {
                        r = char.ConvertToUtf32(s, 0);
                        s = s[Width(s)..];
                    }

                    chunk = chunk[1..];
                    var negated = false;
                    if (chunk.Length > 0 && chunk[0] == '^')
                    {
                        negated = true;
                        chunk = chunk[1..];
                    }

                    var match = false;
                    var ranges = 0;
                    while (true)
                    {
                        if (chunk.Length > 0 && chunk[0] == ']' && ranges > 0)
                        {
                            chunk = chunk[1..];
                            break;
                        }

                        var lo = GetEsc(ref chunk);
                        var hi = lo;
                        if (chunk[0] == '-')
                        {
                            chunk = chunk[1..];
                            hi = GetEsc(ref chunk);
                        }

                        if (lo <= r && r <= hi)
                        {
                            match = true;
                        }

                        ranges++;
                    }

                    if (match == negated)
                    {
                        failed = true;
                    }

                    break;
                }

                case '?':
                    if (!failed)
                    {
                        if (s[0] == '/')
                        {
                            failed = true;
                        }

                        s = s[Width(s)..];
                    }

                    chunk = chunk[1..];
                    break;
                default:
                    if (chunk[0] == '\\')
                    {
                        chunk = chunk[1..];
                        if (chunk.Length == 0)
                        {
                            throw BadPattern();
                        }
                    }

                    if (!failed)
                    {
                        if (chunk[0] != s[0])
                        {
                            failed = true;
                        }

                        s = s[1..];
                    }

                    chunk = chunk[1..];
                    break;
            }
        }

        return failed ? ("", false) : (s, true);
    }

    private static int GetEsc(ref string chunk)
    {
        if (chunk.Length == 0 || chunk[0] == '-' || chunk[0] == ']')
        {
            throw BadPattern();
        }

        if (chunk[0] == '\\')
        {
            chunk = chunk[1..];
            if (chunk.Length == 0)
            {
                throw BadPattern();
            }
        }

        var r = char.ConvertToUtf32(chunk, 0);
        chunk = chunk[Width(chunk)..];
        if (chunk.Length == 0)
        {
            throw BadPattern();
        }

        return r;
    }

    private static int Width(string s) => char.IsSurrogatePair(s, 0) ? 2 : 1;

    private static FormatException BadPattern() => new("syntax error in pattern");

    /// <summary>
    /// gobwas/glob with '/' as separator, as <c>.Files.Glob</c> compiles it. A pattern that does not compile matches
    /// everything (Helm falls back to "**").
    /// </summary>
    public static Regex CompileFilesGlob(string pattern)
    {
        try
        {
            return new Regex("^" + GlobToRegex(pattern) + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        }
        catch (FormatException)
        {
            return new Regex("^.*$", RegexOptions.Singleline);
        }
    }

    private static string GlobToRegex(string pattern)
    {
        var sb = new StringBuilder();
        var depth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    {
                        sb.Append(".*");
                        i++;
                    }
                    else
                    {
                        sb.Append("[^/]*");
                    }

                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '[':
                {
                    var end = pattern.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        throw new FormatException("unclosed character class");
                    }

                    var body = pattern[(i + 1)..end];
                    var negate = body.StartsWith('!');
                    if (negate)
                    {
                        body = body[1..];
                    }

                    if (body.Length == 0)
                    {
                        throw new FormatException("empty character class");
                    }

                    sb.Append(negate ? "[^" : "[");
                    foreach (var bc in body)
                    {
                        sb.Append(bc is '\\' or '[' or ']' or '^' ? "\\" + bc : bc.ToString());
                    }

                    sb.Append(']');
                    i = end;
                    break;
                }

                case '{':
                    depth++;
                    sb.Append("(?:");
                    break;
                case '}':
                    if (depth == 0)
                    {
                        throw new FormatException("unbalanced }");
                    }

                    depth--;
                    sb.Append(')');
                    break;
                case ',':
                    sb.Append(depth > 0 ? "|" : ",");
                    break;
                case '\\':
                    if (i + 1 >= pattern.Length)
                    {
                        throw new FormatException("trailing escape");
                    }

                    i++;
                    sb.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        if (depth != 0)
        {
            throw new FormatException("unbalanced {");
        }

        return sb.ToString();
    }
}
