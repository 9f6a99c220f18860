using Keelson.Engine.Source;
using Keelson.Testing;
using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Source;

/// <summary>Behaviour of the cache, the trees and the safety rules, over file:// (the same code serves every transport).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GitSourceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_hard_refresh_sees_a_new_commit_within_the_ttl()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        var first = await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        var clock = new FakeTimeProvider();
        await using var h = SourceHarness.Create(o => o with { LsRemoteCacheTtl = TimeSpan.FromMinutes(5) }, clock);

        Assert.Equal(first, (await h.ReadAsync(repo.FileUrl, "main", "a.yaml")).Commit.Sha);
        var second = await repo.Write("a.yaml", "2").CommitAsync("second", Ct);
        Assert.Equal(first, (await h.ReadAsync(repo.FileUrl, "main", "a.yaml")).Commit.Sha);

        var (commit, content) = await h.ReadAsync(repo.FileUrl, "main", "a.yaml", hard: true);

        Assert.Equal(second, commit.Sha);
        Assert.Equal("2", content);
        // The hard answer is now what everyone else gets too.
        Assert.Equal(second, (await h.ReadAsync(repo.FileUrl, "main", "a.yaml")).Commit.Sha);
        Assert.Equal(2, h.LsRemotes);
    }

    [Fact]
    public async Task Requests_for_the_same_commit_share_one_extracted_tree()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        var sha = await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await repo.TagAsync("v1", cancellationToken: Ct);
        await using var h = SourceHarness.Create();

        using var byBranch = await h.ResolveAsync(repo.FileUrl, "main");
        using var byTag = await h.ResolveAsync(repo.FileUrl, "v1");
        using var bySha = await h.ResolveAsync(repo.FileUrl, sha);

        Assert.Equal(byBranch.RootPath, byTag.RootPath);
        Assert.Equal(byBranch.RootPath, bySha.RootPath);
        Assert.Equal(1, h.Extractions);
        Assert.Equal(1, h.Fetches);
        Assert.Equal("v1", byTag.Revision);
        Assert.Equal(repo.FileUrl, byTag.RepoUrl);
    }

    [Fact]
    public async Task The_tree_holds_exactly_the_committed_files()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        repo.Write("deploy/app.yaml", "kind: ConfigMap\r\n")
            .Write("deploy/nested/deep.yaml", "deep")
            .Write("run.sh", "#!/bin/sh\n")
            .Write("gone.yaml", "soon deleted")
            // Attributes that would change files in a checkout or an archive must not apply.
            .Write(".gitattributes", "*.yaml text eol=crlf\nexport.txt export-ignore\nsubst.txt export-subst\n")
            .Write("export.txt", "kept")
            .Write("subst.txt", "$Format:%H$");
        await repo.CommitAsync("files", Ct);
        File.SetUnixFileMode(Path.Combine(repo.Path, "run.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(Path.Combine(repo.Path, "link.yaml"), "deploy/app.yaml");
        repo.Delete("gone.yaml");
        var sha = await repo.CommitAsync("more", Ct);
        await using var h = SourceHarness.Create();

        using var snapshot = await h.ResolveAsync(repo.FileUrl, sha);

        var root = snapshot.RootPath;
        var files = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([".gitattributes", "deploy", "deploy/app.yaml", "deploy/nested", "deploy/nested/deep.yaml", "export.txt", "link.yaml", "run.sh", "subst.txt"], files);
        // As stored (git add normalised the line ending); a checkout would have turned it into CRLF.
        Assert.Equal("kind: ConfigMap\n", await File.ReadAllTextAsync(Path.Combine(root, "deploy/app.yaml"), Ct));
        Assert.Equal("$Format:%H$", await File.ReadAllTextAsync(Path.Combine(root, "subst.txt"), Ct));
        Assert.Equal("deploy/app.yaml", new FileInfo(Path.Combine(root, "link.yaml")).LinkTarget);
        Assert.True(File.GetUnixFileMode(Path.Combine(root, "run.sh")).HasFlag(UnixFileMode.UserExecute));
        Assert.False(File.GetUnixFileMode(Path.Combine(root, "deploy/nested/deep.yaml")).HasFlag(UnixFileMode.UserWrite));
        Assert.False(File.GetUnixFileMode(Path.Combine(root, "deploy/app.yaml")).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public async Task A_revert_restores_the_previous_files_under_a_new_commit()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        await repo.Write("a.yaml", "good").CommitAsync("good", Ct);
        var bad = await repo.Write("a.yaml", "bad").Write("b.yaml", "extra").CommitAsync("bad", Ct);
        await using var h = SourceHarness.Create();
        Assert.Equal("bad", (await h.ReadAsync(repo.FileUrl, "main", "a.yaml")).Content);

        var revert = await repo.RevertHeadAsync(Ct);
        var (commit, content) = await h.ReadAsync(repo.FileUrl, "main", "a.yaml", hard: true);
        var (_, extra) = await h.ReadAsync(repo.FileUrl, "main", "b.yaml");

        Assert.Equal(revert, commit.Sha);
        Assert.NotEqual(bad, commit.Sha);
        Assert.Equal("good", content);
        Assert.Null(extra);
        Assert.Equal($"Revert \"bad\"", commit.Subject);
    }

    [Fact]
    public async Task Old_trees_are_collected_but_never_one_in_use()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        var shas = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            shas.Add(await repo.Write("a.yaml", i.ToString(System.Globalization.CultureInfo.InvariantCulture)).CommitAsync($"c{i}", Ct));
        }

        await using var h = SourceHarness.Create(o => o with { MaxTrees = 2 });
        var held = await h.ResolveAsync(repo.FileUrl, shas[0]);
        foreach (var sha in shas.Skip(1))
        {
            (await h.ResolveAsync(repo.FileUrl, sha)).Dispose();
        }

        var trees = Path.GetDirectoryName(held.RootPath)!;
        Assert.True(Directory.Exists(held.RootPath), "a tree in use was deleted");
        Assert.Equal("0", await File.ReadAllTextAsync(Path.Combine(held.RootPath, "a.yaml"), Ct));
        Assert.Equal(Sorted(shas[0], shas[3]), TreeNames(trees));

        held.Dispose();
        (await h.ResolveAsync(repo.FileUrl, shas[2])).Dispose();

        Assert.Equal(Sorted(shas[2], shas[3]), TreeNames(trees));
        Assert.Equal(3, h.Count("keelson.source.trees.evicted"));
    }

    [Fact]
    public async Task Trees_on_disk_are_reused_after_a_restart()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        using var cache = new TempDirectory("keelson-cache");
        var options = new GitSourceOptions { CacheRoot = cache.Path };

        string root;
        await using (var first = new GitSource(options, new ListLogger<GitSource>(), TimeProvider.System))
        {
            using var snapshot = await first.ResolveAsync(new SourceRequest { RepoUrl = repo.FileUrl }, Ct);
            root = snapshot.RootPath;
        }

        var started = new List<GitInvocation>();
        await using var second = new GitSource(options, new ListLogger<GitSource>(), TimeProvider.System, null, new GitHooks { Started = started.Add });
        using var again = await second.ResolveAsync(new SourceRequest { RepoUrl = repo.FileUrl }, Ct);

        Assert.Equal(root, again.RootPath);
        Assert.DoesNotContain(started, i => i.Arguments.Contains("fetch") || i.Arguments.Contains("cat-file") && i.Arguments.Contains("--batch"));
    }

    [Fact]
    public async Task A_tree_deleted_from_disk_is_extracted_again()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var h = SourceHarness.Create();
        string root;
        using (var first = await h.ResolveAsync(repo.FileUrl))
        {
            root = first.RootPath;
        }

        Directory.Delete(root, recursive: true);
        var (_, content) = await h.ReadAsync(repo.FileUrl, "main", "a.yaml");

        Assert.Equal("1", content);
        Assert.Equal(2, h.Extractions);
        Assert.Equal(1, h.Fetches);
    }

    [Fact]
    public async Task One_cache_root_cannot_be_used_by_two_sources_at_once()
    {
        using var cache = new TempDirectory("keelson-cache");
        var options = new GitSourceOptions { CacheRoot = cache.Path };
        await using var first = new GitSource(options, new ListLogger<GitSource>(), TimeProvider.System);

        var ex = Assert.Throws<InvalidOperationException>(() => new GitSource(options, new ListLogger<GitSource>(), TimeProvider.System));

        Assert.Contains(cache.Path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hooks_never_run_neither_the_remote_repositorys_nor_any_planted_in_the_cache()
    {
        using var marks = new TempDirectory("keelson-hooks");
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        var first = await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        var second = await repo.Write("a.yaml", "2").CommitAsync("second", Ct);
        var third = await repo.Write("a.yaml", "3").CommitAsync("third", Ct);
        var hooks = marks.Combine("hooks");
        Directory.CreateDirectory(hooks);
        string[] names = ["reference-transaction", "post-checkout", "post-merge", "post-index-change", "pre-auto-gc", "post-rewrite", "fsmonitor-watchman", "update", "post-update"];
        foreach (var name in names)
        {
            var hook = Path.Combine(hooks, name);
            await File.WriteAllTextAsync(hook, $"#!/bin/sh\ntouch '{marks.Combine("ran-" + name)}'\nexit 0\n", Ct);
            File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // The served repository runs them for plain git...
        await repo.GitAsync(["config", "core.hooksPath", hooks], Ct);
        await repo.GitAsync(["config", "core.fsmonitor", Path.Combine(hooks, "fsmonitor-watchman")], Ct);
        await repo.GitAsync(["update-ref", "refs/probe", "HEAD"], Ct);
        Assert.True(File.Exists(marks.Combine("ran-reference-transaction")), "the hooks are not live, so this test would prove nothing");
        File.Delete(marks.Combine("ran-reference-transaction"));

        await using var h = SourceHarness.Create();
        (await h.ResolveAsync(repo.FileUrl, first)).Dispose();

        // ...and so does the cache's own repository once they are planted there.
        var cacheRepo = Path.Combine(h.CacheRoot, "repos", RepoUrl.Parse(repo.FileUrl, true).CacheKey, "repo.git");
        await GitCli.RunAsync(cacheRepo, ["config", "core.hooksPath", hooks], cancellationToken: Ct);
        await GitCli.RunAsync(cacheRepo, ["update-ref", "refs/probe", first], cancellationToken: Ct);
        Assert.True(File.Exists(marks.Combine("ran-reference-transaction")), "the planted hook is not live, so this test would prove nothing");
        File.Delete(marks.Combine("ran-reference-transaction"));

        (await h.ResolveAsync(repo.FileUrl, second)).Dispose();
        (await h.ResolveAsync(repo.FileUrl, third[..10])).Dispose();
        (await h.ResolveAsync(repo.FileUrl, "main", hard: true)).Dispose();

        Assert.Empty(Directory.EnumerateFiles(marks.Path, "ran-*"));
        Assert.Equal(3, h.Extractions);
        Assert.True(h.Fetches >= 3);
    }

    [Theory]
    [InlineData("ext::sh -c touch% /tmp/keelson-ext-marker")]
    [InlineData("fd::17")]
    [InlineData("ftp://127.0.0.1/repo.git")]
    [InlineData("-uhelp")]
    public async Task Dangerous_transports_are_refused_before_git_runs(string url)
    {
        await using var h = SourceHarness.Create();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(url));

        Assert.Contains(ex.Reason, new[] { SourceErrorReason.ProtocolNotAllowed, SourceErrorReason.InvalidUrl });
        Assert.Empty(h.Invocations);
        Assert.False(File.Exists("/tmp/keelson-ext-marker"));
    }

    [Fact]
    public async Task Every_git_process_runs_isolated_and_non_interactive()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var h = SourceHarness.Create();

        (await h.ResolveAsync(repo.FileUrl, "main")).Dispose();

        Assert.NotEmpty(h.Invocations);
        foreach (var run in h.Invocations)
        {
            var env = run.Environment;
            Assert.Equal("0", env["GIT_TERMINAL_PROMPT"]);
            Assert.Equal("1", env["GIT_CONFIG_NOSYSTEM"]);
            Assert.Equal("/dev/null", env["GIT_CONFIG_GLOBAL"]);
            Assert.StartsWith(h.CacheRoot, env["HOME"], StringComparison.Ordinal);
            Assert.False(env.ContainsKey("SSH_ASKPASS"));
            Assert.Contains("BatchMode=yes", env["GIT_SSH_COMMAND"], StringComparison.Ordinal);
            Assert.Contains("core.hooksPath=/dev/null", run.Arguments);
            Assert.Contains("submodule.recurse=false", run.Arguments);
            Assert.Contains(env["GIT_ALLOW_PROTOCOL"], new[] { "file", "none" });
        }
    }

    [Fact]
    public async Task A_file_url_into_the_cache_itself_is_refused()
    {
        await using var h = SourceHarness.Create();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync("file://" + Path.Combine(h.CacheRoot, "repos")));

        Assert.Equal(SourceErrorReason.ProtocolNotAllowed, ex.Reason);
    }

    [Fact]
    public async Task File_urls_can_be_turned_off()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var h = SourceHarness.Create(o => o with { AllowFileUrls = false });

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(repo.FileUrl));

        Assert.Equal(SourceErrorReason.ProtocolNotAllowed, ex.Reason);
    }

    [Fact]
    public async Task A_ref_list_or_tree_above_the_limits_is_refused()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        await repo.Write("big.yaml", new string('x', 4096)).CommitAsync("big", Ct);
        for (var i = 0; i < 10; i++)
        {
            await repo.TagAsync($"tag-{i}", cancellationToken: Ct);
        }

        await using (var small = SourceHarness.Create(o => o with { MaxOutputBytes = 300 }))
        {
            var ex = await Assert.ThrowsAsync<SourceException>(() => small.ResolveAsync(repo.FileUrl));
            Assert.Equal(SourceErrorReason.TooLarge, ex.Reason);
        }

        await using var h = SourceHarness.Create(o => o with { MaxTreeBytes = 1000 });
        var tree = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(repo.FileUrl));
        Assert.Equal(SourceErrorReason.TooLarge, tree.Reason);
        Assert.Contains("1000", tree.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.Combine(h.CacheRoot, "repos"), "*", SearchOption.AllDirectories), d => Path.GetFileName(d).StartsWith(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_empty_repository_says_so()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        await using var h = SourceHarness.Create();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(repo.FileUrl));

        Assert.Equal(SourceErrorReason.RevisionNotFound, ex.Reason);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_repository_is_unreachable()
    {
        await using var h = SourceHarness.Create();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync("file:///nonexistent/keelson/repo"));

        Assert.Equal(SourceErrorReason.Unreachable, ex.Reason);
        Assert.Contains("/nonexistent/keelson/repo", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-n")]
    [InlineData("main..dev")]
    [InlineData("HEAD~1")]
    [InlineData("main^{tree}")]
    [InlineData("a b")]
    [InlineData("feature/")]
    public async Task A_malformed_revision_is_refused(string revision)
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var h = SourceHarness.Create();

        var ex = await Assert.ThrowsAsync<SourceException>(() => h.ResolveAsync(repo.FileUrl, revision));

        Assert.Equal(SourceErrorReason.InvalidRevision, ex.Reason);
        Assert.Empty(h.Invocations);
    }

    [Fact]
    public async Task Cancelling_one_caller_does_not_fail_the_others_sharing_its_fetch()
    {
        using var repo = await GitRepo.CreateAsync(cancellationToken: Ct);
        await repo.Write("a.yaml", "1").CommitAsync("first", Ct);
        await using var h = SourceHarness.Create();
        using var cancelled = new CancellationTokenSource();

        var impatient = h.Source.ResolveAsync(new SourceRequest { RepoUrl = repo.FileUrl }, cancelled.Token);
        var patient = h.ResolveAsync(repo.FileUrl);
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        using var snapshot = await patient;
        Assert.Equal("1", await File.ReadAllTextAsync(Path.Combine(snapshot.RootPath, "a.yaml"), Ct));
    }

    private static string[] Sorted(params string[] names) => [.. names.Order(StringComparer.Ordinal)];

    private static string[] TreeNames(string trees) =>
        [.. Directory.EnumerateDirectories(trees).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
}
