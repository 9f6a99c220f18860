using Keelson.Engine.Source;

namespace Keelson.Engine.Tests.Source;

public sealed class RepoUrlTests
{
    [Theory]
    [InlineData("https://Git.Example.com/team/config.git", "https://git.example.com/team/config.git", "https")]
    [InlineData("https://git.example.com:443/team/config/", "https://git.example.com/team/config", "https")]
    [InlineData("http://127.0.0.1:8080/repo", "http://127.0.0.1:8080/repo", "http")]
    [InlineData("ssh://git@GitHub.com:22/org/repo.git", "ssh://git@github.com/org/repo.git", "ssh")]
    [InlineData("ssh://git@host:2222/~/repo", "ssh://git@host:2222/~/repo", "ssh")]
    [InlineData("git+ssh://git@host/repo", "ssh://git@host/repo", "ssh")]
    [InlineData("git@github.com:org/repo.git", "git@github.com:org/repo.git", "ssh")]
    [InlineData("github.com:org/repo", "github.com:org/repo", "ssh")]
    [InlineData("git://127.0.0.1:9418/repo", "git://127.0.0.1/repo", "git")]
    [InlineData("ssh://git@[::1]:2222/repo", "ssh://git@[::1]:2222/repo", "ssh")]
    [InlineData("file:///srv/git/../git/repo/", "file:///srv/git/repo", "file")]
    [InlineData("  https://host/repo  ", "https://host/repo", "https")]
    public void Accepted_forms_are_normalised(string url, string normalized, string protocol)
    {
        var parsed = RepoUrl.Parse(url, allowFile: true);

        Assert.Equal(normalized, parsed.Normalized);
        Assert.Equal(protocol, parsed.Protocol);
    }

    [Fact]
    public void Spellings_of_one_repository_share_a_cache_key_and_others_do_not()
    {
        var key = RepoUrl.Parse("https://GIT.example.com:443/team/config/", true).CacheKey;

        Assert.Equal(key, RepoUrl.Parse("https://git.example.com/team/config", true).CacheKey);
        Assert.NotEqual(key, RepoUrl.Parse("https://git.example.com/team/other", true).CacheKey);
        Assert.Matches("^[0-9a-f]{32}$", key);
    }

    [Theory]
    [InlineData("ext::sh -c touch% /tmp/x", SourceErrorReason.ProtocolNotAllowed)]
    [InlineData("fd::3", SourceErrorReason.ProtocolNotAllowed)]
    [InlineData("ftp://host/repo", SourceErrorReason.ProtocolNotAllowed)]
    [InlineData("ftps://host/repo", SourceErrorReason.ProtocolNotAllowed)]
    [InlineData("rsync://host/repo", SourceErrorReason.ProtocolNotAllowed)]
    [InlineData("", SourceErrorReason.InvalidUrl)]
    [InlineData("/srv/git/repo", SourceErrorReason.InvalidUrl)]
    [InlineData("./repo", SourceErrorReason.InvalidUrl)]
    [InlineData("https://", SourceErrorReason.InvalidUrl)]
    [InlineData("https://host", SourceErrorReason.InvalidUrl)]
    [InlineData("https://-oProxyCommand=x/repo", SourceErrorReason.InvalidUrl)]
    [InlineData("ssh://-oProxyCommand=touch%20x/repo", SourceErrorReason.InvalidUrl)]
    [InlineData("-oProxyCommand=x:repo", SourceErrorReason.InvalidUrl)]
    [InlineData("host:-repo", SourceErrorReason.InvalidUrl)]
    [InlineData("https://host:99999/repo", SourceErrorReason.InvalidUrl)]
    [InlineData("https://ho st/repo", SourceErrorReason.InvalidUrl)]
    [InlineData("https://host/re\npo", SourceErrorReason.InvalidUrl)]
    [InlineData("file://otherhost/srv/repo", SourceErrorReason.InvalidUrl)]
    public void Unsafe_or_malformed_urls_are_refused(string url, SourceErrorReason reason)
    {
        var ex = Assert.Throws<SourceException>(() => RepoUrl.Parse(url, allowFile: true));

        Assert.Equal(reason, ex.Reason);
    }

    [Theory]
    [InlineData("https://alice:Top-S3cret@host/repo")]
    [InlineData("https://ghp_TokenTokenToken@host/repo")]
    [InlineData("ssh://git:Top-S3cret@host/repo")]
    [InlineData("git://user@host/repo")]
    public void Credentials_in_a_url_are_refused_and_not_repeated(string url)
    {
        var ex = Assert.Throws<SourceException>(() => RepoUrl.Parse(url, allowFile: true));

        Assert.Equal(SourceErrorReason.InvalidUrl, ex.Reason);
        Assert.DoesNotContain("Top-S3cret", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_Token", ex.Message, StringComparison.Ordinal);
        Assert.Contains("***@host", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://host/repo", "http:https")]
    [InlineData("https://host/repo", "https")]
    [InlineData("git@host:repo", "ssh")]
    [InlineData("git://host/repo", "git")]
    [InlineData("file:///srv/repo", "file")]
    public void Git_may_use_only_the_urls_own_transport_or_an_upgrade_to_https(string url, string allowed) =>
        Assert.Equal(allowed, RepoUrl.Parse(url, allowFile: true).AllowedProtocols);

    [Fact]
    public void File_urls_can_be_disabled()
    {
        var ex = Assert.Throws<SourceException>(() => RepoUrl.Parse("file:///srv/repo", allowFile: false));

        Assert.Equal(SourceErrorReason.ProtocolNotAllowed, ex.Reason);
    }
}

public sealed class RemoteRefsTests
{
    private const string Main = "1111111111111111111111111111111111111111";
    private const string Feature = "2222222222222222222222222222222222222222";
    private const string TagObject = "3333333333333333333333333333333333333333";
    private const string Tagged = "4444444444444444444444444444444444444444";
    private const string Clash = "5555555555555555555555555555555555555555";

    // As `git ls-remote --symref` prints it (annotated tag v1 with its peeled line).
    private static readonly RemoteRefs Refs = RemoteRefs.Parse(
        $"ref: refs/heads/main\tHEAD\n{Main}\tHEAD\n{Main}\trefs/heads/main\n{Feature}\trefs/heads/feature/x\n" +
        $"{TagObject}\trefs/tags/v1\n{Tagged}\trefs/tags/v1^{{}}\n{Feature}\trefs/tags/light\n" +
        $"{Clash}\trefs/heads/same\n{Tagged}\trefs/tags/same\n{Main}\trefs/pull/7/head\n");

    [Theory]
    [InlineData("HEAD", Main, "refs/heads/main")]
    [InlineData("main", Main, "refs/heads/main")]
    [InlineData("refs/heads/main", Main, "refs/heads/main")]
    [InlineData("feature/x", Feature, "refs/heads/feature/x")]
    [InlineData("v1", Tagged, "refs/tags/v1")]
    [InlineData("light", Feature, "refs/tags/light")]
    [InlineData("same", Tagged, "refs/tags/same")]
    [InlineData("refs/pull/7/head", Main, "refs/pull/7/head")]
    [InlineData(Feature, Feature, "refs/heads/feature/x")]
    [InlineData("44444444", Tagged, "refs/heads/same")]
    public void Names_resolve_like_git_resolves_them(string revision, string sha, string @ref)
    {
        var tip = Assert.IsType<Resolution.Tip>(Refs.Resolve(revision));

        Assert.Equal(sha, tip.Sha);
        Assert.Equal(sha == Tagged && revision == "44444444" ? "refs/tags/same" : @ref, tip.Ref);
    }

    [Fact]
    public void A_sha_at_no_tip_needs_a_fetch_and_an_abbreviation_needs_history()
    {
        Assert.Equal(new Resolution.Commit("abcdefabcdefabcdefabcdefabcdefabcdefabcd"), Refs.Resolve("ABCDEFabcdefabcdefabcdefabcdefabcdefabcd"));
        Assert.Equal(new Resolution.Abbreviated("abcdef1"), Refs.Resolve("abcdef1"));
        Assert.Null(Refs.Resolve("no-such-branch"));
        Assert.Null(Refs.Resolve("refs/heads/nope"));
    }

    [Fact]
    public void An_empty_or_headless_repository_has_nothing_to_resolve()
    {
        Assert.Null(RemoteRefs.Parse("").Resolve("HEAD"));
        Assert.Equal(0, RemoteRefs.Parse("").Count);
        Assert.Null(RemoteRefs.Parse($"{Main}\trefs/heads/other\n").Resolve("HEAD"));
    }
}

public sealed class SourceTextTests
{
    [Fact]
    public void Secrets_are_scrubbed_from_text_whatever_shape_they_appear_in()
    {
        var secrets = Secrets.Of(new GitCredentials
        {
            Username = "alice",
            Password = "p@ss word/42",
            SshPrivateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n",
        });

        var text = secrets.Scrub("fatal: p@ss word/42 and p%40ss%20word%2F42 at https://alice:x@host/r, key b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ");

        Assert.Equal("fatal: *** and *** at https://***@host/r, key ***", text);
    }

    [Fact]
    public void Credentials_never_print_their_secrets()
    {
        var text = new GitCredentials { Username = "alice", Password = "hunter2-secret", SshPrivateKey = "KEY-MATERIAL", KnownHosts = "host ssh-ed25519 AAAA" }.ToString();
        var request = new SourceRequest { RepoUrl = "https://host/r", Credentials = new GitCredentials { Password = "hunter2-secret" } }.ToString();

        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("KEY-MATERIAL", text, StringComparison.Ordinal);
        Assert.Contains("alice", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", request, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fatal: Authentication failed for 'http://h/r/'", SourceErrorReason.AuthenticationFailed)]
    [InlineData("fatal: could not read Username for 'http://h': terminal prompts disabled", SourceErrorReason.AuthenticationFailed)]
    [InlineData("git@h: Permission denied (publickey).\nfatal: Could not read from remote repository.", SourceErrorReason.AuthenticationFailed)]
    [InlineData("Host key verification failed.\nfatal: Could not read from remote repository.", SourceErrorReason.HostKeyVerificationFailed)]
    [InlineData("fatal: unable to access 'https://h/r/': Could not resolve host: h", SourceErrorReason.Unreachable)]
    [InlineData("fatal: repository 'http://h/r/' not found", SourceErrorReason.Unreachable)]
    [InlineData("fatal: remote error: access denied or repository not exported: /r", SourceErrorReason.Unreachable)]
    [InlineData("fatal: bad object", SourceErrorReason.GitError)]
    public void Git_errors_are_classified(string stderr, SourceErrorReason reason) =>
        Assert.Equal(reason, GitErrors.Classify(stderr));
}
