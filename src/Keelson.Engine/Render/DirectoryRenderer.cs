using Microsoft.Extensions.Logging;

namespace Keelson.Engine.Render;

/// <summary>
/// Plain directories of YAML and JSON manifests. Files are chosen by extension and the include/exclude globs, read in
/// ordinal order of their paths, and every symbolic link met on the way is checked against the repository's bounds.
/// </summary>
internal sealed class DirectoryRenderer(RenderSettings settings, ILogger logger) : IRenderer
{
    public string Name => "directory";

    public bool Matches(RenderSource source) => true;

    public async Task<RenderOutput> RenderAsync(RenderSource source, CancellationToken cancellationToken)
    {
        var options = source.Request.Directory;
        var include = CompileGlob(options.Include, "include");
        var exclude = string.IsNullOrEmpty(options.Exclude) ? null : CompileGlob(options.Exclude, "exclude");

        var files = new List<(string Relative, string Real)>();
        var walk = new Walk(source, include, exclude, options.Recurse, settings, logger, files);
        walk.Visit(source.Directory, "");
        files.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));

        var objects = new List<RenderedObject>();
        long bytes = 0;
        foreach (var (relative, real) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] content;
            try
            {
                content = await File.ReadAllBytesAsync(real, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The message names the absolute path; the repository's location is nobody's business in a status.
                var reason = ex.Message.Replace(source.Tree.Root + "/", "", StringComparison.Ordinal);
                throw new RenderException($"{relative}: cannot be read: {reason}", relative, inner: ex);
            }

            // Checked again on the bytes actually read, in case a file grew since it was listed.
            bytes += content.Length;
            if (bytes > settings.MaxTotalBytes)
            {
                throw TooBig(source);
            }

            ManifestParser.Parse(ManifestParser.Decode(content), relative, relative.EndsWith(".json", StringComparison.Ordinal), objects);
        }

        return new RenderOutput(objects, bytes);
    }

    private static Glob CompileGlob(string pattern, string what)
    {
        try
        {
            return Glob.Parse(pattern);
        }
        catch (FormatException ex)
        {
            throw new RenderException($"Invalid directory {what} pattern: {ex.Message}.");
        }
    }

    private RenderException TooBig(RenderSource source) =>
        new($"The manifests under '{RepoTree.Display(source.AppPath)}' add up to more than {settings.MaxTotalBytes} bytes.");

    private static bool IsManifest(string name) =>
        name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal) || name.EndsWith(".json", StringComparison.Ordinal);

    private sealed class Walk(
        RenderSource source,
        Glob include,
        Glob? exclude,
        bool recurse,
        RenderSettings settings,
        ILogger logger,
        List<(string Relative, string Real)> files)
    {
        private int _entries;
        private long _bytes;

        public void Visit(string directory, string relativeDir)
        {
            var entries = new DirectoryInfo(directory).EnumerateFileSystemInfos().ToList();
            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var entry in entries)
            {
                if (++_entries > settings.MaxEntries)
                {
                    throw new RenderException(
                        $"'{RepoTree.Display(source.AppPath)}' holds more than {settings.MaxEntries} files and directories; render a smaller directory or narrow it with include/exclude.");
                }

                var relative = relativeDir.Length == 0 ? entry.Name : $"{relativeDir}/{entry.Name}";
                var fromRoot = source.Tree.Relative(entry.FullName);
                if (entry.LinkTarget is not null)
                {
                    VisitLink(entry, relative, fromRoot);
                }
                else if (entry is DirectoryInfo)
                {
                    // .git holds no manifests and can be large; everything else is the user's to include or exclude.
                    if (recurse && entry.Name != ".git")
                    {
                        Visit(entry.FullName, relative);
                    }
                }
                else if (entry is FileInfo file && file.Exists)
                {
                    Consider(relative, fromRoot, file.FullName, file.Length);
                }
            }
        }

        private void VisitLink(FileSystemInfo entry, string relative, string fromRoot)
        {
            var real = RepoTree.RealPath(entry.FullName);
            if (!source.Tree.Contains(real))
            {
                throw new RenderException($"{fromRoot}: symbolic link points outside the repository (to {entry.LinkTarget}).", fromRoot);
            }

            if (Directory.Exists(real))
            {
                // Not followed, as in git and Argo CD: following could loop or read the same files twice.
                ManifestRenderer.LinkedDirectorySkipped(logger, fromRoot);
                return;
            }

            var target = new FileInfo(real);
            if (!target.Exists)
            {
                ManifestRenderer.DanglingLinkSkipped(logger, fromRoot);
                return;
            }

            Consider(relative, fromRoot, real, target.Length);
        }

        private void Consider(string relative, string fromRoot, string real, long length)
        {
            if (!IsManifest(relative) || (exclude?.IsMatch(relative) ?? false) || !include.IsMatch(relative))
            {
                return;
            }

            // Read as a manifest, a kustomization is either refused by the API server (kind Kustomization) or not an
            // object at all; say what is going on instead.
            if (KustomizeRenderer.FileNames.Contains(Path.GetFileName(relative)))
            {
                throw new RenderException(
                    $"{fromRoot}: a kustomization below the app path is not built; point the app path at its directory or exclude it.", fromRoot);
            }

            if (files.Count >= settings.MaxFiles)
            {
                throw new RenderException(
                    $"'{RepoTree.Display(source.AppPath)}' holds more than {settings.MaxFiles} manifest files; split the application or narrow it with include/exclude.");
            }

            _bytes += length;
            if (_bytes > settings.MaxTotalBytes)
            {
                throw new RenderException(
                    $"The manifests under '{RepoTree.Display(source.AppPath)}' add up to more than {settings.MaxTotalBytes} bytes (reached at {fromRoot}).", fromRoot);
            }

            files.Add((fromRoot, real));
        }
    }
}
