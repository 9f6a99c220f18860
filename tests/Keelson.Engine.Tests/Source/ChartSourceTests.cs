using Keelson.Engine.Diff;
using Keelson.Engine.Render;
using Keelson.Engine.Render.Helm;
using Keelson.Engine.Source;
using Keelson.Kubernetes;
using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Source;

/// <summary>
/// The pipeline reading Helm repositories served by Kestrel on 127.0.0.1: charts in Git whose dependencies are not
/// vendored, and charts as sources, synced by a real <see cref="SyncEngine"/> into the API server simulator.
/// </summary>
public sealed class ChartSourceTests : IAsyncLifetime
{
    private const string User = "reader";
    private const string Password = "s3cret-dep-pa55";

    private readonly TempDirectory _helmCache = new("chartsource-cache");
    private readonly List<IAsyncDisposable> _disposables = [];
    private HelmRepoServer _server = null!;
    private SyncHarness _h = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await HelmRepoServer.StartAsync(null, Ct);
        _h = await SyncHarness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables)
        {
            await d.DisposeAsync();
        }

        await _h.DisposeAsync();
        await _server.DisposeAsync();
        _helmCache.Dispose();
    }

    private SyncEngine Engine()
    {
        var live = new LiveCache(_h.Client);
        _disposables.Add(live);
        return new SyncEngine(_h.Client, _h.Source, new ManifestRenderer(), live, new SyncEngineOptions { HelmCacheDirectory = _helmCache.Path });
    }

    /// <summary>Commits testdata/helmrepo/app (a chart depending on "dep" ^1.0.0 from the test repository) under app/.</summary>
    private async Task CommitAppAsync()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "testdata", "helmrepo", "app");
        foreach (var file in Directory.GetFiles(dir, "*", SearchOption.AllDirectories))
        {
            var text = (await File.ReadAllTextAsync(file, Ct)).Replace("REPO_URL", _server.Url.AbsoluteUri, StringComparison.Ordinal);
            _h.Repo.Write("app/" + Path.GetRelativePath(dir, file).Replace('\\', '/'), text);
        }

        await _h.Repo.CommitAsync("app depends on dep", Ct);
    }

    private SyncRequest AppRequest(params RepositoryCredentials[] credentials) => _h.Request(path: "app", createNamespace: true) with
    {
        Source = new SourceRequest { RepoUrl = _h.Repo.FileUrl, Revision = "main", DependencyCredentials = credentials },
        Render = new RenderOptions { Path = "app", Helm = new HelmSourceOptions { ReleaseName = "web", Namespace = SyncHarness.Destination } },
    };

    private static RepositoryCredentials Credentials(string url, string user, string password) =>
        new() { Url = url, Credentials = new GitCredentials { Username = user, Password = password } };

    [Fact]
    public async Task A_dependency_from_an_authenticated_repository_is_fetched_with_the_credentials_of_the_longest_matching_url()
    {
        _server.Publish("dep", ["1.0.0", "1.3.1", "2.0.0"]);
        _server.RequiredAuth = (User, Password);
        await CommitAppAsync();
        var root = _server.Url.GetLeftPart(UriPartial.Authority) + "/";

        // The entry for the whole host has the wrong password; the one for /charts, longer, has the right one.
        var result = await Engine().SyncAsync(AppRequest(Credentials(root, User, "not-it"), Credentials(root + "charts", User, Password)), Ct);

        Assert.Null(result.Error);
        Assert.Equal(SyncStatus.Synced, result.Sync);
        var data = (await _h.GetAsync(ApiResource.ConfigMaps, SyncHarness.Destination, "web-dep"))?["data"];
        Assert.Equal("1.3.1", data?["version"]?.GetValue<string>());
        Assert.Equal("hi from app", data?["greeting"]?.GetValue<string>());
        Assert.NotNull(await _h.GetAsync(ApiResource.Services, SyncHarness.Destination, "web-app"));
        Assert.All(_server.Requests, r => Assert.True(r.Authorized));
    }

    [Fact]
    public async Task Wrong_or_missing_dependency_credentials_fail_the_source_naming_the_repository_but_never_the_password()
    {
        _server.Publish("dep", ["1.0.0"]);
        _server.RequiredAuth = (User, Password);
        await CommitAppAsync();
        var engine = Engine();

        var wrong = await engine.SyncAsync(AppRequest(Credentials(_server.Url.AbsoluteUri, User, "wrong-pa55")), Ct);
        var none = await engine.SyncAsync(AppRequest(), Ct);

        Assert.Equal(SyncStage.Source, wrong.Error?.Stage);
        Assert.Equal(nameof(SourceErrorReason.AuthenticationFailed), wrong.Error?.Reason);
        Assert.Equal(
            $"dependency \"dep\" of chart \"app\": GET {_server.Url}index.yaml: 401 Unauthorized (the repository refused the credentials) (tried again after a pause of up to 2 min, or at once on a refresh)",
            wrong.Error?.Message);
        Assert.Equal(
            $"dependency \"dep\" of chart \"app\": GET {_server.Url}index.yaml: 401 Unauthorized (the repository needs credentials) (tried again after a pause of up to 2 min, or at once on a refresh)",
            none.Error?.Message);
        Assert.DoesNotContain("pa55", wrong.ToString(), StringComparison.Ordinal);
        Assert.Empty(wrong.Resources);
        Assert.Null(await _h.GetAsync(ApiResource.Services, SyncHarness.Destination, "web-app"));
    }

    [Fact]
    public async Task A_dependency_whose_archive_does_not_match_the_index_digest_applies_nothing()
    {
        var wrong = string.Concat(Enumerable.Repeat("0badc0de", 8));
        _server.Publish("dep", ["1.0.0"], _ => wrong);
        await CommitAppAsync();

        var result = await Engine().SyncAsync(AppRequest(), Ct);

        Assert.Equal(SyncStage.Source, result.Error?.Stage);
        Assert.StartsWith($"dependency \"dep\" of chart \"app\": chart \"dep\" 1.0.0 from {_server.Url}archives/dep-1.0.0.tgz failed its integrity check", result.Error?.Message, StringComparison.Ordinal);
        Assert.Contains($"the repository index says {wrong}", result.Error?.Message, StringComparison.Ordinal);
        Assert.Equal(0, result.Counts.Created);
        Assert.Null(await _h.GetAsync(ApiResource.Services, SyncHarness.Destination, "web-app"));
        Assert.Null(await _h.GetAsync(ApiResource.Namespaces, null, SyncHarness.Destination));
        Assert.Empty(Directory.GetFiles(_helmCache.Path, "*.tgz", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Apps_on_one_helm_repository_read_its_index_once_until_a_refresh()
    {
        _server.Publish("dep", ["1.0.0", "1.3.1"]);
        _server.SendETag = true;
        var engine = Engine();
        SyncRequest Request(int app, bool fresh = false, bool hard = false) => new()
        {
            Owner = $"keelson/app{app}",
            Source = new SourceRequest { RepoUrl = _server.Url.AbsoluteUri, Chart = "dep", Revision = "^1.0.0", FreshRefs = fresh, Hard = hard },
            Render = new RenderOptions { Helm = new HelmSourceOptions { ReleaseName = $"app{app}", Namespace = SyncHarness.Destination } },
            DestinationNamespace = SyncHarness.Destination,
            Mode = SyncMode.Compare,
        };

        for (var round = 0; round < 3; round++)
        {
            for (var app = 0; app < 5; app++)
            {
                var result = await engine.SyncAsync(Request(app), Ct);
                Assert.Null(result.Error);
                Assert.Equal("1.3.1", result.Revision);
            }
        }

        Assert.Equal(1, _server.IndexReads);
        Assert.Equal(1, _server.Downloads);

        // A plain refresh asks now, conditionally; a hard one reads the whole index again and sees the new version.
        Assert.Null((await engine.SyncAsync(Request(0, fresh: true), Ct)).Error);
        _server.Publish("dep", ["1.0.0", "1.3.1", "1.4.0"]);
        Assert.Equal("1.3.1", (await engine.SyncAsync(Request(1), Ct)).Revision);
        Assert.Equal("1.4.0", (await engine.SyncAsync(Request(1, fresh: true, hard: true), Ct)).Revision);

        Assert.Equal([false, true, false], _server.Requests.Where(r => r.Path.EndsWith("index.yaml", StringComparison.Ordinal)).Select(r => r.Conditional));
        Assert.Equal(1, _server.NotModified);
    }

    [Fact]
    public async Task A_chart_source_and_its_dependency_in_the_same_private_repository_share_the_source_credentials()
    {
        _server.Publish("dep", ["1.0.0"]);
        _server.Publish("app", ["0.1.0"]);
        _server.RequiredAuth = (User, Password);
        var request = new SyncRequest
        {
            Owner = SyncHarness.Owner,
            Source = new SourceRequest { RepoUrl = _server.Url.AbsoluteUri, Chart = "app", Credentials = new GitCredentials { Username = User, Password = Password } },
            Render = new RenderOptions { Helm = new HelmSourceOptions { ReleaseName = "web", Namespace = SyncHarness.Destination } },
            DestinationNamespace = SyncHarness.Destination,
            Options = new SyncOptions { CreateNamespace = true },
            Mode = SyncMode.Sync,
        };

        var result = await Engine().SyncAsync(request, Ct);

        Assert.Null(result.Error);
        Assert.Equal("0.1.0", result.Revision);
        Assert.Equal("1.0.0", (await _h.GetAsync(ApiResource.ConfigMaps, SyncHarness.Destination, "web-dep"))?["data"]?["version"]?.GetValue<string>());
        Assert.Equal(2, _server.Downloads);
    }

    [Theory]
    [InlineData("https://charts.example.com/team/stable", "team")]
    [InlineData("https://charts.example.com/team", "team")]
    [InlineData("https://CHARTS.example.com/team/", "team")]
    [InlineData("https://charts.example.com/teamwork", "host")]
    [InlineData("https://charts.example.com/", "host")]
    [InlineData("http://charts.example.com/team", "none")]
    [InlineData("https://charts.example.com:8443/team", "none")]
    [InlineData("https://private.example.com/charts/", "source")]
    [InlineData("https://private.example.com/charts/sub", "none")]
    public void A_dependency_repository_gets_the_credentials_of_the_longest_matching_url_else_the_source_s_own(string repository, string expected)
    {
        var request = new SourceRequest
        {
            RepoUrl = "https://private.example.com/charts",
            Chart = "app",
            Credentials = new GitCredentials { Username = "source", Password = "p1" },
            DependencyCredentials =
            [
                Credentials("https://charts.example.com", "host", "p2"),
                Credentials("https://charts.example.com/team/", "team", "p3"),
            ],
        };

        var connection = ChartSource.ConnectionFor(request, new Uri(repository));

        Assert.Equal(expected == "none" ? null : expected, connection.Username);
        Assert.Equal(new Uri(repository), connection.Url);
    }
}
