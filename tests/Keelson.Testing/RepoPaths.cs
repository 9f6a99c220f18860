namespace Keelson.Testing;

/// <summary>Locates the repository root (the folder holding Operator.sln) and the team's shared folder beside it.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    /// <summary>
    /// `../shared` from the repository root, as in CI. Fails loudly when it is missing: a test that needs the shared
    /// fixtures must not pass without them.
    /// </summary>
    public static string Shared
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(Root, "..", "shared"));
            if (!Directory.Exists(path))
            {
                throw new DirectoryNotFoundException(
                    $"The team's shared folder was not found at {path}. Clone the repository beside 'shared' (as CI does) so '../shared' resolves.");
            }

            return path;
        }
    }

    public static string InRepo(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Operator.sln above {AppContext.BaseDirectory}");
    }
}
