namespace Keelson.Engine.Source;

/// <summary>One request for the files of a revision of a repository.</summary>
public sealed record SourceRequest
{
    /// <summary>https://, http://, ssh://, scp-like <c>user@host:path</c>, git:// or file:///.</summary>
    public required string RepoUrl { get; init; }

    /// <summary>Branch, tag, full ref (<c>refs/...</c>), <c>HEAD</c>, or a full or abbreviated commit SHA.</summary>
    public string Revision { get; init; } = "HEAD";

    public GitCredentials? Credentials { get; init; }

    /// <summary>Ask the server now instead of reusing a recent <c>ls-remote</c> answer.</summary>
    public bool Hard { get; init; }
}
