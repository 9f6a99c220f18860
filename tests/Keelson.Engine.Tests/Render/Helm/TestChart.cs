using Keelson.Engine.Render.Helm;
using Keelson.Testing.Git;

namespace Keelson.Engine.Tests.Render.Helm;

/// <summary>A chart written to a temporary directory from path → content pairs, deleted on dispose.</summary>
internal sealed class TestChart : IDisposable
{
    private readonly TempDirectory _dir = new("helmchart");

    public TestChart(string name, IDictionary<string, string> files, string apiVersion = "v2")
    {
        Name = name;
        if (!files.ContainsKey("Chart.yaml"))
        {
            Write("Chart.yaml", $"apiVersion: {apiVersion}\nname: {name}\nversion: 0.1.0\n");
        }

        foreach (var (path, content) in files)
        {
            Write(path, content);
        }
    }

    public string Name { get; }

    public string Path => _dir.Path;

    public void Write(string path, string content)
    {
        var full = _dir.Combine(path.Split('/'));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    /// <summary>Packs files into charts/NAME-VERSION.tgz as `helm package` would (a top directory named after the chart).</summary>
    public void WriteSubchartArchive(string name, IDictionary<string, string> files)
    {
        var target = _dir.Combine("charts", name + "-0.1.0.tgz");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        File.WriteAllBytes(target, Archive(name, files));
    }

    public static byte[] Archive(string topDirectory, IDictionary<string, string> files) => Keelson.Testing.Http.ChartArchive.Pack(topDirectory, files);

    public async Task<HelmRelease> RenderAsync(HelmRenderOptions? options = null) =>
        await new HelmRenderer().RenderAsync(Path, options ?? new HelmRenderOptions(), TestContext.Current.CancellationToken);

    /// <summary>What `helm template` prints (Helm 3 form unless the options say otherwise).</summary>
    public async Task<string> TemplateAsync(HelmRenderOptions? options = null, bool skipTests = false, IReadOnlyList<string>? showOnly = null) =>
        HelmTemplateOutput.Format(await RenderAsync(options), skipTests, showOnly);

    /// <summary>The output of one template of the root chart, without the header.</summary>
    public async Task<string> OutputOfAsync(string template, HelmRenderOptions? options = null)
    {
        var text = await TemplateAsync(options, showOnly: [template]);
        var header = $"---\n# Source: {Name}/{template}\n";
        Assert.StartsWith(header, text, StringComparison.Ordinal);
        return text[header.Length..^1];
    }

    public void Dispose() => _dir.Dispose();
}
