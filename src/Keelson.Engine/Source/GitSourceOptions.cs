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

    /// <summary>
    /// A repository cache (its bare repository and extracted trees) not used for this long is removed from disk and
    /// memory: the repository of a deleted or re-pointed Application, a renamed repository or a finished preview
    /// environment would otherwise stay for the life of the cache. An hour is twenty polls at the operator's default
    /// interval of 3 minutes, so a repository still in use is never dropped between two polls, and one that is
    /// dropped by mistake only costs a shallow fetch. The operator raises it when its polling interval is long.
    /// </summary>
    public TimeSpan RepoIdleTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Size the bare repositories may reach together (extracted trees are bounded by <see cref="MaxTrees"/> and
    /// <see cref="MaxTreeBytes"/>). Above it the least recently used repositories are removed, even recently used
    /// ones, but never one in use (a git command running in it, or a caller reading its files). A repository keeps
    /// every commit it ever fetched, so this also bounds the history one busy repository piles up: removed, it is
    /// fetched again shallow at its next use. Set it well above the repositories in steady use, or they will evict
    /// each other and be fetched again at every poll.
    /// </summary>
    public long MaxRepoCacheBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>
    /// How often the repository caches are checked against <see cref="RepoIdleTimeout"/> and
    /// <see cref="MaxRepoCacheBytes"/>: a timer, not a check after fetches, so an operator that fetches nothing any
    /// more (its last Application deleted) still frees the disk, and one busy repository can be removed at a moment
    /// nobody uses it. Only repositories fetched since the last check are measured again, so a check costs a walk of
    /// what changed, not of the whole cache.
    /// </summary>
    public TimeSpan RepoTrimInterval { get; init; } = TimeSpan.FromMinutes(5);

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
