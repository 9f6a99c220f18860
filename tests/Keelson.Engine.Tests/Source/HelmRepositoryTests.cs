using System.Security.Cryptography;
using Keelson.Engine.Render.Helm;
using Keelson.Engine.Source;
using Keelson.Engine.Source.Helm;
using Keelson.Testing;
using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Source;

/// <summary>Charts fetched from a Helm HTTP repository served by Kestrel on 127.0.0.1.</summary>
public sealed class HelmRepositoryTests : IAsyncLifetime
{
    private static readonly string[] Versions = ["1.0.0", "1.2.0", "1.2.5", "1.3.1", "1.4.0-rc.1", "2.0.0", "2.1.0-beta.1"];

    private readonly TempDirectory _cache = new("helmrepo-cache");
    private HelmRepoServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await HelmRepoServer.StartAsync(null, Ct);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _cache.Dispose();
    }

    private HelmRepoSource Source(Func<HelmRepoSourceOptions, HelmRepoSourceOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new HelmRepoSourceOptions { CacheRoot = _cache.Path };
        return new HelmRepoSource(configure is null ? options : configure(options), time: time);
    }

    private HelmRepoConnection Repo(string? user = null, string? password = null) => new() { Url = _server.Url, Username = user, Password = password };

    private static async Task<string> ChartVersionAsync(HelmChartArtifact artifact)
    {
        await using var file = File.OpenRead(artifact.Path);
        return ChartLoader.LoadArchive(file, Path.GetFileName(artifact.Path)).Metadata.Version;
    }

    [Fact]
    public async Task An_exact_version_is_downloaded_with_its_digest_checked()
    {
        var archives = _server.Publish("dep", Versions);
        using var source = Source();

        var artifact = await source.FetchAsync(Repo(), "dep", "1.2.0", Ct);

        Assert.Equal("1.2.0", artifact.Version);
        Assert.Equal("1.2.0", await ChartVersionAsync(artifact));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(archives["1.2.0"])), artifact.Digest);
        Assert.StartsWith(_cache.Path, artifact.Path, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("^1.0.0", "1.3.1")]
    [InlineData("~1.2", "1.2.5")]
    [InlineData(">=1.0.0 <1.2.5", "1.2.0")]
    [InlineData("1.x || 2.x", "2.0.0")]
    [InlineData("", "2.0.0")]
    [InlineData("*", "2.0.0")]
    public async Task A_range_picks_the_highest_stable_version_it_allows(string range, string expected)
    {
        _server.Publish("dep", Versions);
        using var source = Source();

        var artifact = await source.FetchAsync(Repo(), "dep", range, Ct);

        Assert.Equal(expected, artifact.Version);
        Assert.Equal(expected, await ChartVersionAsync(artifact));
    }

    [Theory]
    [InlineData("1.4.0-rc.1", "1.4.0-rc.1")]
    [InlineData(">=1.4.0-rc.0 <2.0.0", "1.4.0-rc.1")]
    [InlineData("^2.1.0-0", "2.1.0-beta.1")]
    public async Task Prereleases_are_chosen_only_when_asked_for(string range, string expected)
    {
        _server.Publish("dep", Versions);
        using var source = Source();

        Assert.Equal(expected, (await source.FetchAsync(Repo(), "dep", range, Ct)).Version);
    }

    [Fact]
    public async Task No_matching_version_and_unknown_chart_are_named_with_what_exists()
    {
        _server.Publish("dep", Versions);
        using var source = Source();

        var none = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo(), "dep", "^3.0.0", Ct));
        var missing = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo(), "nope", "1.0.0", Ct));
        var invalid = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo(), "dep", ">>1", Ct));

        Assert.Equal(SourceErrorReason.RevisionNotFound, none.Reason);
        Assert.Equal(
            $"chart \"dep\" in the Helm repository {_server.Url} has no version matching \"^3.0.0\" (available: 2.1.0-beta.1, 2.0.0, 1.4.0-rc.1, 1.3.1, 1.2.5, 1.2.0, 1.0.0)",
            none.Message);
        Assert.Equal(SourceErrorReason.RevisionNotFound, missing.Reason);
        Assert.Equal($"chart \"nope\" not found in the Helm repository {_server.Url}", missing.Message);
        Assert.Equal(SourceErrorReason.InvalidRevision, invalid.Reason);
        Assert.Contains(">>1", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_archive_whose_digest_differs_from_the_index_is_refused_and_not_cached()
    {
        var wrong = string.Concat(Enumerable.Repeat("deadbeef", 8));
        _server.Publish("dep", ["1.0.0"], _ => wrong);
        using var source = Source(o => o with { IndexTtl = TimeSpan.Zero });

        var ex = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo(), "dep", "1.0.0", Ct));

        Assert.Contains("failed its integrity check", ex.Message, StringComparison.Ordinal);
        Assert.Contains(wrong, ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(_cache.Path) ? Directory.GetFiles(_cache.Path, "*", SearchOption.AllDirectories) : []);

        _server.Publish("dep", ["1.0.0"]);
        Assert.Equal("1.0.0", await ChartVersionAsync(await source.FetchAsync(Repo(), "dep", "1.0.0", Ct)));
    }

    [Fact]
    public async Task Basic_auth_is_sent_and_a_refusal_names_the_url_but_never_the_password()
    {
        _server.Publish("dep", Versions);
        _server.RequiredAuth = ("reader", "s3cret-pa55");
        using var source = Source();

        var anonymous = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo(), "dep", "1.0.0", Ct));
        var wrong = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo("reader", "wrong-pa55"), "dep", "1.0.0", Ct));
        var artifact = await source.FetchAsync(Repo("reader", "s3cret-pa55"), "dep", "1.0.0", Ct);

        Assert.Equal(SourceErrorReason.AuthenticationFailed, anonymous.Reason);
        Assert.Equal($"GET {_server.Url}index.yaml: 401 Unauthorized (the repository needs credentials) (tried again after a pause of up to 2 min, or at once on a refresh)", anonymous.Message);
        Assert.Equal(SourceErrorReason.AuthenticationFailed, wrong.Reason);
        Assert.Equal($"GET {_server.Url}index.yaml: 401 Unauthorized (the repository refused the credentials) (tried again after a pause of up to 2 min, or at once on a refresh)", wrong.Message);
        Assert.DoesNotContain("pa55", wrong.ToString(), StringComparison.Ordinal);
        Assert.Equal("1.0.0", artifact.Version);
        Assert.All(_server.Requests.Where(r => r.Path.EndsWith(".tgz", StringComparison.Ordinal)), r => Assert.True(r.Authorized));
        Assert.DoesNotContain("pa55", Repo("reader", "s3cret-pa55").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cached_chart_is_not_served_to_credentials_that_have_not_read_the_index()
    {
        _server.Publish("dep", Versions);
        _server.RequiredAuth = ("reader", "s3cret-pa55");
        using var source = Source();
        await source.FetchAsync(Repo("reader", "s3cret-pa55"), "dep", "1.0.0", Ct);

        var ex = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo(), "dep", "1.0.0", Ct));

        Assert.Equal(SourceErrorReason.AuthenticationFailed, ex.Reason);
    }

    [Fact]
    public async Task A_missing_archive_is_a_404_with_its_url()
    {
        _server.Publish("dep", ["1.0.0"]);
        _server.Files.TryRemove("/charts/archives/dep-1.0.0.tgz", out _);
        using var source = Source();

        var ex = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo(), "dep", "1.0.0", Ct));

        Assert.Equal(SourceErrorReason.Unreachable, ex.Reason);
        Assert.Equal($"GET {_server.Url}archives/dep-1.0.0.tgz: 404 Not Found", ex.Message);
    }

    [Fact]
    public async Task Absolute_chart_urls_are_followed()
    {
        _server.Publish("dep", ["1.0.0"], absoluteUrls: true);
        using var source = Source();

        Assert.Equal("1.0.0", await ChartVersionAsync(await source.FetchAsync(Repo(), "dep", "1.0.0", Ct)));
    }

    [Fact]
    public async Task Credentials_go_to_chart_urls_on_another_host_only_when_allowed()
    {
        _server.Publish("dep", ["1.0.0"]);
        var elsewhere = new Uri($"http://localhost:{_server.Url.Port}/charts/archives/dep-1.0.0.tgz").AbsoluteUri;
        var index = System.Text.Encoding.UTF8.GetString(_server.Files["/charts/index.yaml"]).Replace("- archives/dep-1.0.0.tgz", "- " + elsewhere, StringComparison.Ordinal);
        _server.Files["/charts/index.yaml"] = System.Text.Encoding.UTF8.GetBytes(index);
        _server.RequiredAuth = ("reader", "s3cret-pa55");
        using var source = Source();

        var ex = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo("reader", "s3cret-pa55"), "dep", "1.0.0", Ct));
        var artifact = await source.FetchAsync(Repo("reader", "s3cret-pa55") with { PassCredentialsToAllHosts = true }, "dep", "1.0.0", Ct);

        Assert.Equal($"GET {elsewhere}: 401 Unauthorized (the repository's credentials are only sent to its own host unless passing them to all hosts is allowed) (tried again after a pause of up to 2 min, or at once on a refresh)", ex.Message);
        Assert.Equal("1.0.0", artifact.Version);
        Assert.Equal([false, true], _server.Requests.Where(r => r.Path.EndsWith(".tgz", StringComparison.Ordinal)).Select(r => r.Authorized));
    }

    [Fact]
    public async Task An_archive_over_the_size_limit_is_refused()
    {
        _server.Publish("dep", ["1.0.0"]);
        using var source = Source(o => o with { MaxChartBytes = 100 });

        var ex = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo(), "dep", "1.0.0", Ct));

        Assert.Equal(SourceErrorReason.TooLarge, ex.Reason);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_in_time_is_a_timeout()
    {
        _server.Publish("dep", ["1.0.0"]);
        _server.Hold();
        // Long enough for the index to be read on a busy machine (only the archive is held).
        using var source = Source(o => o with { RequestTimeout = TimeSpan.FromSeconds(3) });

        var ex = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(Repo(), "dep", "1.0.0", Ct));

        Assert.Equal(SourceErrorReason.Timeout, ex.Reason);
        Assert.Contains("archives/dep-1.0.0.tgz", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_url_with_credentials_in_it_is_refused_without_showing_them()
    {
        using var source = Source();
        var repo = new HelmRepoConnection { Url = new Uri($"http://reader:s3cret-pa55@127.0.0.1:{_server.Url.Port}/charts/") };

        var ex = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(repo, "dep", "1.0.0", Ct));

        Assert.Equal(SourceErrorReason.InvalidUrl, ex.Reason);
        Assert.DoesNotContain("pa55", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Concurrent_requests_for_one_chart_share_one_download()
    {
        _server.Publish("dep", Versions);
        _server.Hold();
        using var source = Source();

        var fetches = Enumerable.Range(0, 8).Select(i => source.FetchAsync(Repo(), "dep", i % 2 == 0 ? "1.3.1" : "^1.0.0", Ct)).ToList();
        await Eventually.WaitAsync(() => _server.Downloads == 1, "the first download to start", cancellationToken: Ct);
        _server.Release();
        var artifacts = await Task.WhenAll(fetches);

        Assert.Equal(1, _server.Downloads);
        Assert.Equal(1, _server.Requests.Count(r => r.Path.EndsWith("index.yaml", StringComparison.Ordinal)));
        Assert.All(artifacts, a => Assert.Equal(artifacts[0], a));
    }

    [Fact]
    public async Task A_cached_exact_version_is_served_without_any_request()
    {
        _server.Publish("dep", Versions);
        using var source = Source();
        var first = await source.FetchAsync(Repo(), "dep", "1.2.0", Ct);
        var requests = _server.Requests.Count;

        var second = await source.FetchAsync(Repo(), "dep", "1.2.0", Ct);

        Assert.Equal(requests, _server.Requests.Count);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Past_its_size_limit_the_cache_drops_the_least_recently_used_archives_but_never_recent_ones()
    {
        _server.Publish("dep", ["1.0.0", "1.1.0", "1.2.0"]);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var size = HelmRepoServer.Package("dep", "1.0.0").Length;
        // Room for two archives, not three.
        using var source = Source(o => o with { MaxCacheBytes = 2 * size + size / 2, KeepRecentlyUsed = TimeSpan.FromMinutes(30) }, clock);
        var old = await source.FetchAsync(Repo(), "dep", "1.0.0", Ct);
        var kept = await source.FetchAsync(Repo(), "dep", "1.1.0", Ct);
        clock.Advance(TimeSpan.FromHours(1));
        // Used again, so it is the more recent of the two.
        await source.FetchAsync(Repo(), "dep", "1.1.0", Ct);
        clock.Advance(TimeSpan.FromMinutes(5));

        var fresh = await source.FetchAsync(Repo(), "dep", "1.2.0", Ct);
        var afterTrim = (Old: File.Exists(old.Path), Kept: File.Exists(kept.Path), New: File.Exists(fresh.Path));
        var downloads = _server.Downloads;
        var again = await source.FetchAsync(Repo(), "dep", "1.0.0", Ct);

        Assert.Equal((false, true, true), afterTrim);
        // Asked for again, the dropped archive is simply downloaded again; the other two were used within 30 minutes,
        // so the cache stays over its limit rather than delete an archive a render may be reading.
        Assert.Equal(downloads + 1, _server.Downloads);
        Assert.True(File.Exists(again.Path));
        Assert.True(File.Exists(kept.Path) && File.Exists(fresh.Path));
    }

    [Fact]
    public async Task A_new_source_on_the_same_cache_reads_the_index_but_does_not_download_again()
    {
        _server.Publish("dep", Versions);
        using (var source = Source())
        {
            await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct);
        }

        using var restarted = Source();
        var artifact = await restarted.FetchAsync(Repo(), "dep", "^1.0.0", Ct);

        Assert.Equal("1.3.1", artifact.Version);
        Assert.Equal(1, _server.Downloads);
        Assert.Equal(2, _server.Requests.Count(r => r.Path.EndsWith("index.yaml", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_chart_republished_under_the_same_version_is_downloaded_again()
    {
        _server.Publish("dep", ["1.0.0"]);
        using var source = Source(o => o with { IndexTtl = TimeSpan.Zero });
        var before = await source.FetchAsync(Repo(), "dep", "1.0.x", Ct);

        var archive = HelmRepoServer.Package("dep", "1.0.0").Concat(new byte[16]).ToArray();
        _server.Files["/charts/archives/dep-1.0.0.tgz"] = archive;
        _server.Publish("dep", ["1.0.0"], _ => Convert.ToHexStringLower(SHA256.HashData(archive)));
        _server.Files["/charts/archives/dep-1.0.0.tgz"] = archive;
        var after = await source.FetchAsync(Repo(), "dep", "1.0.x", Ct);

        Assert.NotEqual(before.Digest, after.Digest);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(archive)), after.Digest);
        Assert.Equal(2, _server.Downloads);
    }

    [Fact]
    public async Task The_index_is_read_once_within_the_window_then_revalidated_with_its_etag()
    {
        _server.Publish("dep", Versions);
        _server.SendETag = true;
        var time = new FakeTimeProvider();
        using var source = Source(o => o with { IndexTtl = TimeSpan.FromMinutes(3) }, time);

        // Many reconciles of many apps on one repository inside the window: one index read.
        foreach (var range in new[] { "^1.0.0", "1.2.0", "~1.2", "*", "^1.0.0", "1.2.0" })
        {
            await source.FetchAsync(Repo(), "dep", range, Ct);
        }

        Assert.Equal(1, _server.IndexReads);
        time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(59));
        Assert.Equal("1.3.1", (await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct)).Version);
        Assert.Equal(1, _server.IndexReads);

        // Past the window: a conditional request, answered 304, and the remembered index is used again.
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("1.3.1", (await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct)).Version);
        Assert.Equal(2, _server.IndexReads);
        Assert.Equal(1, _server.NotModified);
        Assert.True(_server.Requests.Last(r => r.Path.EndsWith("index.yaml", StringComparison.Ordinal)).Conditional);

        // The 304 restarted the window; a changed index is read in full once it has passed.
        _server.Publish("dep", [.. Versions, "1.9.0"]);
        Assert.Equal("1.3.1", (await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct)).Version);
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal("1.9.0", (await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct)).Version);
        Assert.Equal(3, _server.IndexReads);
        Assert.Equal(1, _server.NotModified);
        Assert.Equal(5, _server.Downloads); // 1.3.1, 1.2.0, 1.2.5, 2.0.0, then 1.9.0
    }

    [Fact]
    public async Task An_index_sent_again_unchanged_without_validators_is_not_read_again()
    {
        _server.Publish("dep", Versions);
        var time = new FakeTimeProvider();
        var logger = new ListLogger<HelmRepoSource>();
        using var source = new HelmRepoSource(new HelmRepoSourceOptions { CacheRoot = _cache.Path }, logger, time);
        await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct);

        // No ETag, no Last-Modified: the whole index comes back each window, the same bytes.
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("1.3.1", (await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct)).Version);
        Assert.Equal(2, _server.IndexReads);
        Assert.Equal(0, _server.NotModified);
        Assert.Single(logger.Lines, l => l.Contains("Read Helm repository index", StringComparison.Ordinal));
        Assert.Single(logger.Lines, l => l.Contains("sent again unchanged", StringComparison.Ordinal));

        // Different bytes are read.
        _server.Publish("dep", [.. Versions, "1.9.0"]);
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("1.9.0", (await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct)).Version);
        Assert.Equal(2, logger.Lines.Count(l => l.Contains("Read Helm repository index", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Last_modified_revalidates_an_index_without_an_etag()
    {
        _server.Publish("dep", Versions);
        _server.LastModified = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider();
        using var source = Source(time: time);
        await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct);

        time.Advance(TimeSpan.FromMinutes(10));
        await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct);

        Assert.Equal(2, _server.IndexReads);
        Assert.Equal(1, _server.NotModified);
        Assert.Equal(1, _server.Downloads);
    }

    [Fact]
    public async Task A_plain_refresh_revalidates_now_and_a_hard_refresh_reads_the_index_in_full()
    {
        _server.Publish("dep", Versions);
        _server.SendETag = true;
        using var source = Source();
        await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct);

        // Within the window: a plain refresh asks the server (conditionally), and sees nothing new.
        Assert.Equal("1.3.1", (await source.FetchAsync(Repo(), "dep", "^1.0.0", HelmIndexFreshness.Revalidate, Ct)).Version);
        Assert.Equal(1, _server.NotModified);

        // A new version: the cached index hides it until a refresh.
        _server.Publish("dep", [.. Versions, "1.5.0"]);
        Assert.Equal("1.3.1", (await source.FetchAsync(Repo(), "dep", "^1.0.0", Ct)).Version);
        Assert.Equal("1.5.0", (await source.FetchAsync(Repo(), "dep", "^1.0.0", HelmIndexFreshness.Revalidate, Ct)).Version);

        // A hard refresh sends no validator, so the whole index comes back even though it has not changed.
        var artifact = await source.FetchAsync(Repo(), "dep", "^1.0.0", HelmIndexFreshness.Reload, Ct);

        Assert.Equal("1.5.0", artifact.Version);
        var reads = _server.Requests.Where(r => r.Path.EndsWith("index.yaml", StringComparison.Ordinal)).Select(r => r.Conditional).ToList();
        Assert.Equal([false, true, true, false], reads);
        Assert.Equal(1, _server.NotModified);
        Assert.Equal(2, _server.Downloads);
    }

    [Fact]
    public async Task A_hard_refresh_checks_the_cached_archive_again_and_replaces_one_that_changed_on_disk()
    {
        var archives = _server.Publish("dep", ["1.0.0"]);
        using var source = Source();
        var first = await source.FetchAsync(Repo(), "dep", "1.0.0", Ct);
        await File.WriteAllTextAsync(first.Path, "tampered", Ct);

        // Checked once per process: a steady state does not hash the archive again...
        Assert.Equal(first, await source.FetchAsync(Repo(), "dep", "1.0.0", Ct));
        Assert.Equal(1, _server.Downloads);

        // ...a hard refresh does, and downloads it again.
        var reloaded = await source.FetchAsync(Repo(), "dep", "1.0.0", HelmIndexFreshness.Reload, Ct);

        Assert.Equal(2, _server.Downloads);
        Assert.Equal(archives["1.0.0"], await File.ReadAllBytesAsync(reloaded.Path, Ct));
        Assert.Equal("1.0.0", await ChartVersionAsync(reloaded));
    }

    [Fact]
    public async Task A_non_vendored_dependency_is_fetched_and_rendered()
    {
        _server.Publish("dep", Versions);
        using var chart = new TempDirectory("helmrepo-app");
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "testdata", "helmrepo", "app"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(chart.Path, Path.GetRelativePath(Path.Combine(AppContext.BaseDirectory, "testdata", "helmrepo", "app"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, File.ReadAllText(file).Replace("REPO_URL", _server.Url.AbsoluteUri, StringComparison.Ordinal));
        }

        using var source = Source();
        var renderer = new HelmRenderer();
        var unfetched = await Assert.ThrowsAsync<HelmException>(() => renderer.RenderAsync(chart.Path, new HelmRenderOptions(), Ct));

        var fetched = await source.FetchMissingDependenciesAsync(chart.Path, url => new HelmRepoConnection { Url = url }, Ct);
        var release = await renderer.RenderAsync(chart.Path, new HelmRenderOptions { FetchedDependencies = fetched }, Ct);

        Assert.Contains("missing in charts/ directory: dep", unfetched.Message, StringComparison.Ordinal);
        Assert.Equal(
            "---\n# Source: app/charts/dep/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release-name-dep\ndata:\n  version: \"1.3.1\"\n  greeting: hi from app\n"
            + "---\n# Source: app/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: release-name-app\nspec:\n  ports:\n    - port: 80\n",
            HelmTemplateOutput.Format(release));
    }

    [Fact]
    public async Task A_vendored_dependency_is_not_fetched()
    {
        using var chart = new TempDirectory("helmrepo-vendored");
        Directory.CreateDirectory(chart.Combine("charts"));
        File.WriteAllText(chart.Combine("Chart.yaml"), $"apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: dep\n    version: ^1.0.0\n    repository: {_server.Url}\n");
        File.WriteAllBytes(chart.Combine("charts", "dep-1.0.0.tgz"), HelmRepoServer.Package("dep", "1.0.0"));
        using var source = Source();

        Assert.Empty(await source.FetchMissingDependenciesAsync(chart.Path, url => new HelmRepoConnection { Url = url }, Ct));
        Assert.Empty(_server.Requests);
    }
}

/// <summary>HTTPS repositories: a private CA given as PEM is trusted; anything else is refused.</summary>
public sealed class HelmRepositoryTlsTests : IAsyncLifetime
{
    private readonly TempDirectory _cache = new("helmrepo-tls");
    private readonly TestCertificates _certs = new("keelson");
    private readonly TestCertificates _other = new("other");
    private HelmRepoServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await HelmRepoServer.StartAsync(_certs.Server, Ct);
        _server.Publish("dep", ["1.0.0"]);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _certs.Dispose();
        _other.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task A_repository_signed_by_the_given_ca_is_trusted()
    {
        using var source = new HelmRepoSource(new HelmRepoSourceOptions { CacheRoot = _cache.Path });

        var artifact = await source.FetchAsync(new HelmRepoConnection { Url = _server.Url, CaPem = _certs.CaPem }, "dep", "1.0.0", Ct);

        Assert.Equal("https", _server.Url.Scheme);
        Assert.Equal("1.0.0", artifact.Version);
    }

    [Fact]
    public async Task A_repository_signed_by_an_unknown_ca_is_refused()
    {
        using var source = new HelmRepoSource(new HelmRepoSourceOptions { CacheRoot = _cache.Path });

        var system = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(new HelmRepoConnection { Url = _server.Url }, "dep", "1.0.0", Ct));
        var other = await Assert.ThrowsAsync<SourceException>(() => source.FetchAsync(new HelmRepoConnection { Url = _server.Url, CaPem = _other.CaPem }, "dep", "1.0.0", Ct));

        Assert.Equal(SourceErrorReason.Unreachable, system.Reason);
        Assert.Equal($"GET {_server.Url}index.yaml: the server's TLS certificate is not trusted (set a CA certificate for this repository) (tried again after a pause of up to 2 min, or at once on a refresh)", system.Message);
        Assert.Equal(SourceErrorReason.Unreachable, other.Reason);
        Assert.Equal($"GET {_server.Url}index.yaml: the server's TLS certificate is not trusted by the repository's CA certificate (tried again after a pause of up to 2 min, or at once on a refresh)", other.Message);
        Assert.Empty(_server.Requests);
    }
}
