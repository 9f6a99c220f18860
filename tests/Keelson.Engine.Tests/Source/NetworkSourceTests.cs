using Keelson.Engine.Source;
using Keelson.Testing;
using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Source;

/// <summary>git:// specifics: what is fetched, what happens when the server goes away or hangs.</summary>
public sealed class DaemonSourceTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_the_needed_commit_is_fetched()
    {
        using var repo = await fixture.Server.CreateRepoAsync("only-" + Guid.NewGuid().ToString("N")[..8], Ct);
        var c0 = await repo.Write("a.yaml", "0").Write("old.yaml", new string('o', 2000)).CommitAsync("c0", Ct);
        var c1 = await repo.Write("a.yaml", "1").Delete("old.yaml").CommitAsync("c1", Ct);
        var c2 = await repo.Write("a.yaml", "2").CommitAsync("c2", Ct);
        await using var h = SourceHarness.Create();
        var cache = Path.Combine(h.CacheRoot, "repos", RepoUrl.Parse(fixture.Server.Url(repo), false).CacheKey, "repo.git");

        Assert.Equal("2", (await h.ReadAsync(fixture.Server.Url(repo), "main", "a.yaml")).Content);

        Assert.True(await HasAsync(cache, c2));
        Assert.False(await HasAsync(cache, c1), "the parent commit was fetched too");
        Assert.False(await HasAsync(cache, c0), "history was fetched");
        Assert.True(File.Exists(Path.Combine(cache, "shallow")));

        Assert.Equal("0", (await h.ReadAsync(fixture.Server.Url(repo), c0, "a.yaml")).Content);
        Assert.False(await HasAsync(cache, c1), "a commit between two asked-for ones was fetched");
        Assert.Equal(2, h.Fetches);
    }

    [Fact]
    public async Task A_stopped_server_is_unreachable_and_the_files_already_handed_out_stay()
    {
        await using var server = await GitDaemonServer.StartAsync(Ct);
        using var repo = await server.CreateRepoAsync("gone", Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var h = SourceHarness.Create();
        using var before = await h.ResolveAsync(server.Url(repo));

        await server.StopAsync();
        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(server.Url(repo), hard: true));

        Assert.Equal(SourceErrorReason.Unreachable, ex.Reason);
        Assert.Contains(server.Url(repo), ex.Message, StringComparison.Ordinal);
        Assert.Equal("1", await File.ReadAllTextAsync(Path.Combine(before.RootPath, "a.yaml"), Ct));

        await server.RestartAsync(Ct);
        await repo.Write("a.yaml", "2").CommitAsync("second", Ct);
        Assert.Equal("2", (await h.ReadAsync(server.Url(repo), "main", "a.yaml", hard: true)).Content);
    }

    [Fact]
    public async Task A_repository_the_server_does_not_have_is_unreachable()
    {
        await using var h = SourceHarness.Create();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync($"git://127.0.0.1:{fixture.Server.Port}/no-such-repo"));

        Assert.Equal(SourceErrorReason.Unreachable, ex.Reason);
    }

    [Fact]
    public async Task A_hanging_server_is_cut_off_at_the_timeout_and_git_is_killed()
    {
        using var silent = new SilentServer();
        await using var h = SourceHarness.Create(o => o with { CommandTimeout = TimeSpan.FromSeconds(2) });

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync($"git://127.0.0.1:{silent.Port}/repo"));

        Assert.Equal(SourceErrorReason.Timeout, ex.Reason);
        Assert.True(silent.Connections >= 1);
        var git = Assert.Single(h.Invocations, i => i.Arguments.Contains("ls-remote"));
        Assert.False(Processes.IsAlive(git.ProcessId));
    }

    private static async Task<bool> HasAsync(string gitDir, string sha)
    {
        try
        {
            await GitCli.RunAsync(gitDir, ["cat-file", "-e", sha + "^{commit}"], cancellationToken: Ct);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>HTTP(S) specifics: authentication, secrets, certificates, hanging servers.</summary>
public sealed class HttpSourceTests(HttpFixture fixture) : IClassFixture<HttpFixture>
{
    private const string WrongPassword = "Wr0ng-Secret-7f3a9c";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GitCredentials Right => new() { Username = fixture.Server.Username, Password = fixture.Server.Password };

    [Fact]
    public async Task A_private_repository_needs_the_right_credentials()
    {
        using var repo = await fixture.Server.CreateRepoAsync("auth-" + Guid.NewGuid().ToString("N")[..8], Ct);
        await repo.Write("a.yaml", "secret stuff").CommitAsync("first", Ct);
        var url = fixture.Server.Url(repo, authenticated: true);
        await using var h = SourceHarness.Create();

        var none = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url));
        var wrong = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url, credentials: Right with { Password = WrongPassword }));
        var (_, content) = await h.ReadAsync(url, "main", "a.yaml", Right);

        Assert.Equal(SourceErrorReason.AuthenticationFailed, none.Reason);
        Assert.Equal(SourceErrorReason.AuthenticationFailed, wrong.Reason);
        Assert.Contains(url, wrong.Message, StringComparison.Ordinal);
        Assert.Equal("secret stuff", content);
    }

    [Fact]
    public async Task Secrets_never_reach_arguments_environment_messages_or_logs()
    {
        using var repo = await fixture.Server.CreateRepoAsync("leak-" + Guid.NewGuid().ToString("N")[..8], Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        var url = fixture.Server.Url(repo, authenticated: true);
        await using var h = SourceHarness.Create();

        var wrong = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url, credentials: Right with { Password = WrongPassword }));
        (await h.ResolveAsync(url, credentials: Right)).Dispose();
        var tokenOnly = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url, "main", new GitCredentials { Password = WrongPassword }, hard: true));

        Assert.NotEmpty(h.Invocations);
        foreach (var secret in new[] { fixture.Server.Password, WrongPassword })
        {
            Assert.DoesNotContain(h.EverythingPassedToGit(), value => value.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(h.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, wrong.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, tokenOnly.ToString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Right.ToString(), fixture.Server.Password, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(h.CacheRoot, ".keelson", "tmp")));
    }

    [Fact]
    public async Task Cached_answers_are_not_shared_with_callers_without_the_credentials()
    {
        using var repo = await fixture.Server.CreateRepoAsync("share-" + Guid.NewGuid().ToString("N")[..8], Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        var url = fixture.Server.Url(repo, authenticated: true);
        await using var h = SourceHarness.Create();
        (await h.ResolveAsync(url, credentials: Right)).Dispose();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url));

        Assert.Equal(SourceErrorReason.AuthenticationFailed, ex.Reason);
        Assert.Equal(2, h.LsRemotes);
    }

    [Fact]
    public async Task A_url_carrying_credentials_is_refused_without_showing_them()
    {
        await using var h = SourceHarness.Create();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync($"http://alice:Top-S3cret-Value@127.0.0.1:{fixture.Server.HttpPort}/private/x"));

        Assert.Equal(SourceErrorReason.InvalidUrl, ex.Reason);
        Assert.DoesNotContain("Top-S3cret-Value", ex.Message, StringComparison.Ordinal);
        Assert.Empty(h.Invocations);
    }

    [Fact]
    public async Task Https_is_refused_unless_the_certificate_is_trusted()
    {
        using var repo = await fixture.Server.CreateRepoAsync("tls-" + Guid.NewGuid().ToString("N")[..8], Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var h = SourceHarness.Create();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(fixture.Server.Url(repo, https: true)));
        var (_, content) = await h.ReadAsync(fixture.Server.Url(repo, https: true), "main", "a.yaml", new GitCredentials { CaCertificate = fixture.Server.CaCertificate });

        Assert.Equal(SourceErrorReason.Unreachable, ex.Reason);
        Assert.Contains("certificate", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("1", content);
    }

    [Fact]
    public async Task Nothing_listening_is_unreachable()
    {
        await using var h = SourceHarness.Create();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync($"http://127.0.0.1:{Ports.Free()}/repo"));

        Assert.Equal(SourceErrorReason.Unreachable, ex.Reason);
    }

    [Fact]
    public async Task A_hanging_server_is_cut_off_at_the_timeout_with_every_process_git_started()
    {
        using var silent = new SilentServer();
        await using var h = SourceHarness.Create(o => o with { CommandTimeout = TimeSpan.FromSeconds(3) });

        var resolving = h.ResolveAsync($"http://127.0.0.1:{silent.Port}/repo", credentials: Right);
        // git hands HTTP to a helper process; wait until it is connected, and note the whole tree.
        var tree = await Eventually.WaitAsync(
            _ => Task.FromResult(h.Invocations.FirstOrDefault(i => i.Arguments.Contains("ls-remote")) is { } git ? Processes.Tree(git.ProcessId) : []),
            t => t.Count >= 2 && silent.Connections >= 1,
            "git and its HTTP helper to be connected",
            cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<SourceException>(() => resolving);

        // Every process got SIGKILL before the call returned; on a busy machine the kernel may take a moment to end
        // one, so allow a few seconds (far less than the hang it cut off).
        await Eventually.WaitAsync(() => !tree.Any(Processes.IsAlive), "every process git started to be gone", TimeSpan.FromSeconds(5), cancellationToken: Ct);

        Assert.Equal(SourceErrorReason.Timeout, ex.Reason);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(h.CacheRoot, ".keelson", "tmp")));
    }
}

/// <summary>SSH specifics: keys, host keys, secrets.</summary>
public sealed class SshSourceTests(SshFixture fixture) : IClassFixture<SshFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_known_hosts_the_host_key_is_accepted_on_first_use_and_remembered()
    {
        using var repo = await fixture.Server.CreateRepoAsync("tofu-" + Guid.NewGuid().ToString("N")[..8], Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var h = SourceHarness.Create();

        var (_, content) = await h.ReadAsync(fixture.Server.Url(repo), "main", "a.yaml", new GitCredentials { SshPrivateKey = fixture.Server.ClientPrivateKey });

        Assert.Equal("1", content);
        var remembered = await File.ReadAllTextAsync(Path.Combine(h.CacheRoot, ".keelson", "known_hosts"), Ct);
        Assert.Contains(fixture.Server.KnownHosts, remembered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_key_that_does_not_match_the_known_hosts_is_refused()
    {
        using var repo = await fixture.Server.CreateRepoAsync("hostkey-" + Guid.NewGuid().ToString("N")[..8], Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var h = SourceHarness.Create();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(
            fixture.Server.Url(repo),
            credentials: new GitCredentials { SshPrivateKey = fixture.Server.ClientPrivateKey, KnownHosts = fixture.Server.WrongKnownHosts }));

        Assert.Equal(SourceErrorReason.HostKeyVerificationFailed, ex.Reason);
    }

    [Fact]
    public async Task A_wrong_or_missing_key_fails_authentication_without_showing_the_key()
    {
        using var repo = await fixture.Server.CreateRepoAsync("key-" + Guid.NewGuid().ToString("N")[..8], Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var h = SourceHarness.Create();
        var url = fixture.Server.Url(repo);

        var wrong = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(
            url,
            credentials: new GitCredentials { SshPrivateKey = fixture.Server.UnknownPrivateKey, KnownHosts = fixture.Server.KnownHosts }));
        var none = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url, credentials: new GitCredentials { KnownHosts = fixture.Server.KnownHosts }));
        (await h.ResolveAsync(url, credentials: new GitCredentials { SshPrivateKey = fixture.Server.ClientPrivateKey, KnownHosts = fixture.Server.KnownHosts })).Dispose();

        Assert.Equal(SourceErrorReason.AuthenticationFailed, wrong.Reason);
        Assert.Equal(SourceErrorReason.AuthenticationFailed, none.Reason);
        var keyLines = fixture.Server.UnknownPrivateKey.Split('\n').Concat(fixture.Server.ClientPrivateKey.Split('\n'))
            .Where(l => l.Length >= 16 && !l.StartsWith("-----", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(keyLines);
        foreach (var line in keyLines)
        {
            Assert.DoesNotContain(line, wrong.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(h.EverythingPassedToGit(), value => value.Contains(line, StringComparison.Ordinal));
            Assert.DoesNotContain(h.Logs.Lines, l => l.Contains(line, StringComparison.Ordinal));
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(h.CacheRoot, ".keelson", "tmp")));
    }

    [Fact]
    public async Task Nothing_listening_is_unreachable()
    {
        await using var h = SourceHarness.Create();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(
            $"ssh://{fixture.Server.User}@127.0.0.1:{Ports.Free()}/repo",
            credentials: new GitCredentials { SshPrivateKey = fixture.Server.ClientPrivateKey }));

        Assert.Equal(SourceErrorReason.Unreachable, ex.Reason);
    }
}
