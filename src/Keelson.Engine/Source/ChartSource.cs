using System.Collections.Concurrent;
using Keelson.Engine.Render.Helm;
using Keelson.Engine.Source.Helm;

namespace Keelson.Engine.Source;

/// <summary>
/// Everything the pipeline reads from Helm HTTP repositories, through one <see cref="HelmRepoSource"/>: a chart as
/// a source (fetched, then extracted once per archive into a read-only directory that holds its Chart.yaml at the
/// root; the snapshot's commit is the chart version, so status shows the version where a Git source shows a SHA),
/// and the dependencies a chart neither vendors nor names with file:// (as <c>helm dependency build</c> would
/// fetch them), so the renderer only ever reads files it is given.
/// </summary>
internal sealed class ChartSource(HelmRepoSource repositories, string cacheDirectory)
{
    // Chart directories are snapshot trees (one per commit or per archive digest), so what a directory depends on
    // never changes: reading Chart.yaml once per directory keeps a steady-state reconcile off the disk.
    private const int MaxRemembered = 1024;
    private readonly ConcurrentDictionary<string, IReadOnlyList<MissingDependency>> _missing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _versions = new(StringComparer.Ordinal);

    /// <exception cref="SourceException">The chart cannot be fetched or read; the message says why (never a secret).</exception>
    public async Task<SourceSnapshot> ResolveAsync(SourceRequest request, string chart, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.RepoUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(url.UserInfo))
        {
            throw new SourceException(SourceErrorReason.InvalidUrl, $"'{RepoUrl.Redact(request.RepoUrl)}' is not an http(s) Helm repository URL without credentials in it");
        }

        // "HEAD" is what a Git-minded default looks like; for a chart it means the latest stable version.
        var range = request.Revision is "" or "HEAD" ? "*" : request.Revision;
        var artifact = await repositories.FetchAsync(Connection(url, request.Credentials), chart, range, Freshness(request), cancellationToken).ConfigureAwait(false);
        var (root, version) = await ExtractAsync(artifact, cancellationToken).ConfigureAwait(false);
        var commit = new CommitInfo(version, $"{chart} {version}", "", "", DateTimeOffset.UnixEpoch);
        return new SourceSnapshot(request.RepoUrl, request.Revision, root, commit);
    }

    /// <summary>
    /// The archives of the dependencies of the chart in <paramref name="chartDirectory"/> that are neither vendored in
    /// charts/ nor local, fetched with the credentials <see cref="SourceRequest.DependencyCredentials"/> gives their
    /// repositories; empty when there are none or the chart cannot be read (the renderer then says what is wrong).
    /// </summary>
    /// <exception cref="SourceException">A dependency cannot be fetched; the message names it and its repository.</exception>
    public async Task<IReadOnlyList<string>> DependenciesAsync(SourceRequest request, string chartDirectory, CancellationToken cancellationToken)
    {
        if (!_missing.TryGetValue(chartDirectory, out var missing))
        {
            try
            {
                missing = await HelmRepoSource.MissingDependenciesAsync(chartDirectory, cancellationToken).ConfigureAwait(false);
            }
            catch (HelmException)
            {
                return [];
            }

            Remember(_missing, chartDirectory, missing);
        }

        return missing.Count == 0
            ? []
            : await repositories.FetchDependenciesAsync(missing, repo => ConnectionFor(request, repo), Freshness(request), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The connection for a dependency's repository: see <see cref="SourceRequest.DependencyCredentials"/>.</summary>
    internal static HelmRepoConnection ConnectionFor(SourceRequest request, Uri repository)
    {
        var best = request.DependencyCredentials
            .Select(c => (Entry: c, Length: RepositoryCredentials.Match(c.Url, repository)))
            .Where(m => m.Length >= 0)
            .OrderByDescending(m => m.Length)
            .Select(m => m.Entry)
            .FirstOrDefault();
        if (best is not null)
        {
            return Connection(repository, best.Credentials);
        }

        // The chart's own repository (each URL lies under the other) is opened with the source's credentials.
        var sameAsSource = request.Chart is not null && Uri.TryCreate(request.RepoUrl, UriKind.Absolute, out var source)
            && RepositoryCredentials.Match(request.RepoUrl, repository) >= 0 && RepositoryCredentials.Match(repository.AbsoluteUri, source) >= 0;
        return Connection(repository, sameAsSource ? request.Credentials : null);
    }

    private static HelmRepoConnection Connection(Uri url, GitCredentials? credentials) => new()
    {
        Url = url,
        Username = credentials?.Username,
        Password = credentials?.Password,
        CaPem = credentials?.CaCertificate,
    };

    // A hard refresh reads indexes in full and re-checks archives; a plain one asks the server now (conditionally).
    private static HelmIndexFreshness Freshness(SourceRequest request) =>
        request.Hard ? HelmIndexFreshness.Reload : request.FreshRefs ? HelmIndexFreshness.Revalidate : HelmIndexFreshness.Cached;

    private static void Remember<T>(ConcurrentDictionary<string, T> cache, string key, T value)
    {
        if (cache.Count >= MaxRemembered)
        {
            cache.Clear();
        }

        cache[key] = value;
    }

    private async Task<(string Root, string Version)> ExtractAsync(HelmChartArtifact artifact, CancellationToken cancellationToken)
    {
        // One directory per distinct archive content, written once; its name is the archive's digest.
        var root = Path.Combine(cacheDirectory, "sources", artifact.Digest);
        if (_versions.TryGetValue(artifact.Digest, out var known) && Directory.Exists(root))
        {
            return (root, known);
        }

        var chart = artifact.Chart;
        List<ChartFile> files;
        Chart loaded;
        try
        {
            var stream = File.OpenRead(artifact.Path);
            await using (stream.ConfigureAwait(false))
            {
                files = ChartLoader.ReadArchive(stream);
            }

            loaded = ChartLoader.LoadFiles(files, chart);
        }
        catch (HelmException ex)
        {
            throw new SourceException(SourceErrorReason.GitError, $"chart {chart} {artifact.Version}: {ex.Message}", ex);
        }

        var version = loaded.Metadata.Version;
        if (!Directory.Exists(root))
        {
            await WriteAsync(root, files, chart, cancellationToken).ConfigureAwait(false);
        }

        Remember(_versions, artifact.Digest, version);
        return (root, version);
    }

    private static async Task WriteAsync(string root, List<ChartFile> files, string chart, CancellationToken cancellationToken)
    {
        var temp = root + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            foreach (var file in files)
            {
                // ReadArchive has already refused absolute and parent-relative names.
                var target = Path.GetFullPath(Path.Combine(temp, file.Name));
                if (!target.StartsWith(temp + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new SourceException(SourceErrorReason.GitError, $"chart {chart}: the archive entry '{file.Name}' leaves the chart");
                }

                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await File.WriteAllBytesAsync(target, file.Data, cancellationToken).ConfigureAwait(false);
            }

            Directory.CreateDirectory(temp);
            try
            {
                Directory.Move(temp, root);
            }
            catch (IOException) when (Directory.Exists(root))
            {
                // Another caller extracted the same archive first; its copy is identical.
            }
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }
}
