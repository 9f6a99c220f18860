namespace Keelson.Engine.Render;

/// <summary>
/// A checked-out repository and the rule that nothing outside it is read: paths are resolved through every symbolic
/// link (as the kernel would) and must land inside the repository's own real path.
/// </summary>
internal sealed class RepoTree
{
    // Linux gives up after 40 links (ELOOP); a repository needs nowhere near as many.
    private const int MaxLinks = 40;

    private RepoTree(string root) => Root = root;

    /// <summary>The repository's real absolute path, without a trailing separator.</summary>
    public string Root { get; }

    public static RepoTree Open(string repoRoot)
    {
        if (string.IsNullOrEmpty(repoRoot) || !Path.IsPathFullyQualified(repoRoot))
        {
            throw new ArgumentException($"The repository root must be an absolute path, not '{repoRoot}'.", nameof(repoRoot));
        }

        if (!Directory.Exists(repoRoot))
        {
            throw new DirectoryNotFoundException($"The repository root {repoRoot} does not exist.");
        }

        return new RepoTree(RealPath(repoRoot));
    }

    /// <summary>
    /// Validates an app path (relative, no escape with "..", no link out of the repository) and returns its normalised
    /// form ("" for the root, '/'-separated) and the real directory it names.
    /// </summary>
    public (string Normalized, string Directory) ResolveAppPath(string path)
    {
        path ??= "";
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new RenderException("The app path contains a NUL character.");
        }

        if (path.StartsWith('/') || path.StartsWith('\\') || Path.IsPathRooted(path))
        {
            throw new RenderException($"The app path '{path}' is absolute; it must be relative to the repository root.");
        }

        var parts = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (parts.Count == 0)
                {
                    throw new RenderException($"The app path '{path}' leaves the repository ('..' above its root).");
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(segment);
        }

        var normalized = string.Join('/', parts);
        var real = RealPath(Path.Combine([Root, .. parts]));
        if (!Contains(real))
        {
            throw new RenderException($"The app path '{normalized}' leads outside the repository through a symbolic link.", normalized);
        }

        if (!Directory.Exists(real))
        {
            throw new RenderException(
                File.Exists(real)
                    ? $"The app path '{normalized}' is a file; it must be a directory."
                    : $"The app path '{Display(normalized)}' does not exist in the repository.",
                normalized);
        }

        return (normalized, real);
    }

    public bool Contains(string realPath) =>
        realPath == Root || realPath.StartsWith(Root == "/" ? Root : Root + "/", StringComparison.Ordinal);

    /// <summary>The path relative to the repository root, '/'-separated ("." for the root itself).</summary>
    public string Relative(string fullPath)
    {
        var relative = Path.GetRelativePath(Root, fullPath).Replace(Path.DirectorySeparatorChar, '/');
        return relative;
    }

    public static string Display(string normalized) => normalized.Length == 0 ? "." : normalized;

    /// <summary>
    /// Resolves every symbolic link in an absolute path, component by component. A missing component ends the
    /// resolution; the rest is appended as written (after resolving "..") so a dangling link can still be judged.
    /// </summary>
    public static string RealPath(string path)
    {
        var pending = new Stack<string>(Split(Path.GetFullPath(path)).Reverse());
        var current = "/";
        var links = 0;
        var missing = false;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var next = Path.Join(current, part);
            if (missing)
            {
                current = next;
                continue;
            }

            var info = new FileInfo(next);
            var target = info.LinkTarget;
            if (target is null)
            {
                missing = !info.Exists && !Directory.Exists(next);
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new RenderException($"Too many levels of symbolic links at {next}.");
            }

            if (Path.IsPathRooted(target))
            {
                current = "/";
            }

            foreach (var p in Split(target).Reverse())
            {
                pending.Push(p);
            }
        }

        return current;
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
