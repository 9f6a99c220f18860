using Keelson.Engine.Source;
using Keelson.Testing;
using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Source;

/// <summary>
/// A Git server that accepts connections and never answers (or stops mid-transfer) must not hold the operator up:
/// the short limits of each transport give it up, and a failing repository is left alone for a while so that the
/// Applications on it fail at once instead of each running git again and holding a worker.
/// </summary>
public sealed class GitStallTests(DaemonFixture daemon, HttpFixture http) : IClassFixture<DaemonFixture>, IClassFixture<HttpFixture>
{
    // Far longer than any limit under test: a test that fails at this limit shows the short limit did not apply.
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    // Bounds a call that must fail at once, so a regression fails the test instead of hanging it.
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_silent_server_fails_the_ls_remote_at_its_own_short_limit_not_at_the_fetch_limit()
    {
        using var silent = new SilentServer();
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(o => o with { CommandTimeout = TimeSpan.FromSeconds(90) }, clock);
        var url = $"git://127.0.0.1:{silent.Port}/config";
        Assert.Equal(TimeSpan.FromSeconds(30), h.Options.LsRemoteTimeout);

        var ex = await FailOnceAsync(h, clock, url, lsRemotes: 1, () => silent.Connections >= 1);

        Assert.Equal(SourceErrorReason.Timeout, ex.Reason);
        Assert.StartsWith($"git ls-remote of {url} took longer than 30 s and was stopped.", ex.Message, StringComparison.Ordinal);
        var git = Assert.Single(h.Invocations, i => i.Arguments.Contains("ls-remote"));
        await Eventually.WaitAsync(() => !Processes.IsAlive(git.ProcessId), "the timed-out git to be gone", TimeSpan.FromSeconds(5), cancellationToken: Ct);
    }

    [Fact]
    public async Task Concurrent_requests_for_a_dead_server_share_one_git_run_and_later_ones_fail_at_once()
    {
        using var silent = new SilentServer();
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(time: clock);
        var url = $"git://127.0.0.1:{silent.Port}/config";

        var requests = Enumerable.Range(0, 8).Select(_ => h.ResolveAsync(url)).ToList();
        await WaitForLsRemotesAsync(h, 1);
        clock.Advance(h.Options.LsRemoteTimeout);
        var failures = new List<SourceException>();
        foreach (var request in requests)
        {
            failures.Add(await Assert.ThrowsAsync<SourceException>(() => request));
        }

        var later = await FailsAtOnceAsync(h, url);

        Assert.Equal(1, LsRemotes(h));
        Assert.All(failures.Append(later), f => Assert.Equal(SourceErrorReason.Timeout, f.Reason));
        // The same words for everyone until the next attempt, so an Application's status does not change at each retry.
        Assert.Single(failures.Append(later).Select(f => f.Message).Distinct());
        Assert.EndsWith("(tried again after a pause of up to 2 min, or at once on a refresh)", later.Message, StringComparison.Ordinal);
        Assert.True(h.Count("keelson.source.failures.remembered") >= 1);
        Assert.Contains(h.Logs.Lines, l => l.Contains($"{url} failed (Timeout, 1 time(s) in a row)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dead_server_is_asked_again_when_its_wait_ends_and_waits_longer_each_time()
    {
        using var silent = new SilentServer();
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(time: clock);
        var url = $"git://127.0.0.1:{silent.Port}/config";
        await FailOnceAsync(h, clock, url, lsRemotes: 1);

        clock.Advance(TimeSpan.FromSeconds(14));
        await FailsAtOnceAsync(h, url);
        clock.Advance(TimeSpan.FromSeconds(2));
        var second = await FailOnceAsync(h, clock, url, lsRemotes: 2);

        // Failed again: now left alone for 30 s, then 60 s.
        Assert.Equal(1, InARow(h, 2));
        clock.Advance(TimeSpan.FromSeconds(29));
        await FailsAtOnceAsync(h, url);
        clock.Advance(TimeSpan.FromSeconds(2));
        var third = await FailOnceAsync(h, clock, url, lsRemotes: 3);
        Assert.Equal(1, InARow(h, 3));
        clock.Advance(TimeSpan.FromSeconds(59));
        await FailsAtOnceAsync(h, url);
        Assert.Equal(3, LsRemotes(h));
    }

    [Fact]
    public async Task While_one_request_asks_the_dead_server_again_the_others_get_its_last_failure_at_once()
    {
        using var silent = new SilentServer();
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(time: clock);
        var url = $"git://127.0.0.1:{silent.Port}/config";
        var first = await FailOnceAsync(h, clock, url, lsRemotes: 1);
        clock.Advance(TimeSpan.FromSeconds(16));

        var asking = h.ResolveAsync(url);
        await WaitForLsRemotesAsync(h, 2);
        var meanwhile = await FailsAtOnceAsync(h, url);
        clock.Advance(h.Options.LsRemoteTimeout);
        var answer = await Assert.ThrowsAsync<SourceException>(() => asking);

        // Only one worker waits on the server; the others are told what it said last time.
        Assert.Equal(first.Message, meanwhile.Message);
        Assert.Equal(1, InARow(h, 2));
        Assert.Equal(2, LsRemotes(h));
    }

    [Fact]
    public async Task The_wait_never_grows_beyond_its_cap()
    {
        using var silent = new SilentServer();
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(o => o with { FailureBackoff = TimeSpan.FromSeconds(10), MaxFailureBackoff = TimeSpan.FromSeconds(25) }, clock);
        var url = $"git://127.0.0.1:{silent.Port}/config";

        // Waits of 10, 20, then 25 s (not 40).
        await FailOnceAsync(h, clock, url, lsRemotes: 1);
        clock.Advance(TimeSpan.FromSeconds(10));
        await FailOnceAsync(h, clock, url, lsRemotes: 2);
        clock.Advance(TimeSpan.FromSeconds(20));
        await FailOnceAsync(h, clock, url, lsRemotes: 3);
        clock.Advance(TimeSpan.FromSeconds(24));
        await FailsAtOnceAsync(h, url);
        clock.Advance(TimeSpan.FromSeconds(1));
        var fourth = await FailOnceAsync(h, clock, url, lsRemotes: 4);

        Assert.Equal(1, InARow(h, 4));
    }

    [Fact]
    public async Task A_refresh_asks_a_server_that_failed_a_moment_ago()
    {
        using var silent = new SilentServer();
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(time: clock);
        var url = $"git://127.0.0.1:{silent.Port}/config";
        await FailOnceAsync(h, clock, url, lsRemotes: 1);

        var hard = await FailOnceAsync(h, clock, url, lsRemotes: 2, request: () => h.ResolveAsync(url, hard: true));
        var plain = await FailOnceAsync(
            h, clock, url, lsRemotes: 3, request: () => h.Source.ResolveAsync(new SourceRequest { RepoUrl = url, FreshRefs = true }, Ct));

        Assert.Equal(SourceErrorReason.Timeout, hard.Reason);
        Assert.Equal(1, InARow(h, 3));
    }

    [Fact]
    public async Task A_success_forgets_the_failures()
    {
        using var repo = await daemon.Server.CreateRepoAsync("back-" + Guid.NewGuid().ToString("N")[..8], Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var proxy = new GitStallProxy(daemon.Server.Port);
        var url = $"git://127.0.0.1:{proxy.Port}/{repo.Name}";
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(time: clock);
        (await h.ResolveAsync(url)).Dispose();

        // Down twice in a row (asked with refreshes, which try even now): left alone for 30 s.
        proxy.Mode = ProxyMode.HangUp;
        await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url, hard: true));
        var down = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url, hard: true));
        Assert.True(down.Reason == SourceErrorReason.Unreachable, down.Message);
        Assert.Equal(1, InARow(h, 2));

        // Back, but not asked until the wait is over.
        proxy.Mode = ProxyMode.Forward;
        var connections = proxy.Connections;
        await FailsAtOnceAsync(h, url);
        Assert.Equal(connections, proxy.Connections);
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("1", (await h.ReadAsync(url, "HEAD", "a.yaml")).Content);

        // Down again: the count starts over, so the wait is the first one (15 s), not a longer one.
        proxy.Mode = ProxyMode.HangUp;
        clock.Advance(h.Options.LsRemoteCacheTtl + TimeSpan.FromSeconds(1));
        var again = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url));
        Assert.Equal(2, InARow(h, 1));
        clock.Advance(TimeSpan.FromSeconds(16));
        var lsRemotes = LsRemotes(h);
        await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url));
        Assert.Equal(lsRemotes + 1, LsRemotes(h));
    }

    [Fact]
    public async Task Failures_are_remembered_per_credentials()
    {
        using var silent = new SilentServer();
        var clock = new FakeTimeProvider();
        // Long enough to outlast the second attempt.
        await using var h = SourceHarness.Create(o => o with { FailureBackoff = TimeSpan.FromMinutes(2) }, clock);
        var url = $"http://127.0.0.1:{silent.Port}/config";
        await FailOnceAsync(h, clock, url, lsRemotes: 1);

        // Other credentials (a fixed password, say) are tried at once: the failure may have been the old ones'.
        var other = new GitCredentials { Username = "ci", Password = "S3cret-Other-9b1d" };
        var ex = await FailOnceAsync(h, clock, url, lsRemotes: 2, request: () => h.ResolveAsync(url, credentials: other));

        Assert.DoesNotContain("in a row", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(other.Password, ex.ToString(), StringComparison.Ordinal);
        await FailsAtOnceAsync(h, url);
        await FailsAtOnceAsync(h, url, other);
    }

    [Fact]
    public async Task A_local_repository_is_never_left_alone()
    {
        using var parent = new TempDirectory("keelson-local");
        var path = Path.Combine(parent.Path, "later");
        var url = "file://" + path;
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(time: clock);
        await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url));

        using var repo = await GitRepo.CreateAsync(parent.Path, "later", cancellationToken: Ct);
        await repo.Write("a.yaml", "here").CommitAsync("first", Ct);

        Assert.Equal("here", (await h.ReadAsync(url, "main", "a.yaml")).Content);
    }

    [Fact]
    public async Task A_silent_http_server_is_given_up_after_the_stall_timeout()
    {
        using var silent = new SilentServer();
        await using var h = SourceHarness.Create(o => o with { StallTimeout = TimeSpan.FromSeconds(1), LsRemoteTimeout = Long, CommandTimeout = Long });
        var url = $"http://127.0.0.1:{silent.Port}/config";

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url));

        Assert.Equal(SourceErrorReason.Timeout, ex.Reason);
        Assert.StartsWith($"The server of {url} stopped answering:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Operation too slow", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_ssh_server_is_given_up_after_the_connect_timeout()
    {
        Tools.Require("ssh", GitSshServer.InstallHint);
        using var silent = new SilentServer();
        await using var h = SourceHarness.Create(o => o with { ConnectTimeout = TimeSpan.FromSeconds(1), LsRemoteTimeout = Long, CommandTimeout = Long });
        var url = $"ssh://git@127.0.0.1:{silent.Port}/config.git";

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url));

        Assert.Equal(SourceErrorReason.Timeout, ex.Reason);
        Assert.StartsWith($"The server of {url} stopped answering:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("banner exchange", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fetch_that_stalls_is_given_up_after_the_stall_timeout_and_only_fetches_wait_for_the_server_again()
    {
        using var repo = await http.Server.CreateRepoAsync("stall-" + Guid.NewGuid().ToString("N")[..8], Ct);
        var first = await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var proxy = new GitStallProxy(http.Server.HttpPort);
        var url = $"http://127.0.0.1:{proxy.Port}/{repo.Name}";
        // The refs answer is kept, so the requests below go straight to fetching.
        await using var h = SourceHarness.Create(o => o with { StallTimeout = TimeSpan.FromSeconds(1), CommandTimeout = Long, LsRemoteCacheTtl = TimeSpan.FromMinutes(10) });
        (await h.ResolveAsync(url, "main")).Dispose();
        var second = await repo.Write("a.yaml", "2").CommitAsync("second", Ct);

        proxy.Mode = ProxyMode.Silent;
        var stalled = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url, second));
        var fetches = h.Fetches;
        var again = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url, second).WaitAsync(AtOnce, Ct));
        // A commit already here needs no fetch, so it is served while the server stalls.
        var (kept, _) = await h.ReadAsync(url, "main", "a.yaml");

        Assert.Equal(SourceErrorReason.Timeout, stalled.Reason);
        Assert.Contains("Operation too slow", stalled.Message, StringComparison.Ordinal);
        Assert.Equal(stalled.Message, again.Message);
        Assert.Equal(fetches, h.Fetches);
        Assert.Equal(first, kept.Sha);

        proxy.Mode = ProxyMode.Forward;
        Assert.Equal("2", (await h.ReadAsync(url, second, "a.yaml", hard: true)).Content);
    }

    /// <summary>How many times the log says a failure was the <paramref name="count"/>-th in a row (the message does not say).</summary>
    private static int InARow(SourceHarness h, int count) =>
        h.Logs.Lines.Count(l => l.Contains($", {count.ToString(System.Globalization.CultureInfo.InvariantCulture)} time(s) in a row)", StringComparison.Ordinal));

    private static int LsRemotes(SourceHarness h) => h.Invocations.Count(i => i.Arguments.Contains("ls-remote"));

    private static Task<bool> WaitForLsRemotesAsync(SourceHarness h, int count) =>
        Eventually.WaitAsync(() => LsRemotes(h) >= count, $"git ls-remote number {count} to start", cancellationToken: Ct);

    /// <summary>
    /// Starts a request that runs git against a silent server, lets the fake clock reach the ls-remote limit once git
    /// runs, and returns the failure.
    /// </summary>
    private static async Task<SourceException> FailOnceAsync(
        SourceHarness h, FakeTimeProvider clock, string url, int lsRemotes, Func<bool>? connected = null, Func<Task<SourceSnapshot>>? request = null)
    {
        var running = (request ?? (() => h.ResolveAsync(url)))();
        await WaitForLsRemotesAsync(h, lsRemotes);
        if (connected is not null)
        {
            await Eventually.WaitAsync(connected, "git to connect", cancellationToken: Ct);
        }

        Assert.Equal(lsRemotes, LsRemotes(h));
        clock.Advance(h.Options.LsRemoteTimeout);
        return await Assert.ThrowsAsync<SourceException>(() => running);
    }

    /// <summary>A request that fails without running git (against a silent server it would otherwise never end).</summary>
    private static async Task<SourceException> FailsAtOnceAsync(SourceHarness h, string url, GitCredentials? credentials = null)
    {
        var before = LsRemotes(h);
        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url, credentials: credentials).WaitAsync(AtOnce, Ct));
        Assert.Equal(before, LsRemotes(h));
        Assert.Contains("or at once on a refresh", ex.Message, StringComparison.Ordinal);
        return ex;
    }
}
