using System.Security.Cryptography;
using System.Text;
using Keelson.Engine.Render.Helm;
using Keelson.Engine.Source;
using Keelson.Engine.Source.Helm;
using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Source;

/// <summary>
/// Chart.lock and requirements.lock, as <c>helm dependency build</c> (what Argo CD runs for a missing dependency)
/// reads them: the locked versions are installed, and a lock whose digest no longer matches Chart.yaml is refused.
/// </summary>
public sealed class HelmLockFileTests : IAsyncLifetime
{
    // Chart.yaml's range, which allows both published versions; '<' and '>' are escaped in Helm's digest.
    private const string Range = ">=1.0.0 <2.0.0";
    private const string RangeJson = "\\u003e=1.0.0 \\u003c2.0.0";

    private readonly TempDirectory _cache = new("helmlock-cache");
    private readonly TempDirectory _chart = new("helmlock-app");
    private HelmRepoServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Url => _server.Url.AbsoluteUri;

    public async ValueTask InitializeAsync()
    {
        _server = await HelmRepoServer.StartAsync(null, Ct);
        _server.Publish("dep", ["1.0.0", "1.1.0"]);
        File.WriteAllText(_chart.Combine("values.yaml"), "dep:\n  greeting: hi\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _chart.Dispose();
        _cache.Dispose();
    }

    /// <summary>"sha256:" and the hex SHA-256 of the JSON Helm's resolver hashes, written out by hand here.</summary>
    private static string Digest(string json) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    private string LockedDigest(string range) =>
        Digest($"[[{{\"name\":\"dep\",\"version\":\"{range}\",\"repository\":\"{Url}\"}}],[{{\"name\":\"dep\",\"version\":\"1.0.0\",\"repository\":\"{Url}\"}}]]");

    private void WriteChart(string range, string apiVersion = "v2", string file = "Chart.yaml")
    {
        var dependencies = $"dependencies:\n  - name: dep\n    version: \"{range}\"\n    repository: {Url}\n";
        if (file == "Chart.yaml")
        {
            File.WriteAllText(_chart.Combine("Chart.yaml"), $"apiVersion: {apiVersion}\nname: app\nversion: 0.1.0\n{dependencies}");
        }
        else
        {
            File.WriteAllText(_chart.Combine("Chart.yaml"), $"apiVersion: {apiVersion}\nname: app\nversion: 0.1.0\n");
            File.WriteAllText(_chart.Combine(file), dependencies);
        }
    }

    private void WriteLock(string digest, string file = "Chart.lock") =>
        File.WriteAllText(_chart.Combine(file), $"dependencies:\n- name: dep\n  repository: {Url}\n  version: 1.0.0\ndigest: {digest}\ngenerated: \"2026-01-01T00:00:00Z\"\n");

    private async Task<string> RenderedVersionAsync()
    {
        using var source = new HelmRepoSource(new HelmRepoSourceOptions { CacheRoot = _cache.Path });
        var fetched = await source.FetchMissingDependenciesAsync(_chart.Path, url => new HelmRepoConnection { Url = url }, Ct);
        var release = await new HelmRenderer().RenderAsync(_chart.Path, new HelmRenderOptions { FetchedDependencies = fetched }, Ct);
        var configMap = Assert.Single(release.Manifests, m => m.Kind == "ConfigMap");
        var line = configMap.Content.Split('\n').Single(l => l.TrimStart().StartsWith("version:", StringComparison.Ordinal));
        return line.Split(':', 2)[1].Trim().Trim('"');
    }

    private async Task<SourceException> OutOfSyncAsync()
    {
        using var source = new HelmRepoSource(new HelmRepoSourceOptions { CacheRoot = _cache.Path });
        return await Assert.ThrowsAsync<SourceException>(() => source.FetchMissingDependenciesAsync(_chart.Path, url => new HelmRepoConnection { Url = url }, Ct));
    }

    [Fact]
    public async Task Without_a_lock_file_the_highest_version_the_range_allows_is_rendered()
    {
        WriteChart(Range);

        Assert.Equal("1.1.0", await RenderedVersionAsync());
    }

    [Fact]
    public async Task An_empty_lock_file_is_no_lock_and_the_range_decides()
    {
        // sigs.k8s.io/yaml reads an empty file as null, which leaves Helm's chart.Lock nil: no digest to refuse.
        WriteChart(Range);
        File.WriteAllText(_chart.Combine("Chart.lock"), "# written by hand\n");

        Assert.Equal("1.1.0", await RenderedVersionAsync());
    }

    [Fact]
    public async Task A_lock_file_in_sync_with_Chart_yaml_pins_the_version_that_is_rendered()
    {
        WriteChart(Range);
        WriteLock(LockedDigest(RangeJson));

        Assert.Equal("1.0.0", await RenderedVersionAsync());
        Assert.DoesNotContain(_server.Requests, r => r.Path.EndsWith("dep-1.1.0.tgz", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lock_file_out_of_sync_with_Chart_yaml_is_refused_with_helms_message_and_nothing_is_fetched()
    {
        // The range changed after `helm dependency update` wrote the lock.
        WriteChart("^1.0.0");
        WriteLock(LockedDigest(RangeJson));

        var error = await OutOfSyncAsync();

        Assert.Equal("chart \"app\": the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies", error.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task An_out_of_sync_lock_does_not_matter_when_every_dependency_is_vendored()
    {
        // Argo CD runs helm dependency build (which checks the lock) only when a dependency is missing.
        WriteChart("^1.0.0");
        WriteLock("sha256:0000");
        Directory.CreateDirectory(_chart.Combine("charts"));
        File.WriteAllBytes(_chart.Combine("charts", "dep-1.1.0.tgz"), HelmRepoServer.Package("dep", "1.1.0"));

        Assert.Equal("1.1.0", await RenderedVersionAsync());
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task The_pipeline_reports_an_out_of_sync_lock_as_a_source_error()
    {
        WriteChart(Range);
        WriteLock(LockedDigest("^1.0.0"));
        using var repositories = new HelmRepoSource(new HelmRepoSourceOptions { CacheRoot = _cache.Path });
        var charts = new ChartSource(repositories, _cache.Path);

        var error = await Assert.ThrowsAsync<SourceException>(() => charts.DependenciesAsync(new SourceRequest { RepoUrl = "file:///unused" }, _chart.Path, Ct));

        Assert.Contains("the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_v1_chart_with_a_requirements_lock_written_by_helm_2_installs_the_locked_version()
    {
        // Helm 2 hashed only {"dependencies": requirements}; Helm 3 accepts that digest for apiVersion v1 charts.
        WriteChart(Range, "v1", "requirements.yaml");
        WriteLock(Digest($"{{\"dependencies\":[{{\"name\":\"dep\",\"version\":\"{RangeJson}\",\"repository\":\"{Url}\"}}]}}"), "requirements.lock");

        Assert.Equal("1.0.0", await RenderedVersionAsync());
    }

    [Fact]
    public async Task A_v1_chart_with_a_requirements_lock_written_by_helm_3_installs_the_locked_version()
    {
        WriteChart(Range, "v1", "requirements.yaml");
        WriteLock(LockedDigest(RangeJson), "requirements.lock");

        Assert.Equal("1.0.0", await RenderedVersionAsync());
    }

    [Fact]
    public async Task A_v1_chart_with_an_out_of_sync_requirements_lock_is_refused_naming_requirements_files()
    {
        WriteChart("^1.0.0", "v1", "requirements.yaml");
        WriteLock(LockedDigest(RangeJson), "requirements.lock");

        var error = await OutOfSyncAsync();

        Assert.Equal("chart \"app\": the lock file (requirements.lock) is out of sync with the dependencies file (requirements.yaml). Please update the dependencies", error.Message);
    }

    [Fact]
    public void The_digest_helm_wrote_into_a_public_charts_lock_is_reproduced()
    {
        // rabbitmq's Chart.lock was written by `helm dependency update`; its Chart.yaml says 0.x.x, the lock 0.0.1.
        var chart = ChartLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "testdata", "charts", "rabbitmq"));

        var lockFile = Assert.IsType<ChartLock>(chart.Lock);
        Assert.Equal("sha256:9b94fb845e81f4f099d6223f7fbe8b63a1d242e4bdbff8aa2867e91fc16b87cd", lockFile.Digest);
        Assert.Equal(lockFile.Digest, ChartLock.Hash(chart.Metadata.Dependencies!, lockFile.Dependencies));
        Assert.Null(lockFile.OutOfSync(chart.Metadata));
    }

    [Fact]
    public void Every_field_of_a_dependency_counts_in_the_digest_as_encoding_json_writes_it()
    {
        // Fields in chart.Dependency's order, empty ones left out, import-values maps with sorted keys.
        File.WriteAllText(_chart.Combine("Chart.yaml"), "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n"
            + "  - alias: other\n    import-values:\n      - data\n      - {parent: p, child: c}\n    tags: [front, back]\n    condition: dep.enabled\n"
            + "    repository: https://example.com/charts\n    version: '~1.2 && <1.3'\n    name: dep\n");
        var chart = ChartLoader.LoadDirectory(_chart.Path);

        var hash = ChartLock.Hash(chart.Metadata.Dependencies!, []);

        Assert.Equal(
            Digest("[[{\"name\":\"dep\",\"version\":\"~1.2 \\u0026\\u0026 \\u003c1.3\",\"repository\":\"https://example.com/charts\",\"condition\":\"dep.enabled\","
                + "\"tags\":[\"front\",\"back\"],\"import-values\":[\"data\",{\"child\":\"c\",\"parent\":\"p\"}],\"alias\":\"other\"}],[]]"),
            hash);
    }
}
