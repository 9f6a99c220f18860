using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Keelson.Engine.Source;

/// <summary>
/// A repository URL that passed validation, in the one spelling used for the cache key and handed to git.
/// Only https, http, ssh (ssh:// and scp-like), git and file are accepted; git's <c>transport::address</c> form
/// (ext::, fd::) never is, so a repository URL cannot make git run a command.
/// </summary>
internal sealed partial record RepoUrl
{
    private RepoUrl(string normalized, string protocol, string? localPath)
    {
        Normalized = normalized;
        Protocol = protocol;
        LocalPath = localPath;
        CacheKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)))[..32];
    }

    /// <summary>The URL git is given; safe to show (http URLs with credentials are refused).</summary>
    public string Normalized { get; }

    /// <summary>The transport's name as git's protocol allow-list spells it: https, http, ssh, git or file.</summary>
    public string Protocol { get; }

    /// <summary>For file:// URLs, the absolute path of the repository.</summary>
    public string? LocalPath { get; }

    public bool IsSsh => Protocol == "ssh";

    public bool IsHttp => Protocol is "http" or "https";

    /// <summary>Directory name under the cache root: a hash, so any URL maps to a safe, fixed-length name.</summary>
    public string CacheKey { get; }

    /// <summary>
    /// The value of GIT_ALLOW_PROTOCOL for commands on this remote: its own transport only, except that http may be
    /// redirected to https (never the other way round).
    /// </summary>
    public string AllowedProtocols => Protocol == "http" ? "http:https" : Protocol;

    public override string ToString() => Normalized;

    public static RepoUrl Parse(string? url, bool allowFile)
    {
        var text = url?.Trim() ?? "";
        if (text.Length == 0)
        {
            throw Invalid(text, "the repository URL is empty");
        }

        if (text.Length > 2048)
        {
            throw Invalid(text, "the repository URL is longer than 2048 characters");
        }

        if (text.Any(c => char.IsControl(c)))
        {
            throw Invalid(text, "the repository URL contains control characters");
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return ParseScpLike(text);
        }

        var scheme = text[..schemeEnd].ToLowerInvariant();
        if (!SchemePattern().IsMatch(scheme))
        {
            throw Invalid(text, $"'{scheme}' is not a URL scheme");
        }

        var protocol = scheme switch
        {
            "https" or "http" or "ssh" or "git" or "file" => scheme,
            "git+ssh" or "ssh+git" => "ssh",
            _ => throw new SourceException(
                SourceErrorReason.ProtocolNotAllowed,
                $"Repository URL '{Redact(text)}' uses the '{scheme}' protocol; allowed are https, http, ssh, git and file."),
        };

        var rest = text[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "" : rest[slash..];

        if (protocol == "file")
        {
            return ParseFile(text, authority, path, allowFile);
        }

        string? user = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            user = authority[..at];
            authority = authority[(at + 1)..];
            if (protocol != "ssh")
            {
                throw Invalid(text, "credentials do not belong in the URL; pass them as repository credentials");
            }

            if (user.Contains(':', StringComparison.Ordinal))
            {
                throw Invalid(text, "a password does not belong in the URL; use an SSH key");
            }

            if (!UserPattern().IsMatch(user))
            {
                throw Invalid(text, "the user name has characters git does not allow");
            }
        }

        var (host, port) = SplitHostPort(text, authority);
        var defaultPort = protocol switch { "https" => 443, "http" => 80, "ssh" => 22, _ => 9418 };
        path = path.TrimEnd('/');
        if (path.Length == 0)
        {
            throw Invalid(text, "the URL names no repository path");
        }

        var normalized = new StringBuilder()
            .Append(protocol).Append("://")
            .Append(user is null ? "" : user + "@")
            .Append(host)
            .Append(port is null || port == defaultPort ? "" : ":" + port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append(path)
            .ToString();
        return new RepoUrl(normalized, protocol, null);
    }

    /// <summary>Hides the user-info part of any URL in a text (a token pasted into a URL must not be shown).</summary>
    public static string Redact(string text) => UserInfoInUrl().Replace(text, "$1***@");

    private static RepoUrl ParseScpLike(string text)
    {
        // git treats "host:path" as scp-like SSH only when no slash comes before the first colon; anything else
        // without a scheme is a local path or a transport::address form.
        if (text.Contains("::", StringComparison.Ordinal))
        {
            throw new SourceException(
                SourceErrorReason.ProtocolNotAllowed,
                $"Repository URL '{Redact(text)}' uses git's transport::address form, which could run commands; allowed are https, http, ssh, git and file URLs.");
        }

        var match = ScpLike().Match(text);
        if (!match.Success)
        {
            throw Invalid(text, "expected scheme://host/path or user@host:path (local paths need file:///)");
        }

        var user = match.Groups["user"].Success ? match.Groups["user"].Value : null;
        var host = match.Groups["host"].Value.ToLowerInvariant();
        var path = match.Groups["path"].Value.TrimEnd('/');
        if (path.Length == 0)
        {
            throw Invalid(text, "the URL names no repository path");
        }

        if (host.StartsWith('-') || path.StartsWith('-'))
        {
            throw Invalid(text, "a host or path may not start with '-'");
        }

        return new RepoUrl((user is null ? "" : user + "@") + host + ":" + path, "ssh", null);
    }

    private static RepoUrl ParseFile(string text, string authority, string path, bool allowFile)
    {
        if (!allowFile)
        {
            throw new SourceException(SourceErrorReason.ProtocolNotAllowed, $"Repository URL '{Redact(text)}': file:// URLs are disabled on this installation.");
        }

        if (authority.Length != 0 && !authority.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(text, "a file:// URL names a local path: file:///absolute/path");
        }

        if (path.Length <= 1)
        {
            throw Invalid(text, "the URL names no repository path");
        }

        var full = Path.GetFullPath(Uri.UnescapeDataString(path)).TrimEnd('/');
        return new RepoUrl("file://" + full, "file", full);
    }

    private static (string Host, int? Port) SplitHostPort(string text, string authority)
    {
        string host;
        string? portText = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Invalid(text, "unclosed '[' in the host");
            }

            host = authority[..(close + 1)];
            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (!after.StartsWith(':'))
                {
                    throw Invalid(text, "unexpected text after the host");
                }

                portText = after[1..];
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? null : authority[(colon + 1)..];
        }

        if (!HostPattern().IsMatch(host))
        {
            throw Invalid(text, host.Length == 0 ? "the URL names no host" : $"'{host}' is not a valid host name");
        }

        int? port = null;
        if (!string.IsNullOrEmpty(portText))
        {
            if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value is < 1 or > 65535)
            {
                throw Invalid(text, $"'{portText}' is not a port number");
            }

            port = value;
        }

        return (host.ToLowerInvariant(), port);
    }

    private static SourceException Invalid(string text, string why) =>
        new(SourceErrorReason.InvalidUrl, $"Repository URL '{Redact(text)}' is not valid: {why}.");

    [GeneratedRegex("^[a-z][a-z0-9+.-]*$")]
    private static partial Regex SchemePattern();

    [GeneratedRegex(@"^(?:[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\])$")]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._~+-]+$")]
    private static partial Regex UserPattern();

    [GeneratedRegex(@"^(?:(?<user>[A-Za-z0-9._~+-]+)@)?(?<host>[A-Za-z0-9_][A-Za-z0-9._-]*|\[[0-9A-Fa-f:.]+\]):(?<path>[^\s].*)$")]
    private static partial Regex ScpLike();

    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")]
    private static partial Regex UserInfoInUrl();
}
