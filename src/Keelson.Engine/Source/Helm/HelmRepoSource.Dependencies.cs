using Keelson.Engine.Render.Helm;

namespace Keelson.Engine.Source.Helm;

public sealed partial class HelmRepoSource
{
    /// <summary>
    /// What <c>helm dependency build</c> would add to charts/: the dependencies of the chart at
    /// <paramref name="chartPath"/> (a directory or a .tgz) declared with an http(s) <c>repository</c> and not
    /// vendored under charts/, fetched and cached. Pass the result as <see cref="HelmRenderOptions.FetchedDependencies"/>
    /// (or <see cref="HelmSourceOptions.FetchedDependencies"/>). Dependencies with other repositories (file://,
    /// oci://, @name) are left to the renderer, which reports them as missing.
    /// </summary>
    /// <param name="connectionFor">
    /// The connection (credentials, CA) for a repository URL named in Chart.yaml; return one with only
    /// <see cref="HelmRepoConnection.Url"/> set for a public repository.
    /// </param>
    /// <exception cref="HelmException">The chart itself cannot be read.</exception>
    /// <exception cref="SourceException">A dependency cannot be fetched; the message names it.</exception>
    public async Task<IReadOnlyList<string>> FetchMissingDependenciesAsync(string chartPath, Func<Uri, HelmRepoConnection> connectionFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chartPath);
        ArgumentNullException.ThrowIfNull(connectionFor);
        Chart chart;
        if (File.Exists(chartPath))
        {
            await using var stream = File.OpenRead(chartPath);
            chart = ChartLoader.LoadArchive(stream, Path.GetFileName(chartPath));
        }
        else
        {
            chart = ChartLoader.LoadDirectory(chartPath);
        }

        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dep in chart.Metadata.Dependencies ?? [])
        {
            if (dep is null || chart.Dependencies.Any(d => d.Name == dep.Name) || !seen.Add(dep.Name)
                || !Uri.TryCreate(dep.Repository, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                continue;
            }

            try
            {
                var artifact = await FetchAsync(connectionFor(url), dep.Name, dep.Version, cancellationToken).ConfigureAwait(false);
                paths.Add(artifact.Path);
            }
            catch (SourceException e)
            {
                throw new SourceException(e.Reason, $"dependency \"{dep.Name}\" of chart \"{chart.Name}\": {e.Message}", e);
            }
        }

        return paths;
    }
}
