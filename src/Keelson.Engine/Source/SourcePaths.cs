namespace Keelson.Engine.Source;

/// <summary>
/// The layout of a cache root:
/// <code>
/// .lock                      held while a GitSource owns the root
/// .keelson/home/             HOME and working directory of git: empty, so no user configuration applies
/// .keelson/askpass           answers git's credential prompts from a per-command directory
/// .keelson/known_hosts       SSH host keys accepted on first use (when no known hosts are given)
/// .keelson/tmp/              per-command credential directories (0700), deleted after each command
/// repos/&lt;key&gt;/repo.git     bare repository of one URL (key: hash of the normalised URL)
/// repos/&lt;key&gt;/trees/&lt;sha&gt;  extracted files of one commit
/// repos/&lt;key&gt;/url          the normalised URL, for people (and log lines) reading the cache
/// repos/.del-&lt;id&gt;          a repository cache being removed (renamed aside first, so a new one can take its place)
/// </code>
/// </summary>
internal sealed class SourcePaths
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public SourcePaths(string cacheRoot)
    {
        Root = Path.GetFullPath(cacheRoot);
        var own = Path.Combine(Root, ".keelson");
        Home = Path.Combine(own, "home");
        Temp = Path.Combine(own, "tmp");
        AskPass = Path.Combine(own, "askpass");
        KnownHosts = Path.Combine(own, "known_hosts");
        Repos = Path.Combine(Root, "repos");
        Lock = Path.Combine(Root, ".lock");
    }

    public string Root { get; }

    public string Home { get; }

    public string Temp { get; }

    public string AskPass { get; }

    public string KnownHosts { get; }

    public string Repos { get; }

    public string Lock { get; }

    public string RepoDir(RepoUrl url) => Path.Combine(Repos, url.CacheKey);

    /// <summary>Creates the private directories and the askpass helper, and removes credential leftovers of a crash.</summary>
    public void Prepare()
    {
        CreatePrivate(Root);
        CreatePrivate(Path.GetDirectoryName(Home)!);
        CreatePrivate(Home);
        CreatePrivate(Repos);
        if (Directory.Exists(Temp))
        {
            Directory.Delete(Temp, recursive: true);
        }

        CreatePrivate(Temp);

        // The script holds no secret: it reads the answer from files in the directory named by the environment of
        // the one git command that needs it. Any other prompt (or no directory) fails instead of waiting.
        const string script = """
            #!/bin/sh
            dir="$KEELSON_GIT_CREDENTIALS"
            case "$1" in
              Username*) file="$dir/username" ;;
              Password*) file="$dir/password" ;;
              *) exit 1 ;;
            esac
            [ -n "$dir" ] && [ -f "$file" ] && exec cat "$file"
            exit 1

            """;
        File.WriteAllText(AskPass, script);
        SetMode(AskPass, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
    }

    public static void CreatePrivate(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, Private);
        File.SetUnixFileMode(path, Private);
    }

    /// <summary>Sets a file's permission bits (a no-op on Windows, which Keelson does not run on but builds for).</summary>
    public static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>
    /// Deletes a directory tree; one already gone counts as deleted. Returns why it could not be deleted (a file in use,
    /// permissions), for the caller to log and try again later, or null.
    /// </summary>
    public static string? TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }

    /// <summary>Options that create a new file readable and writable by its owner only.</summary>
    public static FileStreamOptions PrivateFile()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }
}
