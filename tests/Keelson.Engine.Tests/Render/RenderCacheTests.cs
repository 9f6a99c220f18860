using Keelson.Engine.Render;
using Keelson.Testing;

namespace Keelson.Engine.Tests.Render;

public sealed class RenderCacheTests : IDisposable
{
    private readonly TempRepo _repo = new();

    public RenderCacheTests()
    {
        _repo.Write("app/a.yaml", TempRepo.ConfigMap("a"));
        _repo.Write("app/sub/b.yaml", TempRepo.ConfigMap("b"));
        _repo.Write("other/c.yaml", TempRepo.ConfigMap("c"));
    }

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task The_same_key_returns_the_same_result_without_reading_the_files_again()
    {
        var renderer = new ManifestRenderer();
        var first = await Render(renderer, "app", "repo@1");
        File.Delete(Path.Combine(_repo.Root, "app", "a.yaml"));

        var second = await Render(renderer, "app", "repo@1");

        Assert.Same(first, second);
        Assert.Equal(["a"], DirectoryRenderTests.Names(second));
    }

    [Fact]
    public async Task A_hard_refresh_renders_again_and_replaces_the_cached_result()
    {
        var renderer = new ManifestRenderer();
        var first = await Render(renderer, "app", "repo@1");
        _repo.Write("app/a2.yaml", TempRepo.ConfigMap("a2"));

        var hard = await Render(renderer, "app", "repo@1", hard: true);
        var after = await Render(renderer, "app", "repo@1");

        Assert.NotSame(first, hard);
        Assert.Equal(["a", "a2"], DirectoryRenderTests.Names(hard));
        Assert.Same(hard, after);
    }

    [Fact]
    public async Task Commit_path_and_options_are_all_part_of_the_key()
    {
        var renderer = new ManifestRenderer();
        var plain = await Render(renderer, "app", "repo@1");
        var recursive = await Render(renderer, "app", "repo@1", new DirectoryOptions { Recurse = true });
        var narrowed = await Render(renderer, "app", "repo@1", new DirectoryOptions { Recurse = true, Exclude = "sub/*" });
        var otherPath = await Render(renderer, "other", "repo@1");
        _repo.Write("app/new.yaml", TempRepo.ConfigMap("new"));
        var otherCommit = await Render(renderer, "app", "repo@2");

        Assert.Equal(["a"], DirectoryRenderTests.Names(plain));
        Assert.Equal(["a", "b"], DirectoryRenderTests.Names(recursive));
        Assert.Equal(["a"], DirectoryRenderTests.Names(narrowed));
        Assert.Equal(["c"], DirectoryRenderTests.Names(otherPath));
        Assert.Equal(["a", "new"], DirectoryRenderTests.Names(otherCommit));
        Assert.Equal(5, renderer.CachedCount);
    }

    [Fact]
    public async Task Equivalent_spellings_of_a_path_share_an_entry()
    {
        var renderer = new ManifestRenderer();

        var first = await Render(renderer, "app", "repo@1");
        var second = await Render(renderer, "./app/", "repo@1");

        Assert.Same(first, second);
    }

    [Fact]
    public async Task Without_a_cache_key_nothing_is_cached()
    {
        var renderer = new ManifestRenderer();
        await Render(renderer, "app", null);
        _repo.Write("app/a2.yaml", TempRepo.ConfigMap("a2"));

        var second = await Render(renderer, "app", null);

        Assert.Equal(["a", "a2"], DirectoryRenderTests.Names(second));
        Assert.Equal(0, renderer.CachedCount);
    }

    [Fact]
    public async Task The_least_recently_used_render_is_evicted_past_the_entry_limit()
    {
        var renderer = new ManifestRenderer(new RenderSettings { CacheEntries = 2 });
        var one = await Render(renderer, "app", "repo@1");
        var two = await Render(renderer, "app", "repo@2");
        Assert.Same(one, await Render(renderer, "app", "repo@1"));

        await Render(renderer, "app", "repo@3");

        Assert.Equal(2, renderer.CachedCount);
        Assert.Same(one, await Render(renderer, "app", "repo@1"));
        Assert.NotSame(two, await Render(renderer, "app", "repo@2"));
    }

    [Fact]
    public async Task Renders_are_evicted_past_the_byte_limit()
    {
        // Each ConfigMap file is 51 bytes: two fit in 120, three do not.
        var renderer = new ManifestRenderer(new RenderSettings { CacheBytes = 120 });
        var one = await Render(renderer, "app", "repo@1");
        await Render(renderer, "app", "repo@2");
        await Render(renderer, "app", "repo@3");

        Assert.Equal(2, renderer.CachedCount);
        Assert.NotSame(one, await Render(renderer, "app", "repo@1"));
    }

    [Fact]
    public async Task A_failed_render_is_not_cached()
    {
        var renderer = new ManifestRenderer();
        _repo.Write("app/bad.yaml", "kind: [\n");
        await Assert.ThrowsAsync<RenderException>(() => Render(renderer, "app", "repo@1"));
        File.Delete(Path.Combine(_repo.Root, "app", "bad.yaml"));

        var result = await Render(renderer, "app", "repo@1");

        Assert.Equal(["a"], DirectoryRenderTests.Names(result));
    }

    [Fact]
    public async Task Concurrent_renders_of_one_key_share_one_render()
    {
        Tools.Require("kubectl", "kubectl 1.14 or later, which includes kustomize (https://kubernetes.io/docs/tasks/tools/)");
        var renderer = new ManifestRenderer();
        var request = new RenderRequest { RepoRoot = TempRepo.Fixtures, Path = "kustomize/overlays/prod", CacheKey = "fixtures@1" };

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => renderer.RenderAsync(request, TestContext.Current.CancellationToken)));

        Assert.All(results, r => Assert.Same(results[0], r));
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_cancel_the_others()
    {
        Tools.Require("kubectl", "kubectl 1.14 or later, which includes kustomize (https://kubernetes.io/docs/tasks/tools/)");
        var renderer = new ManifestRenderer();
        var request = new RenderRequest { RepoRoot = TempRepo.Fixtures, Path = "kustomize/overlays/prod", CacheKey = "fixtures@2" };
        using var impatient = new CancellationTokenSource();

        var abandoned = renderer.RenderAsync(request, impatient.Token);
        var patient = renderer.RenderAsync(request, TestContext.Current.CancellationToken);
        await impatient.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal(2, (await patient).Objects.Count);
    }

    private Task<RenderResult> Render(ManifestRenderer renderer, string path, string? key, DirectoryOptions? options = null, bool hard = false) =>
        renderer.RenderAsync(
            new RenderRequest { RepoRoot = _repo.Root, Path = path, CacheKey = key, Directory = options ?? new(), Hard = hard },
            TestContext.Current.CancellationToken);
}
