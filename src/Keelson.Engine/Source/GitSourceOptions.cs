namespace Keelson.Engine.Source;

/// <summary>Settings of a <see cref="GitSource"/>. One cache root belongs to one <see cref="GitSource"/> at a time.</summary>
public sealed record GitSourceOptions
{
    /// <summary>Directory holding the bare repositories, the extracted trees and private working files.</summary>
    public required string CacheRoot { get; init; }

    /// <summary>
    /// How long an answer of <c>git ls-remote</c> is reused for the same repository and credentials, so that many
    /// Applications reconciling at once cost one network round trip. A hard refresh ignores it.
    /// </summary>
    public TimeSpan LsRemoteCacheTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest any single git command may run; it is then killed with its children.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Extracted trees kept on disk (all repositories together); the least recently used unused ones go first.</summary>
    public int MaxTrees { get; init; } = 64;

    /// <summary>The git executable.</summary>
    public string GitPath { get; init; } = "git";

    /// <summary>Largest output read from one git command (for example the ref list of <c>ls-remote</c>).</summary>
    public long MaxOutputBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Largest total size of the files of one extracted tree.</summary>
    public long MaxTreeBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Whether file:// URLs are accepted. Handy locally and in tests; in a shared cluster turn it off, because a
    /// file:// URL reads whatever repository the operator's file system holds.
    /// </summary>
    public bool AllowFileUrls { get; init; } = true;
}
