namespace Keelson.Engine.Render;

/// <summary>Operator-level render settings: tools, limits and cache size. Not user-controlled.</summary>
public sealed record RenderSettings
{
    /// <summary>
    /// A standalone kustomize binary (path or name on PATH), run as <c>kustomize build</c>. When null, <c>kustomize</c>
    /// on PATH is used if present, else <see cref="Kubectl"/> as <c>kubectl kustomize</c>.
    /// </summary>
    public string? Kustomize { get; init; }

    /// <summary>kubectl, used for <c>kubectl kustomize</c> when no kustomize binary is found.</summary>
    public string Kubectl { get; init; } = "kubectl";

    /// <summary>
    /// Let kustomizations reference remote bases and files (git or http URLs). Off by default: rendering then needs no
    /// network and a repository cannot make the controller fetch from arbitrary hosts.
    /// </summary>
    public bool AllowRemoteBases { get; init; }

    public TimeSpan KustomizeTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most bytes kustomize may print before the render is refused.</summary>
    public long MaxKustomizeOutputBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Most manifest files a directory render may read.</summary>
    public int MaxFiles { get; init; } = 5_000;

    /// <summary>Most bytes a directory render may read, all files together.</summary>
    public long MaxTotalBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Most directory entries a walk may visit, so a recursive render of a huge tree stops early.</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>Most renders kept in the cache.</summary>
    public int CacheEntries { get; init; } = 1_000;

    /// <summary>Most bytes (of source read or kustomize output) the cached renders may stand for.</summary>
    public long CacheBytes { get; init; } = 256L * 1024 * 1024;
}
