using System.Text.Json.Nodes;
using Keelson.Engine.Render;
using Keelson.Testing;

namespace Keelson.Engine.Tests.Render;

/// <summary>Real kustomize (kubectl kustomize) over fixture bases and overlays.</summary>
public sealed class KustomizeRenderTests
{
    private static readonly ManifestRenderer Renderer = new();

    public KustomizeRenderTests() =>
        Tools.Require("kubectl", "kubectl 1.14 or later, which includes kustomize (https://kubernetes.io/docs/tasks/tools/)");

    [Fact]
    public async Task An_overlay_applies_its_prefix_labels_patches_and_images_to_the_base()
    {
        var result = await Render(TempRepo.Fixtures, "kustomize/overlays/prod");

        Assert.Equal("kustomize", result.Renderer);
        Assert.Equal(
            ["kustomize/overlays/prod/kustomization.yaml#0 Service/prod-web", "kustomize/overlays/prod/kustomization.yaml#1 Deployment/prod-web"],
            DirectoryRenderTests.Describe(result));
        var deployment = result.Objects[1].Object;
        Assert.Equal(3, deployment["spec"]!["replicas"]!.GetValue<long>());
        Assert.Equal("prod", deployment["metadata"]!["labels"]!["env"]!.GetValue<string>());
        Assert.Equal("prod", deployment["spec"]!["selector"]!["matchLabels"]!["env"]!.GetValue<string>());
        Assert.Equal("ghcr.io/example/web:1.6.0", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_base_alone_renders_unchanged()
    {
        var result = await Render(TempRepo.Fixtures, "kustomize/base");

        Assert.Equal(["Service/web", "Deployment/web"], result.Objects.Select(o => $"{o.Object["kind"]}/{o.Object["metadata"]!["name"]}"));
    }

    [Theory]
    [InlineData("kustomize-names/yml", "web")]
    [InlineData("kustomize-names/capital", "web-v2")]
    public async Task Every_kustomization_file_name_selects_kustomize(string path, string name)
    {
        var result = await Render(TempRepo.Fixtures, path);

        Assert.Equal("kustomize", result.Renderer);
        Assert.Equal([name], DirectoryRenderTests.Names(result));
    }

    [Fact]
    public async Task A_kustomize_error_carries_kustomize_message_without_absolute_paths()
    {
        var error = await Assert.ThrowsAsync<RenderException>(() => Render(TempRepo.Fixtures, "kustomize-error"));

        Assert.Equal("kustomize-error/kustomization.yaml", error.File);
        Assert.StartsWith("kustomize build of 'kustomize-error' failed: accumulating resources:", error.Message, StringComparison.Ordinal);
        Assert.Contains("kustomize-error/missing.yaml", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TempRepo.Fixtures, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("run.go", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_load_restrictor_keeps_files_inside_the_kustomization_root()
    {
        var error = await Assert.ThrowsAsync<RenderException>(() => Render(TempRepo.Fixtures, "kustomize-restrictor/app"));

        Assert.Contains("is not in or below", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_base_outside_the_repository_is_refused_before_kustomize_runs()
    {
        using var repo = new TempRepo().With("kustomize/base", "../other-checkout/base");
        repo.Write("app/kustomization.yaml", "resources:\n- ../../other-checkout/base\n");

        var error = await Assert.ThrowsAsync<RenderException>(() => Render(repo.Root, "app"));

        Assert.Equal("app/kustomization.yaml: resources entry '../../other-checkout/base' points outside the repository.", error.Message);
    }

    [Fact]
    public async Task A_base_that_is_a_link_out_of_the_repository_is_refused()
    {
        using var repo = new TempRepo().With("kustomize/base", "../other-checkout/base");
        repo.Write("app/kustomization.yaml", "resources:\n- ../vendor/base\n");
        repo.Link("vendor/base", Path.Combine(repo.Parent, "other-checkout", "base"));

        var error = await Assert.ThrowsAsync<RenderException>(() => Render(repo.Root, "app"));

        Assert.Equal("app/kustomization.yaml: resources entry '../vendor/base' points outside the repository.", error.Message);
    }

    [Fact]
    public async Task An_escape_hidden_in_a_nested_base_is_found()
    {
        using var repo = new TempRepo().With("kustomize/base", "../other-checkout/base");
        repo.Write("app/kustomization.yaml", "resources:\n- ../middle\n");
        repo.Write("middle/kustomization.yaml", "components:\n- ../../other-checkout/base\n");

        var error = await Assert.ThrowsAsync<RenderException>(() => Render(repo.Root, "app"));

        Assert.Equal("middle/kustomization.yaml: components entry '../../other-checkout/base' points outside the repository.", error.Message);
    }

    [Fact]
    public async Task A_kustomization_file_linked_out_of_the_repository_is_refused()
    {
        using var repo = new TempRepo();
        File.WriteAllText(Path.Combine(repo.Parent, "credentials"), "password: hunter2\n");
        repo.Link("app/kustomization.yaml", Path.Combine(repo.Parent, "credentials"));

        var error = await Assert.ThrowsAsync<RenderException>(() => Render(repo.Root, "app"));

        Assert.Equal($"app/kustomization.yaml: symbolic link points outside the repository (to {Path.Combine(repo.Parent, "credentials")}).", error.Message);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_absolute_base_is_refused()
    {
        using var repo = new TempRepo();
        repo.Write("app/kustomization.yaml", "resources:\n- /etc\n");

        var error = await Assert.ThrowsAsync<RenderException>(() => Render(repo.Root, "app"));

        Assert.Equal("app/kustomization.yaml: resources entry '/etc' is an absolute path; paths in a kustomization must be relative.", error.Message);
    }

    [Theory]
    [InlineData("resources:\n- https://github.com/example/config//base?ref=v1.0.0\n", "resources", "https://github.com/example/config//base?ref=v1.0.0")]
    [InlineData("resources:\n- github.com/example/config/base?ref=v1\n", "resources", "github.com/example/config/base?ref=v1")]
    [InlineData("resources:\n- git@github.com:example/config.git//base\n", "resources", "git@github.com:example/config.git//base")]
    [InlineData("patches:\n- path: https://example.com/patch.yaml\n", "patches", "https://example.com/patch.yaml")]
    [InlineData("configMapGenerator:\n- name: x\n  files:\n  - cfg=https://example.com/cfg.ini\n", "configMapGenerator", "https://example.com/cfg.ini")]
    public async Task Remote_references_are_refused_by_default(string kustomization, string field, string reference)
    {
        using var repo = new TempRepo();
        repo.Write("app/kustomization.yaml", kustomization);

        var error = await Assert.ThrowsAsync<RenderException>(() => Render(repo.Root, "app"));

        Assert.StartsWith($"app/kustomization.yaml: {field} entry '{reference}' is remote; Keelson renders Kustomize without network access.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kustomize_runs_with_the_load_restrictor_and_an_empty_environment()
    {
        // Real kustomize cannot report its own arguments and environment, so a stand-in binary prints them as a
        // ConfigMap. The environment must not carry the controller's variables (credentials among them).
        using var repo = new TempRepo();
        repo.Write("app/kustomization.yaml", "resources: []\n");
        var script = Executable(repo, "bin/kustomize", """
            #!/bin/sh
            printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\ndata:\n  args: "%s"\n  env: "%s"\n' "$*" "$(/usr/bin/env | /usr/bin/cut -d= -f1 | /usr/bin/sort | /usr/bin/tr '\n' ' ')"
            """);
        var renderer = new ManifestRenderer(new RenderSettings { Kustomize = script });

        var result = await renderer.RenderAsync(new RenderRequest { RepoRoot = repo.Root, Path = "app" }, TestContext.Current.CancellationToken);

        var data = Assert.Single(result.Objects).Object["data"]!;
        Assert.Equal($"build {Path.Combine(repo.Root, "app")} --load-restrictor=LoadRestrictionsRootOnly", data["args"]!.GetValue<string>());
        var names = data["env"]!.GetValue<string>().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Empty(names.Except(["PWD", "SHLVL", "_", "OLDPWD"]));
    }

    [Fact]
    public async Task Output_beyond_the_limit_is_refused()
    {
        var renderer = new ManifestRenderer(new RenderSettings { MaxKustomizeOutputBytes = 200 });

        var error = await Assert.ThrowsAsync<RenderException>(() => renderer.RenderAsync(
            new RenderRequest { RepoRoot = TempRepo.Fixtures, Path = "kustomize/overlays/prod" }, TestContext.Current.CancellationToken));

        Assert.Equal("kustomize build of 'kustomize/overlays/prod' printed more than 200 bytes.", error.Message);
    }

    [Fact]
    public async Task A_kustomize_that_takes_too_long_is_stopped()
    {
        // A stand-in that hangs, since real kustomize cannot be made to; the clock is fake, so no real waiting.
        using var repo = new TempRepo();
        repo.Write("app/kustomization.yaml", "resources: []\n");
        var marker = Path.Combine(repo.Parent, "started");
        var script = Executable(repo, "bin/kustomize", $"#!/bin/sh\n: > {marker}\nexec /bin/sleep 300\n");
        var clock = new FakeTimeProvider();
        var renderer = new ManifestRenderer(new RenderSettings { Kustomize = script, KustomizeTimeout = TimeSpan.FromSeconds(30) }, clock);

        var render = renderer.RenderAsync(new RenderRequest { RepoRoot = repo.Root, Path = "app" }, TestContext.Current.CancellationToken);
        await Eventually.WaitAsync(() => clock.PendingTimers > 0 && File.Exists(marker), "the stand-in to start", cancellationToken: TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(render.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<RenderException>(() => render);
        Assert.Equal("kustomize build of 'app' did not finish within 30 s.", error.Message);
    }

    [Fact]
    public async Task A_missing_configured_binary_is_a_clear_error()
    {
        var renderer = new ManifestRenderer(new RenderSettings { Kustomize = "/nonexistent/kustomize" });

        var error = await Assert.ThrowsAsync<RenderException>(() => renderer.RenderAsync(
            new RenderRequest { RepoRoot = TempRepo.Fixtures, Path = "kustomize/base" }, TestContext.Current.CancellationToken));

        Assert.Equal("The configured kustomize binary '/nonexistent/kustomize' was not found.", error.Message);
    }

    [Theory]
    [InlineData(
        "E1122 03:07:58.996399   11234 run.go:72] \"command failed\" err=\"accumulating resources: accumulation err='accumulating resources from 'missing.yaml': evalsymlink failure on '/repo/app/missing.yaml' : lstat /repo/app/missing.yaml: no such file or directory'\"",
        "accumulating resources: accumulation err='accumulating resources from 'missing.yaml': evalsymlink failure on 'app/missing.yaml' : lstat app/missing.yaml: no such file or directory'")]
    [InlineData(
        "E1122 03:07:59.175887   11246 run.go:72] \"command failed\" err=\"invalid Kustomization: yaml: line 1: did not find expected node content\"",
        "invalid Kustomization: yaml: line 1: did not find expected node content")]
    [InlineData(
        "# Warning: 'commonLabels' is deprecated.\nError: map[string]interface {}(nil): yaml: unmarshal errors:\n  line 3: field \"x\" not found in /repo/app\n",
        "map[string]interface {}(nil): yaml: unmarshal errors:")]
    [InlineData("", "no error message")]
    public void Kustomize_errors_are_cleaned_up(string stderr, string expected) =>
        Assert.Equal(expected, KustomizeRenderer.CleanError(stderr, "/repo"));

    private static string Executable(TempRepo repo, string relative, string content)
    {
        var path = repo.Write(relative, content);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Keelson's render tests run on Linux.");
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return path;
    }

    private static Task<RenderResult> Render(string root, string path) =>
        Renderer.RenderAsync(new RenderRequest { RepoRoot = root, Path = path }, TestContext.Current.CancellationToken);
}
