using System.Text;

namespace Keelson.Templating;

/// <summary>
/// Go's path package (base, dir, clean, ext, isAbs) and path/filepath on Linux (osBase, osDir...), which
/// behave the same there: '/' separates elements.
/// </summary>
internal static class SprigPaths
{
    private static readonly GoType S = GoType.String;

    public static void Add(List<GoFunction> f)
    {
        foreach (var prefix in (string[])["", "os"])
        {
            var os = prefix.Length > 0;
            f.Add(Fn.Of(os ? "osBase" : "base", S, [S], static (_, a) => Base(Fn.Str(a[0]))));
            f.Add(Fn.Of(os ? "osDir" : "dir", S, [S], static (_, a) => Dir(Fn.Str(a[0]))));
            f.Add(Fn.Of(os ? "osClean" : "clean", S, [S], static (_, a) => Clean(Fn.Str(a[0]))));
            f.Add(Fn.Of(os ? "osExt" : "ext", S, [S], static (_, a) => Ext(Fn.Str(a[0]))));
            f.Add(Fn.Of(os ? "osIsAbs" : "isAbs", GoType.Bool, [S], static (_, a) => Fn.Str(a[0]).StartsWith('/')));
        }
    }

    /// <summary>path.Clean: the shortest equivalent path (no "//", ".", or resolvable ".."); "" is ".".</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path[0] == '/';
        var n = path.Length;
        var output = new StringBuilder(n);
        int r = 0, dotdot = 0;
        if (rooted)
        {
            output.Append('/');
            r = dotdot = 1;
        }

        while (r < n)
        {
            if (path[r] == '/')
            {
                r++;
            }
            else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/'))
            {
                r++;
            }
            else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/'))
            {
                r += 2;
                if (output.Length > dotdot)
                {
                    var w = output.Length - 1;
                    while (w > dotdot && output[w] != '/')
                    {
                        w--;
                    }

                    output.Length = w;
                }
                else if (!rooted)
                {
                    if (output.Length > 0)
                    {
                        output.Append('/');
                    }

                    output.Append("..");
                    dotdot = output.Length;
                }
            }
            else
            {
                if (rooted && output.Length != 1 || !rooted && output.Length != 0)
                {
                    output.Append('/');
                }

                for (; r < n && path[r] != '/'; r++)
                {
                    output.Append(path[r]);
                }
            }
        }

        return output.Length == 0 ? "." : output.ToString();
    }

    /// <summary>path.Base: the last element, trailing slashes removed; "" is "." and only slashes is "/".</summary>
    public static string Base(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        path = path.TrimEnd('/');
        var i = path.LastIndexOf('/');
        if (i >= 0)
        {
            path = path[(i + 1)..];
        }

        return path.Length == 0 ? "/" : path;
    }

    /// <summary>path.Dir: everything but the last element, cleaned.</summary>
    public static string Dir(string path) => Clean(path[..(path.LastIndexOf('/') + 1)]);

    /// <summary>path.Ext: the suffix from the last dot of the last element.</summary>
    public static string Ext(string path)
    {
        for (var i = path.Length - 1; i >= 0 && path[i] != '/'; i--)
        {
            if (path[i] == '.')
            {
                return path[i..];
            }
        }

        return "";
    }
}
