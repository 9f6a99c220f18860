using System.Globalization;
using Keelson.Engine.Source;
using Keelson.Engine.Source.Helm;
using Keelson.Testing;
using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Source;

/// <summary>
/// A Helm repository that accepts connections and never answers (or stops in the middle of an archive) must not hold
/// the operator up: short limits give it up, and a failing repository is left alone for a while so that the
/// Applications on it fail at once instead of each sending a request and holding a worker.
/// </summary>
public sealed class HelmStallTests : IAsyncLifetime
{
    // Far longer than any limit under test: a test that fails at this limit shows the short limit did not apply.
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    // Bounds a call that must fail at once, so a regression fails the test instead of hanging it.
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _cache = new("helmstall-cache");
    private readonly ListLogger<HelmRepoSource> _logs = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly HelmStallServer _server = new();
    private readonly Dictionary<string, byte[]> _archives;

    public HelmStallTests() => _archives = _server.Publish("1.0.0", "1.1.0");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HelmRepoSourceOptions Defaults => new() { CacheRoot = "unused" };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _cache.Dispose();
    }

    [Fact]
    public async Task A_silent_repository_fails_at_the_stall_limit_not_at_the_request_limit()
    {
        _server.Mode = StallMode.Silent;
        using var source = Source();
        Assert.Equal(TimeSpan.FromSeconds(15), Defaults.StallTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), Defaults.IndexTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), Defaults.RequestTimeout);

        var ex = await FailOnceAsync(source, attempts: 1);

        Assert.Equal(SourceErrorReason.Timeout, ex.Reason);
        Assert.Equal(
            $"GET {_server.Url}index.yaml: the server sent nothing for 15 s (tried again after a pause of up to 2 min, or at once on a refresh)",
            ex.Message);
    }

    [Fact]
    public async Task An_index_that_stops_after_its_headers_fails_at_the_stall_limit()
    {
        _server.Mode = StallMode.HeadersThenStall;
        using var source = Source();

        var ex = await FailOnceAsync(source, attempts: 1);

        Assert.Equal(SourceErrorReason.Timeout, ex.Reason);
        Assert.StartsWith($"GET {_server.Url}index.yaml: the server sent nothing for 15 s", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_requests_for_a_dead_repository_share_one_attempt_and_later_ones_fail_at_once()
    {
        _server.Mode = StallMode.Silent;
        using var source = Source();

        var requests = Enumerable.Range(0, 8).Select(i => source.FetchAsync(Repo(), "dep", i % 2 == 0 ? "1.0.0" : "^1.0.0", Ct)).ToList();
        await WaitForRequestsAsync(1);
        _clock.Advance(Defaults.StallTimeout);
        var failures = new List<SourceException>();
        foreach (var request in requests)
        {
            failures.Add(await Assert.ThrowsAsync<SourceException>(() => request.WaitAsync(AtOnce, Ct)));
        }

        var later = await FailsAtOnceAsync(source);

        Assert.Equal(1, _server.Connections);
        Assert.All(failures.Append(later), f => Assert.Equal(SourceErrorReason.Timeout, f.Reason));
        // The same words for everyone until the next attempt, so an Application's status does not change at each retry.
        Assert.Single(failures.Append(later).Select(f => f.Message).Distinct());
        Assert.Contains(_logs.Lines, l => l.Contains($"Helm repository {_server.Url} failed (index: Timeout, 1 time(s) in a row)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dead_repository_is_asked_again_when_its_wait_ends_and_waits_longer_each_time()
    {
        _server.Mode = StallMode.Silent;
        using var source = Source();
        var first = await FailOnceAsync(source, attempts: 1);

        _clock.Advance(TimeSpan.FromSeconds(14));
        await FailsAtOnceAsync(source);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var second = await FailOnceAsync(source, attempts: 2);

        // Failed again: now left alone for 30 s, then 60 s.
        Assert.Equal(first.Message, second.Message);
        Assert.Equal(1, InARow(2));
        _clock.Advance(TimeSpan.FromSeconds(29));
        await FailsAtOnceAsync(source);
        _clock.Advance(TimeSpan.FromSeconds(2));
        await FailOnceAsync(source, attempts: 3);
        Assert.Equal(1, InARow(3));
        _clock.Advance(TimeSpan.FromSeconds(59));
        await FailsAtOnceAsync(source);
        Assert.Equal(3, _server.Connections);
    }

    [Fact]
    public async Task While_one_request_asks_the_dead_repository_again_the_others_get_its_last_failure_at_once()
    {
        _server.Mode = StallMode.Silent;
        using var source = Source();
        var first = await FailOnceAsync(source, attempts: 1);
        _clock.Advance(TimeSpan.FromSeconds(16));

        var asking = source.FetchAsync(Repo(), "dep", "1.0.0", Ct);
        await WaitForRequestsAsync(2);
        var meanwhile = await FailsAtOnceAsync(source);
        _clock.Advance(Defaults.StallTimeout);
        await Assert.ThrowsAsync<SourceException>(() => asking.WaitAsync(AtOnce, Ct));

        // Only one worker waits on the server; the others are told what it said last time.
        Assert.Equal(first.Message, meanwhile.Message);
        Assert.Equal(1, InARow(2));
        Assert.Equal(2, _server.Connections);
    }

    [Fact]
    public async Task A_refresh_asks_a_repository_that_failed_a_moment_ago()
    {
        _server.Mode = StallMode.Silent;
        using var source = Source();
        await FailOnceAsync(source, attempts: 1);

        var plain = await FailOnceAsync(source, attempts: 2, () => source.FetchAsync(Repo(), "dep", "1.0.0", HelmIndexFreshness.Revalidate, Ct));
        var hard = await FailOnceAsync(source, attempts: 3, () => source.FetchAsync(Repo(), "dep", "1.0.0", HelmIndexFreshness.Reload, Ct));

        Assert.Equal(SourceErrorReason.Timeout, plain.Reason);
        Assert.Equal(SourceErrorReason.Timeout, hard.Reason);
        Assert.Equal(1, InARow(3));
    }

    [Fact]
    public async Task A_success_forgets_the_failures()
    {
        // The index is kept 10 s, so requests need the server again soon.
        var ttl = TimeSpan.FromSeconds(10);
        using var source = Source(o => o with { IndexTtl = ttl });
        Assert.Equal("1.0.0", (await Fetch(source)).Version);

        // Down twice in a row (asked with refreshes, which try even now): left alone for 30 s.
        _server.Mode = StallMode.Unavailable;
        await Assert.ThrowsAsync<SourceException>(() => Fetch(source, HelmIndexFreshness.Revalidate));
        var down = await Assert.ThrowsAsync<SourceException>(() => Fetch(source, HelmIndexFreshness.Revalidate));
        Assert.True(down.Reason == SourceErrorReason.Unreachable, down.Message);
        Assert.Equal(1, InARow(2));

        // Back, but not asked until the wait is over.
        _server.Mode = StallMode.Serve;
        _clock.Advance(ttl + TimeSpan.FromSeconds(1));
        await FailsAtOnceAsync(source);
        _clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("1.1.0", (await Fetch(source, version: "^1.0.0")).Version);

        // Down again: the count starts over, so the wait is the first one (15 s), not a longer one.
        _server.Mode = StallMode.Unavailable;
        _clock.Advance(ttl + TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<SourceException>(() => Fetch(source));
        Assert.Equal(2, InARow(1));
        _clock.Advance(TimeSpan.FromSeconds(16));
        var connections = _server.Connections;
        await Assert.ThrowsAsync<SourceException>(() => Fetch(source));
        Assert.Equal(connections + 1, _server.Connections);
    }

    [Fact]
    public async Task Server_errors_are_remembered()
    {
        _server.Mode = StallMode.Unavailable;
        using var source = Source();

        var ex = await Assert.ThrowsAsync<SourceException>(() => Fetch(source));
        var again = await FailsAtOnceAsync(source);

        Assert.Equal(SourceErrorReason.Unreachable, ex.Reason);
        Assert.Equal($"GET {_server.Url}index.yaml: 503 Service Unavailable (tried again after a pause of up to 2 min, or at once on a refresh)", ex.Message);
        Assert.Equal(ex.Message, again.Message);
        Assert.Equal(1, _server.Connections);
    }

    [Fact]
    public async Task A_server_that_hangs_up_is_unreachable_and_remembered()
    {
        _server.Mode = StallMode.HangUp;
        using var source = Source();

        var ex = await Assert.ThrowsAsync<SourceException>(() => Fetch(source));
        var connections = _server.Connections;
        var again = await FailsAtOnceAsync(source);

        Assert.Equal(SourceErrorReason.Unreachable, ex.Reason);
        Assert.Equal(
            $"GET {_server.Url}index.yaml: the server closed the connection without answering (tried again after a pause of up to 2 min, or at once on a refresh)",
            ex.Message);
        Assert.Equal(ex.Message, again.Message);
        Assert.Equal(connections, _server.Connections);
    }

    [Fact]
    public async Task A_missing_archive_or_chart_is_not_held_against_the_repository()
    {
        _server.Files.TryRemove("/charts/archives/dep-1.1.0.tgz", out _);
        using var source = Source();

        var missing = await Assert.ThrowsAsync<SourceException>(() => Fetch(source, version: "1.1.0"));
        var stillMissing = await Assert.ThrowsAsync<SourceException>(() => Fetch(source, version: "1.1.0"));
        var noChart = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo(), "nope", "1.0.0", Ct));
        var other = await Fetch(source, version: "1.0.0");

        Assert.Equal($"GET {_server.Url}archives/dep-1.1.0.tgz: 404 Not Found", missing.Message);
        Assert.Equal(missing.Message, stillMissing.Message);
        Assert.Equal(SourceErrorReason.RevisionNotFound, noChart.Reason);
        Assert.Equal("1.0.0", other.Version);
        Assert.Equal(2, _server.Requests.Count(r => r.EndsWith("dep-1.1.0.tgz", StringComparison.Ordinal)));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("in a row", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stalled_archive_download_fails_at_the_stall_limit_and_charts_already_here_are_still_served()
    {
        using var source = Source();
        await Fetch(source, version: "1.0.0");
        _server.ArchiveMode = StallMode.HeadersThenStall;

        var downloading = Fetch(source, version: "1.1.0");
        await Eventually.WaitAsync(() => _server.Requests.Any(r => r.EndsWith("dep-1.1.0.tgz", StringComparison.Ordinal)), "the download to start", cancellationToken: Ct);
        _clock.Advance(Defaults.StallTimeout);
        var stalled = await Assert.ThrowsAsync<SourceException>(() => downloading.WaitAsync(AtOnce, Ct));
        var again = await FailsAtOnceAsync(source, version: "1.1.0");
        var kept = await Fetch(source, version: "1.0.0").WaitAsync(AtOnce, Ct);

        Assert.Equal(SourceErrorReason.Timeout, stalled.Reason);
        Assert.StartsWith($"GET {_server.Url}archives/dep-1.1.0.tgz: the server sent nothing for 15 s", stalled.Message, StringComparison.Ordinal);
        Assert.Equal(stalled.Message, again.Message);
        Assert.Equal("1.0.0", kept.Version);
        Assert.Contains(_logs.Lines, l => l.Contains("(archive: Timeout, 1 time(s) in a row)", StringComparison.Ordinal));

        // A refresh asks at once, and the server is back.
        _server.ArchiveMode = null;
        var back = await Fetch(source, HelmIndexFreshness.Revalidate, "1.1.0").WaitAsync(AtOnce, Ct);
        Assert.Equal(_archives["1.1.0"], await File.ReadAllBytesAsync(back.Path, Ct));
    }

    [Fact]
    public async Task A_slow_download_that_keeps_moving_is_not_given_up()
    {
        // Real time: 15 pieces 200 ms apart take 3 s in all, longer than the 2 s stall limit, never silent that long.
        _server.ArchiveMode = StallMode.Trickle;
        using var source = Source(o => o with { StallTimeout = TimeSpan.FromSeconds(2), RequestTimeout = Long }, TimeProvider.System);

        var artifact = await Fetch(source).WaitAsync(Long, Ct);

        Assert.Equal(_archives["1.0.0"], await File.ReadAllBytesAsync(artifact.Path, Ct));
    }

    [Fact]
    public async Task An_index_that_keeps_trickling_is_given_up_at_the_index_limit()
    {
        // Real time: the index takes 3 s in pieces 200 ms apart, never silent for the stall limit, but over its own 1 s.
        _server.Mode = StallMode.Trickle;
        using var source = Source(o => o with { IndexTimeout = TimeSpan.FromSeconds(1), StallTimeout = Long, RequestTimeout = Long }, TimeProvider.System);

        var ex = await Assert.ThrowsAsync<SourceException>(() => Fetch(source).WaitAsync(AtOnce, Ct));

        Assert.Equal(SourceErrorReason.Timeout, ex.Reason);
        Assert.StartsWith($"GET {_server.Url}index.yaml: no complete answer within 1 s", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tls_handshake_that_never_comes_is_given_up_at_the_connect_limit()
    {
        using var silent = new SilentServer();
        using var source = Source(o => o with { ConnectTimeout = TimeSpan.FromSeconds(1), StallTimeout = Long, IndexTimeout = Long }, TimeProvider.System);
        var repo = new HelmRepoConnection { Url = new Uri($"https://127.0.0.1:{silent.Port}/charts/") };

        var ex = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(repo, "dep", "1.0.0", Ct).WaitAsync(AtOnce, Ct));

        Assert.Equal(SourceErrorReason.Timeout, ex.Reason);
        Assert.StartsWith($"GET https://127.0.0.1:{silent.Port}/charts/index.yaml: no connection within 1 s", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, silent.Connections);
    }

    [Fact]
    public async Task A_healthy_repository_is_served_while_another_one_is_dead()
    {
        await using var dead = new HelmStallServer { Mode = StallMode.Silent };
        dead.Publish("1.0.0");
        using var source = Source();

        var waiting = source.FetchAsync(new HelmRepoConnection { Url = dead.Url }, "dep", "1.0.0", Ct);
        await Eventually.WaitAsync(() => !dead.Requests.IsEmpty, "the dead repository to be asked", cancellationToken: Ct);
        var healthy = await Fetch(source).WaitAsync(AtOnce, Ct);
        _clock.Advance(Defaults.StallTimeout);
        await Assert.ThrowsAsync<SourceException>(() => waiting.WaitAsync(AtOnce, Ct));
        var afterwards = await Fetch(source, version: "1.1.0").WaitAsync(AtOnce, Ct);

        Assert.Equal("1.0.0", healthy.Version);
        Assert.Equal("1.1.0", afterwards.Version);
    }

    [Fact]
    public async Task Failures_are_remembered_per_credentials_and_never_show_them()
    {
        _server.Mode = StallMode.Silent;
        // Long enough to outlast the later attempts.
        using var source = Source(o => o with { FailureBackoff = TimeSpan.FromMinutes(2) });
        await FailOnceAsync(source, attempts: 1);

        // Other credentials (a fixed password, say) are tried at once: the failure may have been the old ones'.
        var other = Repo() with { Username = "ci", Password = "S3cret-Other-9b1d" };
        var ex = await FailOnceAsync(source, attempts: 2, () => source.FetchAsync(other, "dep", "1.0.0", Ct));
        await FailsAtOnceAsync(source);
        await FailsAtOnceAsync(source, repo: other);
        // Another CA too: a TLS failure may have been the old one's.
        using var certificates = new TestCertificates("other");
        await FailOnceAsync(source, attempts: 3, () => source.FetchAsync(other with { CaPem = certificates.CaPem }, "dep", "1.0.0", Ct));

        Assert.DoesNotContain(other.Password, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(other.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Zero_turns_the_failure_memory_off()
    {
        _server.Mode = StallMode.Unavailable;
        using var source = Source(o => o with { FailureBackoff = TimeSpan.Zero });

        var first = await Assert.ThrowsAsync<SourceException>(() => Fetch(source));
        var second = await Assert.ThrowsAsync<SourceException>(() => Fetch(source));

        Assert.Equal(2, _server.Connections);
        Assert.DoesNotContain("or at once on a refresh", second.Message, StringComparison.Ordinal);
        Assert.Equal(first.Message, second.Message);
    }

    private HelmRepoSource Source(Func<HelmRepoSourceOptions, HelmRepoSourceOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new HelmRepoSourceOptions { CacheRoot = _cache.Path };
        return new HelmRepoSource(configure?.Invoke(options) ?? options, _logs, time ?? _clock);
    }

    private HelmRepoConnection Repo() => new() { Url = _server.Url };

    private Task<HelmChartArtifact> Fetch(HelmRepoSource source, HelmIndexFreshness freshness = HelmIndexFreshness.Cached, string version = "1.0.0") =>
        source.FetchAsync(Repo(), "dep", version, freshness, Ct);

    /// <summary>How many times the log says a failure was the <paramref name="count"/>-th in a row (the message does not say).</summary>
    private int InARow(int count) =>
        _logs.Lines.Count(l => l.Contains($", {count.ToString(CultureInfo.InvariantCulture)} time(s) in a row)", StringComparison.Ordinal));

    // The request, not only the connection: a request stopped while connecting leaves its connection to the next one.
    private Task<bool> WaitForRequestsAsync(int count) =>
        Eventually.WaitAsync(() => _server.Requests.Count >= count, $"request number {count} to reach the repository", cancellationToken: Ct);

    /// <summary>
    /// Starts a request against the silent repository, lets the fake clock reach the stall limit once the request has
    /// reached the server (the <paramref name="attempts"/>-th to do so, each on its own connection), and returns the failure.
    /// </summary>
    private async Task<SourceException> FailOnceAsync(HelmRepoSource source, int attempts, Func<Task<HelmChartArtifact>>? request = null)
    {
        var running = (request ?? (() => Fetch(source)))();
        await WaitForRequestsAsync(attempts);
        Assert.Equal((attempts, attempts), (_server.Connections, _server.Requests.Count));
        _clock.Advance(Defaults.StallTimeout);
        return await Assert.ThrowsAsync<SourceException>(() => running.WaitAsync(AtOnce, Ct));
    }

    /// <summary>A request that fails without connecting (against a silent repository it would otherwise wait for the clock).</summary>
    private async Task<SourceException> FailsAtOnceAsync(HelmRepoSource source, HelmRepoConnection? repo = null, string version = "1.0.0")
    {
        var (connections, requests) = (_server.Connections, _server.Requests.Count);
        var ex = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(repo ?? Repo(), "dep", version, Ct).WaitAsync(AtOnce, Ct));
        Assert.Equal((connections, requests), (_server.Connections, _server.Requests.Count));
        Assert.EndsWith("(tried again after a pause of up to 2 min, or at once on a refresh)", ex.Message, StringComparison.Ordinal);
        return ex;
    }
}
