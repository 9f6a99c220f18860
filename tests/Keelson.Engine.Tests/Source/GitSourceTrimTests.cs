using System.Security.Cryptography;
using Keelson.Engine.Source;
using Keelson.Testing;
using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Source;

/// <summary>
/// The repository caches are bounded: unused ones are removed after the idle timeout, the least recently used ones
/// above the size limit, never one in use. The check runs on the source's timer, so it runs when the fake clock moves.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GitSourceTrimTests
{
    private const string Removed = "keelson.source.repos.removed";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_repository_unused_past_the_idle_timeout_is_removed_and_fetched_again_when_asked_for()
    {
        using var gone = await RepoWithAsync("gone");
        using var kept = await RepoWithAsync("kept");
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(o => o with { RepoIdleTimeout = TimeSpan.FromHours(1), RepoTrimInterval = TimeSpan.FromMinutes(5) }, clock);
        Assert.Equal("gone", (await h.ReadAsync(gone.FileUrl, "main", "a.yaml")).Content);
        Assert.Equal("kept", (await h.ReadAsync(kept.FileUrl, "main", "a.yaml")).Content);

        clock.Advance(TimeSpan.FromMinutes(50));
        (await h.ResolveAsync(kept.FileUrl)).Dispose();
        clock.Advance(TimeSpan.FromMinutes(15));

        Assert.False(Directory.Exists(h.RepoDir(gone.FileUrl)), "an unused repository is still on disk");
        Assert.True(Directory.Exists(h.RepoDir(kept.FileUrl)), "a repository used 15 minutes ago was removed");
        Assert.Equal(1, h.Count(Removed));
        Assert.Contains(h.Logs.Lines, l => l.Contains("Removed the Git cache of", StringComparison.Ordinal) && l.Contains(gone.Path, StringComparison.Ordinal) && l.Contains("unused for 60 minutes", StringComparison.Ordinal));

        var fetches = h.Fetches;
        var (_, content) = await h.ReadAsync(gone.FileUrl, "main", "a.yaml");

        Assert.Equal("gone", content);
        Assert.Equal(fetches + 1, h.Fetches);
        Assert.True(Directory.Exists(Path.Combine(h.RepoDir(gone.FileUrl), "repo.git")));
    }

    [Fact]
    public async Task A_repository_used_within_the_idle_timeout_is_kept_and_not_fetched_again()
    {
        using var repo = await RepoWithAsync("1");
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(o => o with { RepoIdleTimeout = TimeSpan.FromHours(1), RepoTrimInterval = TimeSpan.FromMinutes(5) }, clock);
        (await h.ResolveAsync(repo.FileUrl)).Dispose();

        // Polled every 40 minutes for hours: never idle for an hour.
        for (var poll = 0; poll < 5; poll++)
        {
            clock.Advance(TimeSpan.FromMinutes(40));
            Assert.Equal("1", (await h.ReadAsync(repo.FileUrl, "main", "a.yaml")).Content);
        }

        Assert.Equal(0, h.Count(Removed));
        Assert.Equal(1, h.Fetches);
        Assert.Equal(1, h.Extractions);
    }

    [Fact]
    public async Task Above_the_size_limit_the_least_recently_used_repositories_are_removed_first()
    {
        // Each bare repository holds about 225 KB of incompressible text: two fit under the limit, three do not.
        using var a = await RepoWithAsync(Noise());
        using var b = await RepoWithAsync(Noise());
        using var c = await RepoWithAsync(Noise());
        using var d = await RepoWithAsync(Noise());
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(o => o with { MaxRepoCacheBytes = 580_000, RepoTrimInterval = TimeSpan.FromMinutes(1) }, clock);

        foreach (var repo in new[] { a, b, c })
        {
            (await h.ResolveAsync(repo.FileUrl)).Dispose();
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal([false, true, true], Present(h, a, b, c));
        Assert.Equal(1, h.Count(Removed));

        // b is now used more recently than c, so c goes when d arrives.
        (await h.ResolveAsync(b.FileUrl)).Dispose();
        (await h.ResolveAsync(d.FileUrl)).Dispose();
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal([false, true, false, true], Present(h, a, b, c, d));
        Assert.Equal(2, h.Count(Removed));
        Assert.Contains(h.Logs.Lines, l => l.Contains(c.Path, StringComparison.Ordinal) && l.Contains("least recently used", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_repository_in_use_is_never_removed_even_above_the_size_limit()
    {
        using var busy = await RepoWithAsync("busy");
        using var idle = await RepoWithAsync("idle");
        var gate = new FetchGate();
        var clock = new FakeTimeProvider();
        // No room at all: only being in use keeps a repository. Commands may outlive the clock moves.
        await using var h = SourceHarness.Create(
            o => o with { MaxRepoCacheBytes = 0, RepoTrimInterval = TimeSpan.FromMinutes(1), CommandTimeout = TimeSpan.FromDays(1) },
            clock,
            started: gate.Hold);
        using var opened = gate;
        (await h.ResolveAsync(idle.FileUrl)).Dispose();
        gate.Arm(h.RepoDir(busy.FileUrl));

        var resolving = h.ResolveAsync(busy.FileUrl);
        await gate.Reached;
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(Directory.Exists(h.RepoDir(busy.FileUrl)), "the repository was removed while git fetched into it");
        Assert.False(Directory.Exists(h.RepoDir(idle.FileUrl)), "a repository nobody uses was kept above the size limit");

        gate.Open();
        var snapshot = await resolving;
        // Its files are being read: still in use.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("busy", await File.ReadAllTextAsync(Path.Combine(snapshot.RootPath, "a.yaml"), Ct));
        Assert.Equal(1, h.Count(Removed));

        snapshot.Dispose();
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.False(Directory.Exists(h.RepoDir(busy.FileUrl)));
        Assert.Equal(2, h.Count(Removed));
        Assert.Equal("busy", (await h.ReadAsync(busy.FileUrl, "main", "a.yaml")).Content);
    }

    [Fact]
    public async Task A_fetch_whose_caller_gave_up_keeps_its_repository_until_it_ends()
    {
        using var repo = await RepoWithAsync("1");
        var gate = new FetchGate();
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(
            o => o with { RepoIdleTimeout = TimeSpan.FromMinutes(1), RepoTrimInterval = TimeSpan.FromMinutes(1), CommandTimeout = TimeSpan.FromDays(1) },
            clock,
            started: gate.Hold);
        using var opened = gate;
        gate.Arm(h.RepoDir(repo.FileUrl));
        using var impatience = new CancellationTokenSource();

        var impatient = h.Source.ResolveAsync(new SourceRequest { RepoUrl = repo.FileUrl }, impatience.Token);
        await gate.Reached;
        await impatience.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        // Idle by the clock and held by no caller, but its fetch still runs.
        clock.Advance(TimeSpan.FromMinutes(3));

        Assert.True(Directory.Exists(h.RepoDir(repo.FileUrl)), "the repository was removed while git fetched into it");
        Assert.Equal(0, h.Count(Removed));

        gate.Open();
        Assert.Equal("1", (await h.ReadAsync(repo.FileUrl, "main", "a.yaml")).Content);
        Assert.Equal(1, h.Fetches);

        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.False(Directory.Exists(h.RepoDir(repo.FileUrl)));
        Assert.Equal(1, h.Count(Removed));
    }

    [Fact]
    public async Task A_repository_left_on_disk_by_an_earlier_run_is_removed_once_idle()
    {
        using var old = await RepoWithAsync("old");
        using var current = await RepoWithAsync("current");
        using var cache = new TempDirectory("keelson-cache");
        var options = new GitSourceOptions { CacheRoot = cache.Path, RepoIdleTimeout = TimeSpan.FromHours(1), RepoTrimInterval = TimeSpan.FromMinutes(5) };
        await using (var first = new GitSource(options, new ListLogger<GitSource>(), TimeProvider.System))
        {
            (await first.ResolveAsync(new SourceRequest { RepoUrl = old.FileUrl }, Ct)).Dispose();
            (await first.ResolveAsync(new SourceRequest { RepoUrl = current.FileUrl }, Ct)).Dispose();
        }

        var oldDir = Path.Combine(cache.Path, "repos", RepoUrl.Parse(old.FileUrl, allowFile: true).CacheKey);
        var currentDir = Path.Combine(cache.Path, "repos", RepoUrl.Parse(current.FileUrl, allowFile: true).CacheKey);
        Assert.True(Directory.Exists(oldDir));
        var clock = new FakeTimeProvider();
        var logs = new ListLogger<GitSource>();
        await using var second = new GitSource(options, logs, clock);

        // Only current is asked for after the restart; the clock of the idle time starts at the restart.
        clock.Advance(TimeSpan.FromMinutes(55));
        Assert.True(Directory.Exists(oldDir), "removed before the idle timeout");
        (await second.ResolveAsync(new SourceRequest { RepoUrl = current.FileUrl }, Ct)).Dispose();
        clock.Advance(TimeSpan.FromMinutes(10));

        Assert.False(Directory.Exists(oldDir), "a repository nobody asked for since the restart is still on disk");
        Assert.True(Directory.Exists(currentDir));
        Assert.Contains(logs.Lines, l => l.Contains(old.Path, StringComparison.Ordinal) && l.Contains("unused for", StringComparison.Ordinal));
    }

    private static async Task<GitRepo> RepoWithAsync(string content)
    {
        var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        await repo.Write("a.yaml", content).CommitAsync("content", Ct);
        return repo;
    }

    // Base64 of random bytes: git's zlib cannot shrink it below the bytes' own size (about 225 KB here).
    private static string Noise() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(225_000));

    private static bool[] Present(SourceHarness h, params GitRepo[] repos) =>
        [.. repos.Select(r => Directory.Exists(h.RepoDir(r.FileUrl)))];

    /// <summary>
    /// Holds the first fetch into one cache directory on the thread that started it (the git process runs; the
    /// source sees a fetch in progress) until <see cref="Open"/>. Bounded: it gives up after a minute. Disposing
    /// opens it, so dispose it before the source (which waits for its git commands).
    /// </summary>
    private sealed class FetchGate : IDisposable
    {
        private readonly ManualResetEventSlim _open = new();
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private string? _dir;

        public Task Reached => _reached.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        public void Arm(string repoDir) => Volatile.Write(ref _dir, repoDir);

        public void Hold(GitInvocation invocation)
        {
            var dir = Volatile.Read(ref _dir);
            if (dir is not null
                && invocation.Arguments.Contains("fetch")
                && invocation.Environment.TryGetValue("GIT_DIR", out var gitDir)
                && gitDir.StartsWith(dir, StringComparison.Ordinal)
                && Interlocked.CompareExchange(ref _dir, null, dir) == dir)
            {
                _reached.TrySetResult();
                _open.Wait(TimeSpan.FromMinutes(1));
            }
        }

        public void Open() => _open.Set();

        // Only opens: a thread just woken may still be inside Wait, so the event is left to the finalizer.
        public void Dispose() => _open.Set();
    }
}
