using System.Text.Json.Nodes;
using Keelson.Engine.Render;

namespace Keelson.Engine.Tests.Render;

public sealed class DirectoryRenderTests
{
    private static readonly ManifestRenderer Renderer = new();

    [Fact]
    public async Task Multi_document_files_yield_every_object_and_drop_empty_documents()
    {
        var result = await Render("multi-doc");

        Assert.Equal("directory", result.Renderer);
        Assert.Equal(
            ["multi-doc/app.yaml#0 ConfigMap/settings", "multi-doc/app.yaml#3 Deployment/web", "multi-doc/service.yml#0 Service/web"],
            Describe(result));
        Assert.Equal(2, result.Objects[1].Object["spec"]!["replicas"]!.GetValue<long>());
    }

    [Fact]
    public async Task Lists_are_flattened_and_kinds_merely_ending_in_List_are_not()
    {
        var result = await Render("list");

        Assert.Equal(
            [
                "list/list.yaml#0 ServiceAccount/deployer", "list/list.yaml#0 Role/deployer",
                "list/list.yaml#1 ConfigMap/first", "list/list.yaml#1 ConfigMap/second",
                "list/not-a-list.yaml#0 AllowList/office",
            ],
            Describe(result));
        Assert.All(result.Objects, o => Assert.Null(o.Object.Parent));
    }

    [Fact]
    public async Task Json_files_hold_one_object_or_a_list()
    {
        var result = await Render("json");

        Assert.Equal(["json/deployment.json#0 Deployment/api", "json/list.json#0 Service/api", "json/list.json#0 ConfigMap/api"], Describe(result));
        Assert.Equal(3, result.Objects[0].Object["spec"]!["replicas"]!.GetValue<long>());
    }

    [Fact]
    public async Task By_default_only_top_level_yaml_yml_and_json_files_are_read()
    {
        var result = await Render("globs");

        Assert.Equal(["a", "b", "c", "skip-me"], Names(result));
    }

    [Fact]
    public async Task Recurse_reads_subdirectories_in_ordinal_path_order()
    {
        var result = await Render("globs", new DirectoryOptions { Recurse = true });

        Assert.Equal(
            ["globs/a.yaml", "globs/b.yml", "globs/c.json", "globs/config/x.yaml", "globs/skip-me.yaml", "globs/sub/d.yaml", "globs/sub/deeper/e.yaml"],
            result.Objects.Select(o => o.SourceFile));
    }

    [Theory]
    [InlineData("*.yaml", "", "a,skip-me,x,d,e")]
    [InlineData("*.{yaml,yml,json}", "skip-*", "a,b,c,x,d,e")]
    [InlineData("{a.yaml,sub/*}", "", "a,d,e")]
    [InlineData("sub/*", "sub/deeper/*", "d")]
    [InlineData("", "*.json", "a,b,x,skip-me,d,e")]
    [InlineData("?.y*ml", "", "a,b")]
    [InlineData("[a-c].*", "[!b]*.json", "a,b")]
    public async Task Include_and_exclude_globs_match_paths_relative_to_the_app_path(string include, string exclude, string expected)
    {
        var result = await Render("globs", new DirectoryOptions { Recurse = true, Include = include, Exclude = exclude });

        Assert.Equal(expected.Split(',').Order(StringComparer.Ordinal), Names(result).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Non_manifest_files_are_never_read_even_when_a_glob_matches_them()
    {
        var result = await Render("multi-doc", new DirectoryOptions { Include = "*" });

        Assert.DoesNotContain(result.Objects, o => o.SourceFile.EndsWith(".md", StringComparison.Ordinal) || o.SourceFile.EndsWith(".txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invalid_glob_is_an_error_not_an_empty_render()
    {
        var error = await Assert.ThrowsAsync<RenderException>(() => Render("globs", new DirectoryOptions { Include = "*.{yaml,yml" }));

        Assert.Contains("include", error.Message, StringComparison.Ordinal);
        Assert.Contains("unclosed '{'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_yaml_names_the_file_and_line()
    {
        var error = await Assert.ThrowsAsync<RenderException>(() => Render("invalid-yaml"));

        Assert.Equal("invalid-yaml/broken.yaml", error.File);
        Assert.Equal(7, error.Line);
        Assert.Equal("invalid-yaml/broken.yaml: line 7, column 13: invalid YAML: mapping values are not allowed in this context", error.Message);
    }

    [Fact]
    public async Task A_document_that_is_not_a_kubernetes_object_names_the_file_and_document()
    {
        var error = await Assert.ThrowsAsync<RenderException>(() => Render("not-k8s"));

        Assert.Equal("not-k8s/mixed.yaml", error.File);
        Assert.Equal(2, error.Document);
        Assert.Equal("not-k8s/mixed.yaml: document 2: not a Kubernetes object: apiVersion and kind missing", error.Message);
    }

    [Fact]
    public async Task Invalid_json_names_the_file_and_position()
    {
        using var repo = new TempRepo();
        repo.Write("app/broken.json", "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\"\n  \"metadata\": {}\n}\n");

        var error = await Assert.ThrowsAsync<RenderException>(() => Renderer.RenderAsync(new RenderRequest { RepoRoot = repo.Root, Path = "app" }, TestContext.Current.CancellationToken));

        Assert.Equal("app/broken.json", error.File);
        Assert.Equal(4, error.Line);
    }

    [Theory]
    [InlineData("- just\n- a list\n", "a list")]
    [InlineData("hello\n", "the text 'hello'")]
    public async Task A_document_that_is_not_a_mapping_is_refused(string content, string found)
    {
        using var repo = new TempRepo();
        repo.Write("odd.yaml", content);

        var error = await Assert.ThrowsAsync<RenderException>(() => Renderer.RenderAsync(new RenderRequest { RepoRoot = repo.Root, Path = "" }, TestContext.Current.CancellationToken));

        Assert.Equal($"odd.yaml: expected a Kubernetes object (a mapping with apiVersion and kind), found {found}", error.Message);
    }

    [Fact]
    public async Task A_list_item_that_is_not_an_object_names_the_item()
    {
        using var repo = new TempRepo();
        repo.Write("list.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- name: b\n");

        var error = await Assert.ThrowsAsync<RenderException>(() => Renderer.RenderAsync(new RenderRequest { RepoRoot = repo.Root, Path = "." }, TestContext.Current.CancellationToken));

        Assert.Equal("list.yaml: item 2: not a Kubernetes object: apiVersion and kind missing", error.Message);
    }

    [Fact]
    public async Task A_byte_order_mark_is_honoured()
    {
        using var repo = new TempRepo();
        File.WriteAllBytes(Path.Combine(repo.Root, "utf16.yaml"), System.Text.Encoding.Unicode.GetPreamble().Concat(System.Text.Encoding.Unicode.GetBytes(TempRepo.ConfigMap("wide"))).ToArray());
        File.WriteAllBytes(Path.Combine(repo.Root, "utf8.yaml"), System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(TempRepo.ConfigMap("narrow"))).ToArray());

        var result = await Renderer.RenderAsync(new RenderRequest { RepoRoot = repo.Root, Path = "" }, TestContext.Current.CancellationToken);

        Assert.Equal(["wide", "narrow"], Names(result));
    }

    [Fact]
    public async Task A_kustomization_below_the_app_path_is_pointed_out()
    {
        using var repo = new TempRepo().With("kustomize/base", "app/base");
        repo.Write("app/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");

        var error = await Assert.ThrowsAsync<RenderException>(() => Renderer.RenderAsync(
            new RenderRequest { RepoRoot = repo.Root, Path = "app", Directory = new DirectoryOptions { Recurse = true } }, TestContext.Current.CancellationToken));

        Assert.Equal("app/base/kustomization.yaml: a kustomization below the app path is not built; point the app path at its directory or exclude it.", error.Message);
    }

    [Fact]
    public async Task An_empty_directory_renders_nothing()
    {
        using var repo = new TempRepo();
        Directory.CreateDirectory(Path.Combine(repo.Root, "empty"));

        var result = await Renderer.RenderAsync(new RenderRequest { RepoRoot = repo.Root, Path = "empty" }, TestContext.Current.CancellationToken);

        Assert.Empty(result.Objects);
    }

    [Fact]
    public async Task Too_many_files_is_a_clear_error()
    {
        var renderer = new ManifestRenderer(new RenderSettings { MaxFiles = 3 });

        var error = await Assert.ThrowsAsync<RenderException>(() => renderer.RenderAsync(
            new RenderRequest { RepoRoot = TempRepo.Fixtures, Path = "globs", Directory = new DirectoryOptions { Recurse = true } },
            TestContext.Current.CancellationToken));

        Assert.Equal("'globs' holds more than 3 manifest files; split the application or narrow it with include/exclude.", error.Message);
    }

    [Fact]
    public async Task Too_many_bytes_is_a_clear_error()
    {
        var renderer = new ManifestRenderer(new RenderSettings { MaxTotalBytes = 100 });

        var error = await Assert.ThrowsAsync<RenderException>(() => renderer.RenderAsync(
            new RenderRequest { RepoRoot = TempRepo.Fixtures, Path = "globs" },
            TestContext.Current.CancellationToken));

        Assert.StartsWith("The manifests under 'globs' add up to more than 100 bytes (reached at globs/", error.Message, StringComparison.Ordinal);
    }

    internal static IReadOnlyList<string> Describe(RenderResult result) =>
        result.Objects.Select(o => $"{o.SourceFile}#{o.DocumentIndex} {o.Object["kind"]}/{o.Object["metadata"]!["name"]}").ToList();

    internal static IReadOnlyList<string> Names(RenderResult result) =>
        result.Objects.Select(o => o.Object["metadata"]!["name"]!.GetValue<string>()).ToList();

    private static Task<RenderResult> Render(string path, DirectoryOptions? options = null) =>
        Renderer.RenderAsync(new RenderRequest { RepoRoot = TempRepo.Fixtures, Path = path, Directory = options ?? new() }, TestContext.Current.CancellationToken);
}
