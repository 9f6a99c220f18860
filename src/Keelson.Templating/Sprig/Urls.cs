using System.Text;

namespace Keelson.Templating.Net;

/// <summary>
/// Go's net/url URL, as far as Sprig's urlParse and urlJoin reach: Parse (scheme, opaque, userinfo, host with IPv6
/// brackets, ports and zones, path and fragment unescaping, errors) and String (per-part escaping). Works on UTF-8
/// bytes, as Go does: "%C3%BC" is one character, and non-ASCII is escaped byte by byte.
/// </summary>
internal sealed class GoUrl
{
    private enum Mode
    {
        Path,
        PathSegment,
        Host,
        Zone,
        UserPassword,
        QueryComponent,
        Fragment,
    }

    public string Scheme { get; init; } = "";

    public string Opaque { get; init; } = "";

    /// <summary>The user name and password, or null when there was no '@'.</summary>
    public (string User, string? Password)? User { get; init; }

    public string Host { get; init; } = "";

    public string Path { get; private set; } = "";

    public string RawPath { get; private set; } = "";

    public bool OmitHost { get; init; }

    public bool ForceQuery { get; init; }

    public string RawQuery { get; init; } = "";

    public string Fragment { get; private set; } = "";

    public string RawFragment { get; private set; } = "";

    /// <summary>url.Parse; the error text is Go's ("parse \"http://[::1\": missing ']' in host").</summary>
    public static GoUrl Parse(string rawUrl)
    {
        var hash = rawUrl.IndexOf('#', StringComparison.Ordinal);
        var u = hash < 0 ? rawUrl : rawUrl[..hash];
        GoUrl url;
        try
        {
            url = ParseWithoutFragment(u);
        }
        catch (FormatException ex)
        {
            throw new FormatException(GoFmt.Sprintf("%s %q: %s", "parse", u, ex.Message), ex);
        }

        if (hash < 0 || hash == rawUrl.Length - 1)
        {
            return url;
        }

        try
        {
            url.SetFragment(rawUrl[(hash + 1)..]);
        }
        catch (FormatException ex)
        {
            throw new FormatException(GoFmt.Sprintf("%s %q: %s", "parse", rawUrl, ex.Message), ex);
        }

        return url;
    }

    private static GoUrl ParseWithoutFragment(string rawUrl)
    {
        if (rawUrl.Any(c => c < ' ' || c == 0x7f))
        {
            throw new FormatException("net/url: invalid control character in URL");
        }

        if (rawUrl == "*")
        {
            var star = new GoUrl();
            star.Path = "*";
            return star;
        }

        var (scheme, rest) = GetScheme(rawUrl);
        scheme = scheme.ToLowerInvariant();
        var forceQuery = false;
        var rawQuery = "";
        if (rest.EndsWith('?') && rest.Count(c => c == '?') == 1)
        {
            forceQuery = true;
            rest = rest[..^1];
        }
        else
        {
            var q = rest.IndexOf('?', StringComparison.Ordinal);
            if (q >= 0)
            {
                rawQuery = rest[(q + 1)..];
                rest = rest[..q];
            }
        }

        if (!rest.StartsWith('/'))
        {
            if (scheme.Length > 0)
            {
                return new GoUrl { Scheme = scheme, Opaque = rest, ForceQuery = forceQuery, RawQuery = rawQuery };
            }

            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if ((slash < 0 ? rest : rest[..slash]).Contains(':', StringComparison.Ordinal))
            {
                throw new FormatException("first path segment in URL cannot contain colon");
            }
        }

        (string, string?)? user = null;
        var host = "";
        var omitHost = false;
        if ((scheme.Length > 0 || !rest.StartsWith("///", StringComparison.Ordinal)) && rest.StartsWith("//", StringComparison.Ordinal))
        {
            var authority = rest[2..];
            rest = "";
            var i = authority.IndexOf('/', StringComparison.Ordinal);
            if (i >= 0)
            {
                rest = authority[i..];
                authority = authority[..i];
            }

            (user, host) = ParseAuthority(authority);
        }
        else if (scheme.Length > 0 && rest.StartsWith('/'))
        {
            omitHost = true;
        }

        var url = new GoUrl { Scheme = scheme, User = user, Host = host, OmitHost = omitHost, ForceQuery = forceQuery, RawQuery = rawQuery };
        url.SetPath(rest);
        return url;
    }

    private static (string Scheme, string Remainder) GetScheme(string rawUrl)
    {
        for (var i = 0; i < rawUrl.Length; i++)
        {
            var c = rawUrl[i];
            if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z')
            {
                continue;
            }

            if (c is >= '0' and <= '9' or '+' or '-' or '.')
            {
                if (i == 0)
                {
                    return ("", rawUrl);
                }

                continue;
            }

            if (c == ':')
            {
                if (i == 0)
                {
                    throw new FormatException("missing protocol scheme");
                }

                return (rawUrl[..i], rawUrl[(i + 1)..]);
            }

            return ("", rawUrl);
        }

        return ("", rawUrl);
    }

    private static ((string, string?)? User, string Host) ParseAuthority(string authority)
    {
        var at = authority.LastIndexOf('@');
        var host = ParseHost(at < 0 ? authority : authority[(at + 1)..]);
        if (at < 0)
        {
            return (null, host);
        }

        var userinfo = authority[..at];
        if (!userinfo.All(ValidUserinfoChar))
        {
            throw new FormatException("net/url: invalid userinfo");
        }

        var colon = userinfo.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return ((Unescape(userinfo, Mode.UserPassword), null), host);
        }

        return ((Unescape(userinfo[..colon], Mode.UserPassword), Unescape(userinfo[(colon + 1)..], Mode.UserPassword)), host);
    }

    private static bool ValidUserinfoChar(char r) =>
        r is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9'
            or '-' or '.' or '_' or ':' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or '%' or '@';

    private static string ParseHost(string host)
    {
        if (host.StartsWith('['))
        {
            var i = host.LastIndexOf(']');
            if (i < 0)
            {
                throw new FormatException("missing ']' in host");
            }

            var colonPort = host[(i + 1)..];
            if (!ValidOptionalPort(colonPort))
            {
                throw new FormatException(GoFmt.Sprintf("invalid port %q after host", colonPort));
            }

            var zone = host[..i].IndexOf("%25", StringComparison.Ordinal);
            if (zone >= 0)
            {
                return Unescape(host[..zone], Mode.Host) + Unescape(host[zone..i], Mode.Zone) + Unescape(host[i..], Mode.Host);
            }
        }
        else
        {
            var i = host.LastIndexOf(':');
            if (i >= 0 && !ValidOptionalPort(host[i..]))
            {
                throw new FormatException(GoFmt.Sprintf("invalid port %q after host", host[i..]));
            }
        }

        return Unescape(host, Mode.Host);
    }

    private static bool ValidOptionalPort(string port) =>
        port.Length == 0 || port[0] == ':' && port[1..].All(char.IsAsciiDigit);

    private void SetPath(string p)
    {
        Path = Unescape(p, Mode.Path);
        RawPath = Escape(Path, Mode.Path) == p ? "" : p;
    }

    private void SetFragment(string f)
    {
        Fragment = Unescape(f, Mode.Fragment);
        RawFragment = Escape(Fragment, Mode.Fragment) == f ? "" : f;
    }

    /// <summary>Hostname(): the host without its port and IPv6 brackets.</summary>
    public string Hostname
    {
        get
        {
            var host = Host;
            var colon = host.LastIndexOf(':');
            if (colon >= 0 && ValidOptionalPort(host[colon..]))
            {
                host = host[..colon];
            }

            return host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        }
    }

    /// <summary>Userinfo.String(): escaped user, and ":" plus the escaped password when one was given.</summary>
    public string UserInfo => User is not { } u
        ? ""
        : Escape(u.User, Mode.UserPassword) + (u.Password is null ? "" : ":" + Escape(u.Password, Mode.UserPassword));

    private string EscapedPath()
    {
        if (RawPath.Length > 0 && ValidEncoded(RawPath, Mode.Path) && TryUnescape(RawPath, Mode.Path, out var p) && p == Path)
        {
            return RawPath;
        }

        return Path == "*" ? "*" : Escape(Path, Mode.Path);
    }

    private string EscapedFragment()
    {
        if (RawFragment.Length > 0 && ValidEncoded(RawFragment, Mode.Fragment) && TryUnescape(RawFragment, Mode.Fragment, out var f) && f == Fragment)
        {
            return RawFragment;
        }

        return Escape(Fragment, Mode.Fragment);
    }

    /// <summary>A URL built from parts, as Sprig's urlJoin fills url.URL (a path, not a raw path).</summary>
    public static GoUrl FromParts(string scheme, string host, string path, string query, string opaque, string fragment, (string, string?)? user)
    {
        var url = new GoUrl { Scheme = scheme, Host = host, RawQuery = query, Opaque = opaque, User = user };
        url.Path = path;
        url.Fragment = fragment;
        return url;
    }

    /// <summary>URL.String().</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Scheme.Length > 0)
        {
            sb.Append(Scheme).Append(':');
        }

        if (Opaque.Length > 0)
        {
            sb.Append(Opaque);
        }
        else
        {
            if ((Scheme.Length > 0 || Host.Length > 0 || User is not null) && !(OmitHost && Host.Length == 0 && User is null))
            {
                if (Host.Length > 0 || Path.Length > 0 || User is not null)
                {
                    sb.Append("//");
                }

                if (User is not null)
                {
                    sb.Append(UserInfo).Append('@');
                }

                if (Host.Length > 0)
                {
                    sb.Append(Escape(Host, Mode.Host));
                }
            }

            var path = EscapedPath();
            if (path.Length > 0 && path[0] != '/' && Host.Length > 0)
            {
                sb.Append('/');
            }

            if (sb.Length == 0)
            {
                var slash = path.IndexOf('/', StringComparison.Ordinal);
                if ((slash < 0 ? path : path[..slash]).Contains(':', StringComparison.Ordinal))
                {
                    sb.Append("./");
                }
            }

            sb.Append(path);
        }

        if (ForceQuery || RawQuery.Length > 0)
        {
            sb.Append('?').Append(RawQuery);
        }

        if (Fragment.Length > 0)
        {
            sb.Append('#').Append(EscapedFragment());
        }

        return sb.ToString();
    }

    private static bool ShouldEscape(byte c, Mode mode)
    {
        if (c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9')
        {
            return false;
        }

        if (mode is Mode.Host or Mode.Zone
            && c is (byte)'!' or (byte)'$' or (byte)'&' or (byte)'\'' or (byte)'(' or (byte)')' or (byte)'*' or (byte)'+' or (byte)','
                or (byte)';' or (byte)'=' or (byte)':' or (byte)'[' or (byte)']' or (byte)'<' or (byte)'>' or (byte)'"')
        {
            return false;
        }

        switch (c)
        {
            case (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~':
                return false;
            case (byte)'$' or (byte)'&' or (byte)'+' or (byte)',' or (byte)'/' or (byte)':' or (byte)';' or (byte)'=' or (byte)'?' or (byte)'@':
                switch (mode)
                {
                    case Mode.Path:
                        return c == '?';
                    case Mode.PathSegment:
                        return c is (byte)'/' or (byte)';' or (byte)',' or (byte)'?';
                    case Mode.UserPassword:
                        return c is (byte)'@' or (byte)'/' or (byte)'?' or (byte)':';
                    case Mode.QueryComponent:
                        return true;
                    case Mode.Fragment:
                        return false;
                }

                break;
        }

        if (mode == Mode.Fragment && c is (byte)'!' or (byte)'(' or (byte)')' or (byte)'*')
        {
            return false;
        }

        return true;
    }

    private static string Escape(string s, Mode mode)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        if (!bytes.Any(b => ShouldEscape(b, mode)))
        {
            return s;
        }

        var sb = new StringBuilder(bytes.Length + 16);
        var plain = new List<byte>();
        foreach (var c in bytes)
        {
            if (c == ' ' && mode == Mode.QueryComponent)
            {
                plain.Add((byte)'+');
            }
            else if (ShouldEscape(c, mode))
            {
                Flush(sb, plain);
                sb.Append('%').Append("0123456789ABCDEF"[c >> 4]).Append("0123456789ABCDEF"[c & 15]);
            }
            else
            {
                plain.Add(c);
            }
        }

        Flush(sb, plain);
        return sb.ToString();

        static void Flush(StringBuilder sb, List<byte> plain)
        {
            sb.Append(Encoding.UTF8.GetString(plain.ToArray()));
            plain.Clear();
        }
    }

    private static bool ValidEncoded(string s, Mode mode)
    {
        foreach (var c in Encoding.UTF8.GetBytes(s))
        {
            if (c is (byte)'!' or (byte)'$' or (byte)'&' or (byte)'\'' or (byte)'(' or (byte)')' or (byte)'*' or (byte)'+' or (byte)','
                or (byte)';' or (byte)'=' or (byte)':' or (byte)'@' or (byte)'[' or (byte)']' or (byte)'%')
            {
                continue;
            }

            if (ShouldEscape(c, mode))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryUnescape(string s, Mode mode, out string result)
    {
        try
        {
            result = Unescape(s, mode);
            return true;
        }
        catch (FormatException)
        {
            result = "";
            return false;
        }
    }

    private static string Unescape(string text, Mode mode)
    {
        var s = Encoding.UTF8.GetBytes(text);
        var n = 0;
        var hasPlus = false;
        for (var i = 0; i < s.Length;)
        {
            switch (s[i])
            {
                case (byte)'%':
                    n++;
                    if (i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2]))
                    {
                        var bad = s.AsSpan(i, Math.Min(3, s.Length - i));
                        throw new FormatException("invalid URL escape " + GoFmt.Sprintf("%q", Encoding.UTF8.GetString(bad)));
                    }

                    if (mode == Mode.Host && Unhex(s[i + 1]) < 8 && !IsPercent25(s, i))
                    {
                        throw new FormatException("invalid URL escape " + GoFmt.Sprintf("%q", Encoding.UTF8.GetString(s, i, 3)));
                    }

                    if (mode == Mode.Zone)
                    {
                        var v = (byte)(Unhex(s[i + 1]) << 4 | Unhex(s[i + 2]));
                        if (!IsPercent25(s, i) && v != ' ' && ShouldEscape(v, Mode.Host))
                        {
                            throw new FormatException("invalid URL escape " + GoFmt.Sprintf("%q", Encoding.UTF8.GetString(s, i, 3)));
                        }
                    }

                    i += 3;
                    break;
                case (byte)'+':
                    hasPlus = mode == Mode.QueryComponent;
                    i++;
                    break;
                default:
                    if (mode is Mode.Host or Mode.Zone && s[i] < 0x80 && ShouldEscape(s[i], mode))
                    {
                        throw new FormatException("invalid character " + GoFmt.Sprintf("%q", ((char)s[i]).ToString()) + " in host name");
                    }

                    i++;
                    break;
            }
        }

        if (n == 0 && !hasPlus)
        {
            return text;
        }

        var output = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            switch (s[i])
            {
                case (byte)'%':
                    output.Add((byte)(Unhex(s[i + 1]) << 4 | Unhex(s[i + 2])));
                    i += 2;
                    break;
                case (byte)'+':
                    output.Add(mode == Mode.QueryComponent ? (byte)' ' : (byte)'+');
                    break;
                default:
                    output.Add(s[i]);
                    break;
            }
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static bool IsPercent25(byte[] s, int i) => s[i + 1] == '2' && s[i + 2] == '5';

    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int Unhex(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}

/// <summary>Sprig's urlParse and urlJoin over <see cref="GoUrl"/>.</summary>
internal static class SprigUrls
{
    public static Dictionary<string, object?> UrlParse(string v)
    {
        GoUrl url;
        try
        {
            url = GoUrl.Parse(v);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException("unable to parse url: " + ex.Message, ex);
        }

        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["scheme"] = url.Scheme,
            ["host"] = url.Host,
            ["hostname"] = url.Hostname,
            ["path"] = url.Path,
            ["query"] = url.RawQuery,
            ["opaque"] = url.Opaque,
            ["fragment"] = url.Fragment,
            ["userinfo"] = url.UserInfo,
        };
    }

    public static string UrlJoin(IDictionary<string, object?>? d)
    {
        // Sprig reads the keys in this order, so the first bad one is the one reported.
        var scheme = Get(d, "scheme");
        var host = Get(d, "host");
        var path = Get(d, "path");
        var query = Get(d, "query");
        var opaque = Get(d, "opaque");
        var fragment = Get(d, "fragment");
        var userinfo = Get(d, "userinfo");
        (string, string?)? user = null;
        if (userinfo.Length > 0)
        {
            try
            {
                user = GoUrl.Parse("proto://" + userinfo + "@host").User;
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException("unable to parse userinfo in dict: " + ex.Message, ex);
            }
        }

        return GoUrl.FromParts(scheme, host, path, query, opaque, fragment, user).ToString();
    }

    private static string Get(IDictionary<string, object?>? d, string key)
    {
        if (d is null || !d.TryGetValue(key, out var value))
        {
            return "";
        }

        if (value is null)
        {
            throw new InvalidOperationException("runtime error: invalid memory address or nil pointer dereference");
        }

        var kind = GoValues.KindOf(value);
        if (kind != GoKind.String)
        {
            throw new InvalidOperationException($"unable to parse {key} key, must be of type string, but {kind.GoName()} found");
        }

        return GoValues.StringOf(value);
    }
}
