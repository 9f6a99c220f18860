using Keelson.Engine.Render;
using Keelson.Engine.Render.Helm;

namespace Keelson.Engine.Tests.Render.Helm;

/// <summary>
/// A renderer keeps loaded charts, parsed templates and document heads between renders; what a user sees must be
/// as if nothing were kept: edits show at once, concurrent renders agree, errors repeat.
/// </summary>
public sealed class RenderCacheTests
{
    private static readonly HelmRenderOptions Options = new() { ReleaseName = "rel", Namespace = "default" };

    [Fact]
    public async Task Editing_a_template_between_renders_changes_the_output()
    {
        using var chart = new TestChart("web", new Dictionary<string, string>
        {
            ["values.yaml"] = "size: 1\n",
            ["templates/_helpers.tpl"] = "{{- define \"web.name\" -}}{{ .Release.Name }}-web{{- end -}}\n",
            ["templates/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"web.name\" . }}\ndata:\n  size: {{ .Values.size | quote }}\n",
        });
        var renderer = new HelmRenderer();

        var first = await renderer.RenderAsync(chart.Path, Options, TestContext.Current.CancellationToken);
        chart.Write("templates/_helpers.tpl", "{{- define \"web.name\" -}}{{ .Release.Name }}-site{{- end -}}\n");
        var second = await renderer.RenderAsync(chart.Path, Options, TestContext.Current.CancellationToken);
        chart.Write("values.yaml", "size: 2\n");
        var third = await renderer.RenderAsync(chart.Path, Options, TestContext.Current.CancellationToken);

        Assert.Contains("name: rel-web", first.Manifest, StringComparison.Ordinal);
        Assert.Contains("name: rel-site", second.Manifest, StringComparison.Ordinal);
        Assert.Contains("size: \"1\"", second.Manifest, StringComparison.Ordinal);
        Assert.Contains("size: \"2\"", third.Manifest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editing_a_vendored_dependency_archive_changes_the_output()
    {
        using var chart = new TestChart("web", new Dictionary<string, string>
        {
            ["templates/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"lib.name\" . }}\n",
        });
        var lib = (string text) => new Dictionary<string, string>
        {
            ["Chart.yaml"] = "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
            ["templates/_name.tpl"] = "{{- define \"lib.name\" -}}" + text + "{{- end -}}\n",
        };
        chart.WriteSubchartArchive("lib", lib("first"));
        var renderer = new HelmRenderer();

        var first = await renderer.RenderAsync(chart.Path, Options, TestContext.Current.CancellationToken);
        chart.WriteSubchartArchive("lib", lib("second"));
        var second = await renderer.RenderAsync(chart.Path, Options, TestContext.Current.CancellationToken);

        Assert.Contains("name: first", first.Manifest, StringComparison.Ordinal);
        Assert.Contains("name: second", second.Manifest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_renders_of_one_chart_give_the_same_output()
    {
        var files = new Dictionary<string, string>
        {
            ["values.yaml"] = "items: [a, b, c]\n",
            ["templates/_helpers.tpl"] = "{{- define \"web.item\" -}}item-{{ . }}{{- end -}}\n",
        };
        for (var i = 0; i < 10; i++)
        {
            files[$"templates/cm{i}.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm" + i
                + "\ndata:\n{{- range $i, $v := .Values.items }}\n  k{{ $i }}: {{ include \"web.item\" $v | quote }}\n{{- end }}\n"
                + "  tpl: {{ tpl \"{{ .Release.Name }}\" . }}\n";
        }

        using var chart = new TestChart("web", files);
        var renderer = new HelmRenderer();
        var expected = (await renderer.RenderAsync(chart.Path, Options, TestContext.Current.CancellationToken)).Manifest;

        var renders = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(
            () => renderer.RenderAsync(chart.Path, Options, TestContext.Current.CancellationToken),
            TestContext.Current.CancellationToken)));

        Assert.Contains("k2: \"item-c\"", expected, StringComparison.Ordinal);
        Assert.All(renders, r => Assert.Equal(expected, r.Manifest));
    }

    [Fact]
    public async Task A_broken_template_fails_the_same_way_on_every_render()
    {
        using var chart = new TestChart("web", new Dictionary<string, string>
        {
            ["templates/ok.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n",
            ["templates/bad.yaml"] = "apiVersion: v1\nkind: ConfigMap\n{{ if .Values.x }\n",
        });
        var renderer = new HelmRenderer();

        var first = await Assert.ThrowsAsync<HelmException>(() => renderer.RenderAsync(chart.Path, Options, TestContext.Current.CancellationToken));
        var second = await Assert.ThrowsAsync<HelmException>(() => renderer.RenderAsync(chart.Path, Options, TestContext.Current.CancellationToken));

        Assert.Equal("web/templates/bad.yaml", first.File);
        Assert.Equal(3, first.Line);
        Assert.Equal(first.Message, second.Message);
        Assert.Equal(first.File, second.File);
        Assert.Equal(first.Line, second.Line);
    }

    [Fact]
    public async Task A_failing_execution_fails_the_same_way_on_every_render()
    {
        using var chart = new TestChart("web", new Dictionary<string, string>
        {
            ["templates/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ required \"name is required\" .Values.name }}\n",
        });
        var renderer = new HelmRenderer();

        var first = await Assert.ThrowsAsync<HelmException>(() => renderer.RenderAsync(chart.Path, Options, TestContext.Current.CancellationToken));
        var second = await Assert.ThrowsAsync<HelmException>(() => renderer.RenderAsync(chart.Path, Options, TestContext.Current.CancellationToken));

        Assert.Contains("name is required", first.Message, StringComparison.Ordinal);
        Assert.Equal(first.Message, second.Message);
        Assert.Equal(first.Line, second.Line);
    }

    [Fact]
    public void The_cache_drops_least_recently_used_entries_beyond_its_bound()
    {
        var lru = new LruCache<string>(maxWeight: 10, maxEntries: 3);
        lru.Add("a", "A", 4);
        lru.Add("b", "B", 4);
        Assert.True(lru.TryGet("a", out _));
        lru.Add("c", "C", 4);

        Assert.True(lru.TryGet("a", out _));
        Assert.False(lru.TryGet("b", out _));
        Assert.True(lru.TryGet("c", out _));
        Assert.Equal(8, lru.Weight);
    }
}
