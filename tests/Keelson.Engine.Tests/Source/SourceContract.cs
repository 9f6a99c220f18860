using Keelson.Engine.Source;
using Keelson.Testing;
using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Source;

/// <summary>
/// What every transport must do, run once per URL form (file://, git://, http://, https://, ssh://, scp-like, and
/// ssh with protocol v0): every revision form resolves to the right commit and files, nothing is fetched while
/// nothing changes, and concurrent requests share one ls-remote, one fetch and one extraction.
/// </summary>
public abstract class SourceContract
{
    private protected abstract Task<GitRepo> CreateRepoAsync(string name);

    private protected abstract string UrlOf(GitRepo repo);

    private protected virtual GitCredentials? Credentials => null;

    private protected virtual IReadOnlyList<string> SshOptions => [];

    private protected SourceHarness NewHarness(Func<GitSourceOptions, GitSourceOptions>? configure = null, TimeProvider? time = null) =>
        SourceHarness.Create(configure, time, SshOptions);

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private protected static string NewName() => "repo-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Every_revision_form_resolves_to_its_commit_and_files()
    {
        using var repo = await CreateRepoAsync(NewName());
        var c0 = await repo.Write("app.yaml", "zero").CommitAsync("zero", Ct);
        var c1 = await repo.Write("app.yaml", "one").CommitAsync("one", Ct);
        await repo.TagAsync("light", cancellationToken: Ct);
        var c2 = await repo.Write("app.yaml", "two").CommitAsync("two: the second commit", Ct);
        await repo.TagAsync("v1", "release one", cancellationToken: Ct);
        await repo.BranchAsync("feature", cancellationToken: Ct);
        var c3 = await repo.Write("app.yaml", "three").CommitAsync("three", Ct);
        await repo.CheckoutAsync("feature", Ct);
        var c4 = await repo.Write("app.yaml", "feature").CommitAsync("feature work", Ct);
        await repo.CheckoutAsync("main", Ct);
        var url = UrlOf(repo);
        // One ls-remote for all the cases: this test is about resolution, and SSH connections are slow to set up.
        await using var h = NewHarness(o => o with { LsRemoteCacheTtl = TimeSpan.FromMinutes(10) });

        (string Revision, string Sha, string Content)[] cases =
        [
            ("HEAD", c3, "three"),
            ("main", c3, "three"),
            ("refs/heads/main", c3, "three"),
            ("feature", c4, "feature"),
            ("v1", c2, "two"),
            ("refs/tags/v1", c2, "two"),
            ("light", c1, "one"),
            (c0, c0, "zero"),
            (c0[..9], c0, "zero"),
            (c3[..7], c3, "three"),
            (c2.ToUpperInvariant(), c2, "two"),
        ];
        foreach (var (revision, sha, content) in cases)
        {
            var (commit, text) = await h.ReadAsync(url, revision, "app.yaml", Credentials);
            Assert.True(sha == commit.Sha, $"{revision}: expected {sha}, got {commit.Sha}");
            Assert.Equal(content, text);
        }

        var (info, _) = await h.ReadAsync(url, "v1", "app.yaml", Credentials);
        Assert.Equal(new CommitInfo(c2, "two: the second commit", GitRepo.AuthorName, GitRepo.AuthorEmail, GitRepo.FirstCommitDate.AddMinutes(2)), info);
    }

    [Fact]
    public async Task Steady_state_fetches_nothing_and_a_new_commit_is_picked_up_after_the_ttl()
    {
        using var repo = await CreateRepoAsync(NewName());
        var first = await repo.Write("app.yaml", "v1").CommitAsync("first", Ct);
        var url = UrlOf(repo);
        var clock = new FakeTimeProvider();
        await using var h = NewHarness(o => o with { LsRemoteCacheTtl = TimeSpan.FromSeconds(5) }, clock);

        Assert.Equal(first, (await h.ReadAsync(url, "main", "app.yaml", Credentials)).Commit.Sha);
        var fetches = h.Fetches;
        Assert.True(fetches >= 1);

        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(6));
            Assert.Equal(first, (await h.ReadAsync(url, "main", "app.yaml", Credentials)).Commit.Sha);
        }

        Assert.Equal(fetches, h.Fetches);
        Assert.Equal(4, h.LsRemotes);
        Assert.Equal(1, h.Extractions);

        var second = await repo.Write("app.yaml", "v2").CommitAsync("second", Ct);
        Assert.Equal(first, (await h.ReadAsync(url, "main", "app.yaml", Credentials)).Commit.Sha);
        clock.Advance(TimeSpan.FromSeconds(6));
        var (commit, content) = await h.ReadAsync(url, "main", "app.yaml", Credentials);
        Assert.Equal(second, commit.Sha);
        Assert.Equal("v2", content);
        Assert.Equal(2, h.Extractions);
    }

    [Fact]
    public async Task Concurrent_requests_share_one_ls_remote_one_fetch_and_one_tree()
    {
        using var repo = await CreateRepoAsync(NewName());
        await repo.Write("app.yaml", "v1").CommitAsync("first", Ct);
        var url = UrlOf(repo);
        await using var h = NewHarness();

        var snapshots = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => h.ResolveAsync(url, "main", Credentials)));

        Assert.Equal(1, h.LsRemotes);
        Assert.Equal(1, h.Fetches);
        Assert.Equal(1, h.Extractions);
        Assert.Single(snapshots.Select(s => s.RootPath).Distinct());
        foreach (var snapshot in snapshots)
        {
            snapshot.Dispose();
        }
    }

    [Fact]
    public async Task An_unknown_revision_is_reported_as_not_found()
    {
        using var repo = await CreateRepoAsync(NewName());
        await repo.Write("app.yaml", "v1").CommitAsync("first", Ct);
        await using var h = NewHarness();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(UrlOf(repo), "no-such-branch", Credentials));

        Assert.Equal(SourceErrorReason.RevisionNotFound, ex.Reason);
        Assert.Contains("no-such-branch", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class FileSourceContractTests : SourceContract
{
    private protected override Task<GitRepo> CreateRepoAsync(string name) => GitRepo.CreateAsync(cancellationToken: Ct);

    private protected override string UrlOf(GitRepo repo) => repo.FileUrl;
}

public sealed class DaemonSourceContractTests(DaemonFixture fixture) : SourceContract, IClassFixture<DaemonFixture>
{
    private protected override Task<GitRepo> CreateRepoAsync(string name) => fixture.Server.CreateRepoAsync(name, Ct);

    private protected override string UrlOf(GitRepo repo) => fixture.Server.Url(repo);
}

public sealed class HttpSourceContractTests(HttpFixture fixture) : SourceContract, IClassFixture<HttpFixture>
{
    private protected override Task<GitRepo> CreateRepoAsync(string name) => fixture.Server.CreateRepoAsync(name, Ct);

    private protected override string UrlOf(GitRepo repo) => fixture.Server.Url(repo);
}

/// <summary>HTTPS with basic auth: the private location, trusted through the server's own certificate.</summary>
public sealed class HttpsSourceContractTests(HttpFixture fixture) : SourceContract, IClassFixture<HttpFixture>
{
    private protected override GitCredentials? Credentials => new()
    {
        Username = fixture.Server.Username,
        Password = fixture.Server.Password,
        CaCertificate = fixture.Server.CaCertificate,
    };

    private protected override Task<GitRepo> CreateRepoAsync(string name) => fixture.Server.CreateRepoAsync(name, Ct);

    private protected override string UrlOf(GitRepo repo) => fixture.Server.Url(repo, authenticated: true, https: true);
}

public sealed class SshSourceContractTests(SshFixture fixture) : SourceContract, IClassFixture<SshFixture>
{
    private protected override GitCredentials? Credentials => new() { SshPrivateKey = fixture.Server.ClientPrivateKey, KnownHosts = fixture.Server.KnownHosts };

    private protected override Task<GitRepo> CreateRepoAsync(string name) => fixture.Server.CreateRepoAsync(name, Ct);

    private protected override string UrlOf(GitRepo repo) => fixture.Server.Url(repo);
}

/// <summary>scp-like <c>user@host:path</c> cannot name a port; the test tells ssh the port through an extra option.</summary>
public sealed class ScpLikeSourceContractTests(SshFixture fixture) : SourceContract, IClassFixture<SshFixture>
{
    private protected override GitCredentials? Credentials => new() { SshPrivateKey = fixture.Server.ClientPrivateKey, KnownHosts = fixture.Server.KnownHosts };

    private protected override IReadOnlyList<string> SshOptions => ["-o", "Port=" + fixture.Server.Port];

    private protected override Task<GitRepo> CreateRepoAsync(string name) => fixture.Server.CreateRepoAsync(name, Ct);

    private protected override string UrlOf(GitRepo repo) => fixture.Server.ScpUrl(repo);
}

/// <summary>SSH without GIT_PROTOCOL: protocol v0 refuses commits that are not advertised, so the fallbacks are used.</summary>
public sealed class SshV0SourceContractTests(SshV0Fixture fixture) : SourceContract, IClassFixture<SshV0Fixture>
{
    private protected override GitCredentials? Credentials => new() { SshPrivateKey = fixture.Server.ClientPrivateKey, KnownHosts = fixture.Server.KnownHosts };

    private protected override Task<GitRepo> CreateRepoAsync(string name) => fixture.Server.CreateRepoAsync(name, Ct);

    private protected override string UrlOf(GitRepo repo) => fixture.Server.Url(repo);
}
