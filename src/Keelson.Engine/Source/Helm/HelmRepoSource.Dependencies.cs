using Keelson.Engine.Render.Helm;

namespace Keelson.Engine.Source.Helm;

/// <summary>A dependency of a chart that <c>helm dependency build</c> would download: not vendored, from an http(s) repository.</summary>
internal sealed record MissingDependency(string Chart, string Name, string Version, Uri Repository);

public sealed partial class HelmRepoSource
{
    /// <summary>
    /// What <c>helm dependency build</c> would add to charts/: the dependencies of the chart at
    /// <paramref name="chartPath"/> (a directory or a .tgz) declared with an http(s) <c>repository</c> and not
    /// vendored under charts/, fetched and cached, at the versions Chart.lock pins when there is one. Pass the result as <see cref="HelmRenderOptions.FetchedDependencies"/>
    /// (or <see cref="HelmSourceOptions.FetchedDependencies"/>). Dependencies with other repositories (file://,
    /// oci://, @name) are left to the renderer, which reports them as missing.
    /// </summary>
    /// <param name="connectionFor">
    /// The connection (credentials, CA) for a repository URL named in Chart.yaml; return one with only
    /// <see cref="HelmRepoConnection.Url"/> set for a public repository.
    /// </param>
    /// <exception cref="HelmException">The chart itself cannot be read.</exception>
    /// <exception cref="SourceException">
    /// A dependency cannot be fetched (the message names it and its repository), or the chart's lock file is out of
    /// sync with its Chart.yaml (as <c>helm dependency build</c> refuses it).
    /// </exception>
    public async Task<IReadOnlyList<string>> FetchMissingDependenciesAsync(string chartPath, Func<Uri, HelmRepoConnection> connectionFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chartPath);
        ArgumentNullException.ThrowIfNull(connectionFor);
        var missing = await MissingDependenciesAsync(chartPath, cancellationToken).ConfigureAwait(false);
        return await FetchDependenciesAsync(missing, connectionFor, HelmIndexFreshness.Cached, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The dependencies of the chart at <paramref name="chartPath"/> that are neither vendored nor local, at the
    /// versions its Chart.lock (or requirements.lock) pins when it has one, else at their Chart.yaml ranges.
    /// </summary>
    /// <exception cref="HelmException">The chart cannot be read.</exception>
    /// <exception cref="SourceException">The lock file is out of sync with Chart.yaml (Helm's message, naming the chart).</exception>
    internal static async Task<IReadOnlyList<MissingDependency>> MissingDependenciesAsync(string chartPath, CancellationToken cancellationToken)
    {
        Chart chart;
        if (File.Exists(chartPath))
        {
            var stream = File.OpenRead(chartPath);
            await using (stream.ConfigureAwait(false))
            {
                chart = ChartLoader.LoadArchive(stream, Path.GetFileName(chartPath));
            }
        }
        else
        {
            cancellationToken.ThrowIfCancellationRequested();
            chart = ChartLoader.LoadDirectory(chartPath);
        }

        var requirements = chart.Metadata.Dependencies ?? [];
        var missing = new List<MissingDependency>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < requirements.Count; i++)
        {
            var dep = requirements[i];
            if (dep is null || chart.Dependencies.Any(d => d.Name == dep.Name) || !seen.Add(dep.Name)
                || !Uri.TryCreate(dep.Repository, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                continue;
            }

            // helm dependency build installs the lock's exact versions (the lock's repository is Chart.yaml's once
            // the digest matches); without a lock it resolves the range as helm dependency update would.
            var version = chart.Lock?.Locked(i, dep.Name) is { Version.Length: > 0 } locked ? locked.Version : dep.Version;
            missing.Add(new MissingDependency(chart.Name, dep.Name, version, url));
        }

        // Argo CD runs helm dependency build only when a dependency is missing, and only then is the lock checked.
        if (missing.Count > 0 && chart.Lock?.OutOfSync(chart.Metadata) is { } outOfSync)
        {
            throw new SourceException(SourceErrorReason.GitError, $"chart \"{chart.Name}\": {outOfSync}");
        }

        return missing;
    }

    /// <summary>Fetches <paramref name="dependencies"/>, one after another (a chart has few), and returns their archives.</summary>
    /// <exception cref="SourceException">A dependency cannot be fetched; the message names it and its repository.</exception>
    internal async Task<IReadOnlyList<string>> FetchDependenciesAsync(
        IReadOnlyList<MissingDependency> dependencies, Func<Uri, HelmRepoConnection> connectionFor, HelmIndexFreshness freshness, CancellationToken cancellationToken)
    {
        var paths = new List<string>(dependencies.Count);
        foreach (var dep in dependencies)
        {
            try
            {
                var artifact = await FetchAsync(connectionFor(dep.Repository), dep.Name, dep.Version, freshness, cancellationToken).ConfigureAwait(false);
                paths.Add(artifact.Path);
            }
            catch (SourceException e)
            {
                throw new SourceException(e.Reason, $"dependency \"{dep.Name}\" of chart \"{dep.Chart}\": {e.Message}", e);
            }
        }

        return paths;
    }
}
