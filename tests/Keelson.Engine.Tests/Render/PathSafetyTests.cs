using Keelson.Engine.Render;

namespace Keelson.Engine.Tests.Render;

/// <summary>Nothing outside the repository is ever read: not through the app path, not through a symbolic link.</summary>
public sealed class PathSafetyTests : IDisposable
{
    private readonly TempRepo _repo = new();
    private readonly ManifestRenderer _renderer = new();

    public PathSafetyTests()
    {
        _repo.Write("app/web.yaml", TempRepo.ConfigMap("web"));
        File.WriteAllText(Path.Combine(_repo.Parent, "secret.yaml"), TempRepo.ConfigMap("stolen"));
        Directory.CreateDirectory(Path.Combine(_repo.Parent, "elsewhere"));
        File.WriteAllText(Path.Combine(_repo.Parent, "elsewhere", "x.yaml"), TempRepo.ConfigMap("stolen-too"));
    }

    public void Dispose() => _repo.Dispose();

    [Theory]
    [InlineData("..")]
    [InlineData("../repo/app")]
    [InlineData("app/../../elsewhere")]
    public async Task An_app_path_that_climbs_out_is_refused(string path)
    {
        var error = await Assert.ThrowsAsync<RenderException>(() => Render(path));

        Assert.Equal($"The app path '{path}' leaves the repository ('..' above its root).", error.Message);
    }

    [Fact]
    public async Task Dot_dot_that_stays_inside_is_allowed()
    {
        var result = await Render("app/../app");

        Assert.Equal(["web"], DirectoryRenderTests.Names(result));
    }

    [Fact]
    public async Task An_absolute_app_path_is_refused()
    {
        var error = await Assert.ThrowsAsync<RenderException>(() => Render(Path.Combine(_repo.Parent, "elsewhere")));

        Assert.Contains("is absolute", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_app_path_says_so()
    {
        var error = await Assert.ThrowsAsync<RenderException>(() => Render("apps/missing"));

        Assert.Equal("The app path 'apps/missing' does not exist in the repository.", error.Message);
    }

    [Fact]
    public async Task A_file_link_out_of_the_repository_is_an_error_not_a_skip()
    {
        _repo.Link("app/secret.yaml", Path.Combine(_repo.Parent, "secret.yaml"));

        var error = await Assert.ThrowsAsync<RenderException>(() => Render("app"));

        Assert.Equal("app/secret.yaml", error.File);
        Assert.StartsWith("app/secret.yaml: symbolic link points outside the repository", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relative_link_out_of_the_repository_is_caught()
    {
        _repo.Link("app/secret.yaml", "../../secret.yaml");

        var error = await Assert.ThrowsAsync<RenderException>(() => Render("app"));

        Assert.Equal("app/secret.yaml", error.File);
    }

    [Fact]
    public async Task A_link_out_through_a_linked_directory_is_caught()
    {
        // app/inner -> repo root (inside), app/x.yaml -> inner/../../secret.yaml: resolving component by component
        // goes through the link and then above the repository.
        _repo.Link("app/inner", _repo.Root);
        _repo.Link("app/x.yaml", "inner/../secret.yaml");

        var error = await Assert.ThrowsAsync<RenderException>(() => Render("app"));

        Assert.Equal("app/x.yaml", error.File);
    }

    [Theory]
    [InlineData("app/vendor", false)]
    [InlineData("app/vendor", true)]
    [InlineData("app/sub/vendor", true)]
    public async Task A_directory_link_out_of_the_repository_is_an_error_with_or_without_recurse(string link, bool recurse)
    {
        _repo.Link(link, Path.Combine(_repo.Parent, "elsewhere"));

        var error = await Assert.ThrowsAsync<RenderException>(() => Render("app", new DirectoryOptions { Recurse = recurse }));

        Assert.Equal(link, error.File);
    }

    [Fact]
    public async Task A_link_out_of_the_repository_is_an_error_even_when_it_is_not_a_manifest_name()
    {
        _repo.Link("app/passwd", "/etc/passwd");

        var error = await Assert.ThrowsAsync<RenderException>(() => Render("app"));

        Assert.Equal("app/passwd", error.File);
    }

    [Fact]
    public async Task An_app_path_that_is_a_link_out_of_the_repository_is_refused()
    {
        _repo.Link("apps/escape", Path.Combine(_repo.Parent, "elsewhere"));

        var error = await Assert.ThrowsAsync<RenderException>(() => Render("apps/escape"));

        Assert.Equal("The app path 'apps/escape' leads outside the repository through a symbolic link.", error.Message);
    }

    [Fact]
    public async Task Links_inside_the_repository_work_for_files_and_are_not_followed_for_directories()
    {
        _repo.Write("shared/common.yaml", TempRepo.ConfigMap("common"));
        _repo.Link("app/common.yaml", "../shared/common.yaml");
        _repo.Link("app/shared", "../shared");
        _repo.Link("app/loop", ".");

        var result = await Render("app", new DirectoryOptions { Recurse = true });

        Assert.Equal(["app/common.yaml#0 ConfigMap/common", "app/web.yaml#0 ConfigMap/web"], DirectoryRenderTests.Describe(result));
    }

    [Fact]
    public async Task A_dangling_link_inside_the_repository_is_skipped()
    {
        _repo.Link("app/gone.yaml", "../nowhere/gone.yaml");

        var result = await Render("app");

        Assert.Equal(["web"], DirectoryRenderTests.Names(result));
    }

    [Fact]
    public async Task A_dangling_link_pointing_outside_is_still_an_error()
    {
        _repo.Link("app/gone.yaml", Path.Combine(_repo.Parent, "nowhere", "gone.yaml"));

        var error = await Assert.ThrowsAsync<RenderException>(() => Render("app"));

        Assert.Equal("app/gone.yaml", error.File);
    }

    [Fact]
    public async Task A_repository_reached_through_a_link_is_judged_by_its_real_path()
    {
        var alias = Path.Combine(_repo.Parent, "alias");
        Directory.CreateSymbolicLink(alias, _repo.Root);
        _repo.Link("app/inside.yaml", Path.Combine(_repo.Root, "app", "web.yaml"));

        var result = await _renderer.RenderAsync(new RenderRequest { RepoRoot = alias, Path = "app" }, TestContext.Current.CancellationToken);

        Assert.Equal(["web", "web"], DirectoryRenderTests.Names(result));
    }

    private Task<RenderResult> Render(string path, DirectoryOptions? options = null) =>
        _renderer.RenderAsync(new RenderRequest { RepoRoot = _repo.Root, Path = path, Directory = options ?? new() }, TestContext.Current.CancellationToken);
}
