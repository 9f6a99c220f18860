namespace Keelson.Engine.Source.Helm;

/// <summary>
/// A Helm HTTP repository and how to reach it: the operator fills the credentials and the CA from a Secret.
/// <see cref="ToString"/> shows the URL only, so a connection logged by mistake does not leak the password.
/// </summary>
public sealed record HelmRepoConnection
{
    /// <summary>The repository's base URL (http or https, no user-info); index.yaml lives under it.</summary>
    public required Uri Url { get; init; }

    /// <summary>Basic auth user name; null for an anonymous repository.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>PEM certificates trusted for this repository instead of the system's roots (Helm's --ca-file).</summary>
    public string? CaPem { get; init; }

    /// <summary>
    /// Whether the credentials are also sent to chart URLs on another host than the repository's
    /// (Helm's --pass-credentials). Off by default, as in Helm: an index may point anywhere.
    /// </summary>
    public bool PassCredentialsToAllHosts { get; init; }

    public override string ToString() => $"HelmRepoConnection {{ Url = {Url.GetLeftPart(UriPartial.Path)} }}";
}

/// <summary>Settings of a <see cref="HelmRepoSource"/>. One cache directory belongs to one source at a time.</summary>
public sealed record HelmRepoSourceOptions
{
    /// <summary>Directory holding the downloaded charts (one sub-directory per repository).</summary>
    public required string CacheRoot { get; init; }

    /// <summary>
    /// Longest the download of a chart archive (headers and body) may take. A big chart over a slow link needs the
    /// time; everything that only waits on the network has a shorter limit below.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Longest reading a repository's index.yaml may take (or <see cref="RequestTimeout"/> if that is shorter). Every
    /// Application on the repository waits for it, so a server that has not given it by then is treated as down.
    /// </summary>
    public TimeSpan IndexTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long opening a connection may take: the TCP connection and, over https, the TLS handshake. Bounds the wait
    /// on an address that drops packets, which the system would otherwise retry for about two minutes.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a request may go without receiving anything (no answer to the request, or no byte of the body) before
    /// it is given up: a server that accepts and never answers, or stops in the middle of a download, is given up
    /// after this long, while a slow download that still moves carries on until <see cref="RequestTimeout"/>.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a repository that could not be reached, timed out, answered with a server error or refused the
    /// credentials is left alone after a failure, per repository URL and credentials (and CA): meanwhile every request
    /// that needs its index (or one of its archives, counted apart) fails at once with the same error, instead of
    /// each waiting for it to fail again and holding a worker that Applications on healthy repositories need. A chart
    /// or version that does not exist is not such a failure. It doubles with each failure in a row up to
    /// <see cref="MaxFailureBackoff"/> and is forgotten at the first answer. A refresh
    /// (<see cref="HelmIndexFreshness.Revalidate"/> or <see cref="HelmIndexFreshness.Reload"/>) asks again at once.
    /// Zero turns it off.
    /// </summary>
    public TimeSpan FailureBackoff { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest a failing repository is left alone between two attempts (see <see cref="FailureBackoff"/>).</summary>
    public TimeSpan MaxFailureBackoff { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a repository's index.yaml is reused without asking the server (per repository URL and credentials).
    /// After that it is revalidated with a conditional request (ETag / Last-Modified) when the server sent one, so an
    /// unchanged index costs a 304, not a download. The default matches the default polling interval, so a steady
    /// state of many Applications on one repository reads its index about once per poll.
    /// </summary>
    public TimeSpan IndexTtl { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Largest index.yaml read (public indexes such as Bitnami's are tens of megabytes).</summary>
    public long MaxIndexBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest chart archive downloaded.</summary>
    public long MaxChartBytes { get; init; } = 20L * 1024 * 1024;

    /// <summary>
    /// Size the archives on disk may reach; past it, after a download, the least recently used are deleted (a chart
    /// whose version range keeps moving would otherwise leave every old version behind for as long as the operator runs).
    /// </summary>
    public long MaxCacheBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>An archive used this recently is never deleted to make room, whatever the size: a render may be reading it.</summary>
    public TimeSpan KeepRecentlyUsed { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>A chart archive in the cache, checked against its repository's digest.</summary>
/// <param name="Path">The cached .tgz; pass it to the Helm renderer as the chart path.</param>
/// <param name="Version">The version chosen (as the index spells it).</param>
/// <param name="Digest">The archive's sha256, lower-case hex.</param>
public sealed record HelmChartArtifact(string Chart, string Version, string Path, string Digest);

/// <summary>How much a fetch may rely on what was read from the repository before.</summary>
public enum HelmIndexFreshness
{
    /// <summary>An index younger than <see cref="HelmRepoSourceOptions.IndexTtl"/> is used as it is; an older one is revalidated.</summary>
    Cached,

    /// <summary>Ask the server now, conditionally (a plain refresh): an unchanged index costs a 304.</summary>
    Revalidate,

    /// <summary>
    /// Read the index again in full and check the archive's digest against it (a hard refresh): nothing remembered
    /// in memory is trusted; a cached archive whose digest still matches is not downloaded again.
    /// </summary>
    Reload,
}
