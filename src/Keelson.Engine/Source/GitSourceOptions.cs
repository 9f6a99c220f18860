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

    /// <summary>
    /// Longest any single git command may run; it is then killed with its children. A fetch of a big repository over
    /// a slow link needs the time; everything that only waits on the network has a shorter limit below.
    /// </summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Longest a <c>git ls-remote</c> may run (or <see cref="CommandTimeout"/> if that is shorter). Its answer is a
    /// few kilobytes, so a server that has not given it by then is treated as down: this bounds how long Applications
    /// wait on a server that accepts connections and never answers (over git:// it is the only limit).
    /// </summary>
    public TimeSpan LsRemoteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long setting up an SSH connection may take: the TCP connection, the banner and the key exchange.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a transfer may go without receiving anything before it is given up: over http(s) a transfer slower
    /// than 1 byte/s for this long stops (git's http.lowSpeedLimit/http.lowSpeedTime), so a slow transfer that still
    /// moves carries on; over SSH the server is asked to answer keep-alives every half of it. Servers send a
    /// keep-alive every 5 s while they prepare a pack (uploadpack.keepAlive), so a busy server is not taken for a
    /// stalled one. Whole seconds; at least 1.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a repository that could not be reached (or refused the credentials) is left alone after a failure,
    /// per credentials: meanwhile every request for it fails at once with the same error, instead of each waiting for
    /// git to fail again and holding a worker that Applications on healthy repositories need. It doubles with each
    /// failure in a row up to <see cref="MaxFailureBackoff"/> and is forgotten at the first success. A refresh
    /// (<see cref="SourceRequest.Hard"/> or <see cref="SourceRequest.FreshRefs"/>) tries again at once. file:// URLs
    /// are never left alone: they fail at once anyway. Zero turns it off.
    /// </summary>
    public TimeSpan FailureBackoff { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest a failing repository is left alone between two attempts (see <see cref="FailureBackoff"/>).</summary>
    public TimeSpan MaxFailureBackoff { get; init; } = TimeSpan.FromMinutes(2);

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
