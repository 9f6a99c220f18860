using Keelson.Engine.Render.Helm;

namespace Keelson.Engine.Source;

/// <summary>
/// A chart of a Helm HTTP repository as a source: the archive is fetched (cached by name, version and digest) and
/// extracted once per archive into a read-only directory that holds the chart's Chart.yaml at its root. The
/// snapshot's commit is the chart version, so status shows the version where a Git source shows a SHA.
/// </summary>
internal sealed class ChartSource(HelmRepositoryClient client, string cacheDirectory)
{
    public async Task<SourceSnapshot> ResolveAsync(SourceRequest request, string chart, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.RepoUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(url.UserInfo))
        {
            throw new SourceException(SourceErrorReason.InvalidUrl, $"'{Display(request.RepoUrl)}' is not an http(s) Helm repository URL without credentials in it");
        }

        var credentials = request.Credentials;
        var repository = new HelmRepository
        {
            Url = url,
            Username = credentials?.Username,
            Password = credentials?.Password,
            CaPem = credentials?.CaCertificate,
        };

        // "HEAD" is what a Git-minded default looks like; for a chart it means the latest stable version.
        var range = request.Revision is "" or "HEAD" ? "*" : request.Revision;
        string archive;
        try
        {
            archive = await client.FetchAsync(repository, chart, range, cancellationToken).ConfigureAwait(false);
        }
        catch (HelmException ex)
        {
            throw new SourceException(SourceErrorReason.Unreachable, ex.Message, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SourceException(SourceErrorReason.Unreachable, $"Helm repository {url.GetLeftPart(UriPartial.Path)}: {ex.Message}", ex);
        }

        var (root, version) = await ExtractAsync(archive, chart, cancellationToken).ConfigureAwait(false);
        var commit = new CommitInfo(version, $"{chart} {version}", "", "", DateTimeOffset.UnixEpoch);
        return new SourceSnapshot(request.RepoUrl, request.Revision, root, commit);
    }

    private async Task<(string Root, string Version)> ExtractAsync(string archive, string chart, CancellationToken cancellationToken)
    {
        List<ChartFile> files;
        Chart loaded;
        try
        {
            await using var stream = File.OpenRead(archive);
            files = ChartLoader.ReadArchive(stream);
            loaded = ChartLoader.LoadFiles(files, chart);
        }
        catch (HelmException ex)
        {
            throw new SourceException(SourceErrorReason.GitError, $"chart {chart}: {ex.Message}", ex);
        }

        // The archive's name carries name, version and digest: one directory per distinct archive, written once.
        var root = Path.Combine(cacheDirectory, "sources", Path.GetFileNameWithoutExtension(archive));
        if (Directory.Exists(root))
        {
            return (root, loaded.Metadata.Version);
        }

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

        return (root, loaded.Metadata.Version);
    }

    private static string Display(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && u.UserInfo.Length > 0 ? u.GetLeftPart(UriPartial.Path).Replace(u.UserInfo + "@", "", StringComparison.Ordinal) : url;
}
