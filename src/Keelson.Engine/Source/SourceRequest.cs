namespace Keelson.Engine.Source;

/// <summary>One request for the files of a revision of a repository.</summary>
public sealed record SourceRequest
{
    /// <summary>https://, http://, ssh://, scp-like <c>user@host:path</c>, git:// or file:///.</summary>
    public required string RepoUrl { get; init; }

    /// <summary>Branch, tag, full ref (<c>refs/...</c>), <c>HEAD</c>, or a full or abbreviated commit SHA.</summary>
    public string Revision { get; init; } = "HEAD";

    /// <summary>
    /// Set for a Helm repository source: <see cref="RepoUrl"/> is then an http(s) Helm repository, <see cref="Revision"/>
    /// a chart version or semver range ("HEAD", "" or "*": the latest stable version), and only the username,
    /// password and CA of <see cref="Credentials"/> are used.
    /// </summary>
    public string? Chart { get; init; }

    public GitCredentials? Credentials { get; init; }

    /// <summary>
    /// Credentials for the Helm repositories that a chart's dependencies not vendored in charts/ are fetched from
    /// (for a chart in Git or from a Helm repository). A dependency's repository takes the entry whose
    /// <see cref="RepositoryCredentials.Url"/> is the longest prefix of its URL; with no entry, a dependency in the
    /// same repository as a chart source (<see cref="Chart"/> set, same <see cref="RepoUrl"/>) uses
    /// <see cref="Credentials"/>, and any other is fetched anonymously.
    /// </summary>
    public IReadOnlyList<RepositoryCredentials> DependencyCredentials { get; init; } = [];

    /// <summary>
    /// A hard refresh: ask the server now (even one that failed a moment ago, see
    /// <see cref="GitSourceOptions.FailureBackoff"/>) and bypass the render cache and remembered diff verdicts.
    /// </summary>
    public bool Hard { get; init; }

    /// <summary>
    /// Ask the server now instead of reusing a recent <c>ls-remote</c> answer (a plain refresh: a user who commits and
    /// then asks for a refresh expects that commit, not one cached a few seconds ago). It also asks a server that
    /// failed a moment ago: a person asking is worth one attempt, unlike the periodic and retried reconciles.
    /// </summary>
    public bool FreshRefs { get; init; }
}
