namespace Keelson.Engine.Source;

/// <summary>
/// Credentials for every Helm repository whose URL starts with <see cref="Url"/> (on a path-segment boundary:
/// <c>https://charts.example.com/team</c> covers <c>…/team</c> and <c>…/team/stable</c>, not <c>…/teamwork</c>).
/// Only the username, password and CA of <see cref="Credentials"/> are used.
/// </summary>
public sealed record RepositoryCredentials
{
    /// <summary>An http(s) URL, without user-info.</summary>
    public required string Url { get; init; }

    public required GitCredentials Credentials { get; init; }

    /// <summary>
    /// Whether <paramref name="repository"/> lies under <paramref name="prefix"/>: same scheme, host and port, and a
    /// path that starts with the prefix's path, compared segment by segment. Returns the length of the prefix's path
    /// (so the longest match can win), or -1.
    /// </summary>
    internal static int Match(string prefix, Uri repository)
    {
        if (!Uri.TryCreate(prefix.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")
            || !string.Equals(url.Scheme, repository.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(url.IdnHost, repository.IdnHost, StringComparison.OrdinalIgnoreCase)
            || url.Port != repository.Port)
        {
            return -1;
        }

        var path = url.AbsolutePath.EndsWith('/') ? url.AbsolutePath : url.AbsolutePath + "/";
        var target = repository.AbsolutePath.EndsWith('/') ? repository.AbsolutePath : repository.AbsolutePath + "/";
        return target.StartsWith(path, StringComparison.Ordinal) ? path.Length : -1;
    }
}
