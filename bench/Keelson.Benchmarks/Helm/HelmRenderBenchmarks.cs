using BenchmarkDotNet.Attributes;
using Keelson.Engine.Render.Helm;

namespace Keelson.Benchmarks.Helm;

/// <summary>
/// Issue #4: a warm render of <c>testdata/helm/bench-app</c> (27 rendered templates using the <c>common</c> library
/// chart) through <see cref="HelmRenderer.RenderAsync"/>, as the Helm source renders a chart on every reconcile: read
/// the chart, merge values, parse and execute the templates, sort the documents.
/// </summary>
[MemoryDiagnoser]
public class HelmRenderBenchmarks
{
    private readonly HelmRenderer _renderer = new();
    private readonly HelmRenderOptions _options = new() { ReleaseName = "release-name", Namespace = "default" };

    public static string ChartPath => Path.Combine(AppContext.BaseDirectory, "testdata", "helm", "bench-app");

    [Benchmark(Description = "render bench-app (27 templates + library chart)")]
    public async Task<int> Render()
    {
        var release = await _renderer.RenderAsync(ChartPath, _options, CancellationToken.None);
        return release.Manifests.Count;
    }
}
