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

    /// <summary>Longest a single HTTP request (headers and body) may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

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
