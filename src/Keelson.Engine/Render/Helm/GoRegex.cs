using System.Text;
using System.Text.RegularExpressions;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Compiles a Go (RE2) regular expression with .NET, translating where the two differ: ASCII-only \d \w \s, '$'
/// only at the very end, (?P&lt;name&gt;...) groups and POSIX classes. RE2 has no backreferences or lookaround; a
/// pattern using them is refused as Go would refuse it.
/// </summary>
internal static class GoRegex
{
    private static readonly Dictionary<string, string> Posix = new(StringComparer.Ordinal)
    {
        ["alnum"] = "0-9A-Za-z",
        ["alpha"] = "A-Za-z",
        ["ascii"] = "\\x00-\\x7F",
        ["blank"] = "\\t ",
        ["cntrl"] = "\\x00-\\x1F\\x7F",
        ["digit"] = "0-9",
        ["graph"] = "!-~",
        ["lower"] = "a-z",
        ["print"] = " -~",
        ["punct"] = "!-/:-@\\[-`{-~",
        ["space"] = "\\t\\n\\v\\f\\r ",
        ["upper"] = "A-Z",
        ["word"] = "0-9A-Za-z_",
        ["xdigit"] = "0-9A-Fa-f",
    };

    public static Regex Compile(string pattern) =>
        new(Translate(pattern), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2));

    internal static string Translate(string p)
    {
        var sb = new StringBuilder(p.Length + 16);
        var inClass = false;
        for (var i = 0; i < p.Length; i++)
        {
            var c = p[i];
            if (c == '\\' && i + 1 < p.Length)
            {
                var n = p[i + 1];
                i++;
                switch (n)
                {
                    case 'd': sb.Append(inClass ? "0-9" : "[0-9]"); break;
                    case 'D': sb.Append(inClass ? "\\x00-/:-\\uFFFF" : "[^0-9]"); break;
                    case 'w': sb.Append(inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]"); break;
                    case 'W': sb.Append(inClass ? "\\x00-/:-@\\[-^`{-\\uFFFF" : "[^0-9A-Za-z_]"); break;
                    case 's': sb.Append(inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]"); break;
                    case 'S': sb.Append(inClass ? "\\x00-\\x08\\x0B\\x0E-\\x1F!-\\uFFFF" : "[^\\t\\n\\f\\r ]"); break;
                    case 'z': sb.Append("\\z"); break;
                    case 'Q':
                    {
                        var end = p.IndexOf("\\E", i + 1, StringComparison.Ordinal);
                        var lit = end < 0 ? p[(i + 1)..] : p[(i + 1)..end];
                        sb.Append(Regex.Escape(lit));
                        i = end < 0 ? p.Length : end + 1;
                        break;
                    }

                    default:
                        if (char.IsAsciiDigit(n) && n != '0' && !inClass)
                        {
                            throw new FormatException($"invalid escape sequence: `\\{n}`");
                        }

                        sb.Append('\\').Append(n);
                        break;
                }

                continue;
            }

            if (inClass)
            {
                if (c == '[' && i + 1 < p.Length && p[i + 1] == ':')
                {
                    var end = p.IndexOf(":]", i + 2, StringComparison.Ordinal);
                    if (end > 0)
                    {
                        var name = p[(i + 2)..end];
                        var negate = name.StartsWith('^');
                        if (!negate && Posix.TryGetValue(name, out var set))
                        {
                            sb.Append(set);
                            i = end + 1;
                            continue;
                        }
                    }
                }

                if (c == ']')
                {
                    inClass = false;
                }
                else if (c == '[')
                {
                    sb.Append('\\');
                }

                sb.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    sb.Append(c);
                    if (i + 1 < p.Length && p[i + 1] == '^')
                    {
                        sb.Append('^');
                        i++;
                    }

                    if (i + 1 < p.Length && p[i + 1] == ']')
                    {
                        sb.Append("\\]");
                        i++;
                    }

                    break;
                case '$':
                    sb.Append("\\z");
                    break;
                case '(' when i + 2 < p.Length && p[i + 1] == '?':
                    if (p[i + 2] == 'P' && i + 3 < p.Length && p[i + 3] == '<')
                    {
                        sb.Append("(?<");
                        i += 3;
                    }
                    else if (p[i + 2] is '=' or '!' || p[i + 2] == '<' && i + 3 < p.Length && p[i + 3] is '=' or '!')
                    {
                        throw new FormatException("invalid or unsupported Perl syntax: `(?" + p[i + 2] + "`");
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }
}
