using System.Text;
using System.Text.RegularExpressions;

namespace Keelson.Engine.Render;

/// <summary>
/// Glob patterns as Argo CD matches directory include/exclude (gobwas/glob without separators): <c>*</c> matches any
/// run of characters including '/', <c>?</c> one character, <c>[a-z]</c> and <c>[!a-z]</c> classes, <c>{a,b}</c>
/// alternatives (nestable), <c>\</c> escapes. Compiled to a non-backtracking regex, so a hostile pattern cannot make
/// matching slow.
/// </summary>
internal sealed class Glob
{
    private readonly Regex? _regex;

    private Glob(Regex? regex) => _regex = regex;

    /// <summary>An empty pattern matches everything.</summary>
    public static Glob Parse(string pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            return new Glob(null);
        }

        var regex = new StringBuilder("^(?:");
        var depth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\':
                    if (++i == pattern.Length)
                    {
                        throw new FormatException($"the pattern '{pattern}' ends with an unfinished escape '\\'");
                    }

                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                case '*':
                    while (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    {
                        i++;
                    }

                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    i = AppendClass(pattern, i, regex);
                    break;
                case '{':
                    depth++;
                    regex.Append("(?:");
                    break;
                case '}' when depth > 0:
                    depth--;
                    regex.Append(')');
                    break;
                case ',' when depth > 0:
                    regex.Append('|');
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        if (depth != 0)
        {
            throw new FormatException($"the pattern '{pattern}' has an unclosed '{{'");
        }

        regex.Append(")$");
        return new Glob(new Regex(regex.ToString(), RegexOptions.NonBacktracking | RegexOptions.CultureInvariant));
    }

    public bool IsMatch(string path) => _regex is null || _regex.IsMatch(path);

    private static int AppendClass(string pattern, int start, StringBuilder regex)
    {
        var i = start + 1;
        var negate = i < pattern.Length && pattern[i] is '!' or '^';
        if (negate)
        {
            i++;
        }

        var members = new StringBuilder();
        for (; i < pattern.Length && pattern[i] != ']'; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                c = pattern[++i];
            }

            if (c == '-' && members.Length > 0 && i + 1 < pattern.Length && pattern[i + 1] != ']')
            {
                members.Append('-');
                continue;
            }

            members.Append(c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString());
        }

        if (i == pattern.Length || members.Length == 0)
        {
            throw new FormatException($"the pattern '{pattern}' has an unclosed or empty '['");
        }

        regex.Append('[').Append(negate ? "^" : "").Append(members).Append(']');
        return i;
    }
}
