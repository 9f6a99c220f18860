using System.Globalization;

namespace Keelson.Testing.Git;

/// <summary>
/// A real Git repository with a working tree, built step by step by a test: write and delete files, commit (with a
/// fixed author and a date that advances one minute per commit, so runs are reproducible), tag, branch, revert.
/// Servers serve it directly from its directory, so a commit is visible to clients at once.
/// </summary>
public sealed class GitRepo : IDisposable
{
    public const string AuthorName = "Keelson Test";
    public const string AuthorEmail = "test@keelson.dev";

    /// <summary>Date of the first commit; each later commit is one minute later.</summary>
    public static readonly DateTimeOffset FirstCommitDate = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly bool _ownsDirectory;
    private int _commits;

    private GitRepo(string path, bool ownsDirectory)
    {
        Path = path;
        _ownsDirectory = ownsDirectory;
    }

    /// <summary>The working tree (the repository is <c>Path/.git</c>).</summary>
    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    public string FileUrl => "file://" + Path;

    /// <summary>Date the next commit will get.</summary>
    public DateTimeOffset NextCommitDate => FirstCommitDate.AddMinutes(_commits);

    /// <summary>Creates an empty repository in <paramref name="parent"/> (a new temp directory when null), on branch <paramref name="branch"/>.</summary>
    public static async Task<GitRepo> CreateAsync(string? parent = null, string? name = null, string branch = "main", CancellationToken cancellationToken = default)
    {
        var owns = parent is null;
        parent ??= System.IO.Path.GetTempPath();
        var path = System.IO.Path.Combine(parent, name ?? $"repo-{Guid.NewGuid():N}"[..13]);
        Directory.CreateDirectory(path);
        var repo = new GitRepo(path, owns || name is null);
        await repo.GitAsync(["init", "--quiet", "--initial-branch=" + branch], cancellationToken);
        return repo;
    }

    public GitRepo Write(string relativePath, string content)
    {
        var full = Full(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return this;
    }

    public GitRepo Delete(string relativePath)
    {
        var full = Full(relativePath);
        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }
        else
        {
            File.Delete(full);
        }

        return this;
    }

    /// <summary>Stages everything (additions, changes, deletions) and commits; returns the new commit's SHA.</summary>
    public async Task<string> CommitAsync(string message, CancellationToken cancellationToken = default)
    {
        await GitAsync(["add", "--all"], cancellationToken);
        await GitAsync(["commit", "--quiet", "--allow-empty", "--no-verify", "-m", message], CommitEnvironment(), cancellationToken);
        return await ShaAsync("HEAD", cancellationToken);
    }

    /// <summary>A lightweight tag, or an annotated one when <paramref name="message"/> is given.</summary>
    public async Task TagAsync(string name, string? message = null, string revision = "HEAD", CancellationToken cancellationToken = default)
    {
        string[] args = message is null ? ["tag", name, revision] : ["tag", "-a", name, "-m", message, revision];
        await GitAsync(args, CommitEnvironment(advance: false), cancellationToken);
    }

    /// <summary>Creates a branch at <paramref name="revision"/> without switching to it.</summary>
    public Task BranchAsync(string name, string revision = "HEAD", CancellationToken cancellationToken = default) =>
        GitAsync(["branch", name, revision], cancellationToken);

    public Task CheckoutAsync(string branch, CancellationToken cancellationToken = default) =>
        GitAsync(["checkout", "--quiet", branch], cancellationToken);

    /// <summary><c>git revert HEAD</c>; returns the SHA of the revert commit.</summary>
    public async Task<string> RevertHeadAsync(CancellationToken cancellationToken = default)
    {
        await GitAsync(["revert", "--no-edit", "HEAD"], CommitEnvironment(), cancellationToken);
        return await ShaAsync("HEAD", cancellationToken);
    }

    public async Task<string> ShaAsync(string revision = "HEAD", CancellationToken cancellationToken = default) =>
        (await GitAsync(["rev-parse", "--verify", revision + "^{commit}"], cancellationToken)).Trim();

    public Task<string> GitAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default) =>
        GitCli.RunAsync(Path, args, null, cancellationToken);

    public Task<string> GitAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken = default) =>
        GitCli.RunAsync(Path, args, environment, cancellationToken);

    public void Dispose()
    {
        if (_ownsDirectory && Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    private Dictionary<string, string> CommitEnvironment(bool advance = true)
    {
        var date = NextCommitDate.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);
        if (advance)
        {
            _commits++;
        }

        return new Dictionary<string, string>
        {
            ["GIT_AUTHOR_NAME"] = AuthorName,
            ["GIT_AUTHOR_EMAIL"] = AuthorEmail,
            ["GIT_AUTHOR_DATE"] = date,
            ["GIT_COMMITTER_NAME"] = AuthorName,
            ["GIT_COMMITTER_EMAIL"] = AuthorEmail,
            ["GIT_COMMITTER_DATE"] = date,
        };
    }

    private string Full(string relativePath)
    {
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, relativePath));
        return full.StartsWith(Path + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException($"'{relativePath}' is outside the repository", nameof(relativePath));
    }
}
