using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Keelson.Benchmarks.Common;
using Keelson.Engine.Render.Helm;
using Keelson.Engine.Source.Helm;

namespace Keelson.Benchmarks.Helm;

internal sealed record HelmOptions
{
    /// <summary>The built Go reference (tools/helm-bench-ref); null skips the Go comparison.</summary>
    public string? GoReference { get; init; }

    public int GoIterations { get; init; } = 2000;

    public int MemoryRenders { get; init; } = 10_000;

    /// <summary>Size of the generated index.yaml for the index figures.</summary>
    public int IndexCharts { get; init; } = 150;

    public int IndexVersions { get; init; } = 200;

    /// <summary>Skip BenchmarkDotNet and time with a plain loop (quick check that everything works).</summary>
    public bool Quick { get; init; }
}

/// <summary>
/// Issue #4's figures: C# render time (BenchmarkDotNet, short in-process job), the Go reference on the same templates
/// and values in the same run, a check that both produce the same documents, and memory across 10,000 renders.
/// </summary>
internal sealed partial class HelmScenario
{
    private readonly HelmOptions _options;

    public HelmScenario(HelmOptions options)
    {
        _options = options;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Report.Header("Helm rendering (issue #4)");
        var chart = HelmRenderBenchmarks.ChartPath;
        var renderer = new HelmRenderer();
        var options = new HelmRenderOptions();
        var first = await renderer.RenderAsync(chart, options, cancellationToken);
        Report.Note($"chart bench/Keelson.Benchmarks/testdata/helm/bench-app: {first.Manifests.Count} documents, {first.Manifest.Length} bytes");

        var csharpNs = _options.Quick ? await LoopAsync(renderer, chart, options, 200, cancellationToken) : RunBenchmarkDotNet();
        Report.Figure("C# render, warm (HelmRenderer.RenderAsync: load + values + templates + sort)", $"{Report.Fixed(csharpNs / 1e6, "0.000")} ms/render", "<= 5 ms");

        if (_options.GoReference is { } go)
        {
            await CompareWithGoAsync(go, chart, first, csharpNs, cancellationToken);
        }

        await MemoryAsync(renderer, chart, options, cancellationToken);
        IndexFigures();
    }

    /// <summary>
    /// Reading a large repository's index.yaml token by token against building its whole tree (the reference notes'
    /// trap: Flux ran out of memory on such indexes): time, bytes allocated, and the heap the result keeps.
    /// </summary>
    private void IndexFigures()
    {
        var text = Keelson.Testing.HelmIndexes.Large(_options.IndexCharts, _options.IndexVersions);
        var megabytes = System.Text.Encoding.UTF8.GetByteCount(text) / 1024.0 / 1024.0;
        Report.Figure(
            "index.yaml read (HelmRepoIndex)",
            $"{_options.IndexCharts} charts x {_options.IndexVersions} versions, {Report.Fixed(megabytes)} MB");
        foreach (var (name, parse) in new (string, Func<string, HelmRepoIndex>)[]
        {
            ("  token by token (Parse)", t => HelmRepoIndex.Parse(t, "bench")),
            ("  whole tree first (ParseTree, the former way)", t => HelmRepoIndex.ParseTree(t, "bench")),
        })
        {
            parse(text);
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            parse(text);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Report.Figure(name, $"{Report.Fixed(ms, "0")} ms, {Report.Fixed(allocated / 1024.0 / 1024.0, "0")} MB allocated");
        }

        var (before, _) = Measure();
        var kept = HelmRepoIndex.Parse(text, "bench");
        var (after, _) = Measure();
        GC.KeepAlive(kept);
        Report.Figure("  what the cached index keeps (managed heap)", $"{Report.Fixed(after - before)} MB");
    }

    private static double RunBenchmarkDotNet()
    {
        // In-process: no generated project to build, and the short job keeps the whole run within minutes.
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10);
        var config = ManualConfig.CreateMinimumViable().AddJob(job).WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<HelmRenderBenchmarks>(config);
        var report = summary.Reports.FirstOrDefault(r => r.ResultStatistics is not null)
            ?? throw new InvalidOperationException("BenchmarkDotNet produced no result for the render benchmark");
        return report.ResultStatistics!.Mean;
    }

    private static async Task<double> LoopAsync(HelmRenderer renderer, string chart, HelmRenderOptions options, int count, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await renderer.RenderAsync(chart, options, cancellationToken);
        }

        return Stopwatch.GetElapsedTime(started).TotalNanoseconds / count;
    }

    private async Task CompareWithGoAsync(string go, string chart, HelmRelease csharp, double csharpNs, CancellationToken cancellationToken)
    {
        var printed = await RunAsync(go, ["-print", chart], cancellationToken);
        var goDocs = Documents(printed);
        var csharpDocs = Documents(string.Join("\n---\n", csharp.Manifests.Select(m => m.Content)));
        var same = goDocs.SequenceEqual(csharpDocs, StringComparer.Ordinal);
        Report.Figure("same documents from C# and Go", same ? $"yes ({goDocs.Count} documents)" : $"NO (C# {csharpDocs.Count}, Go {goDocs.Count})");

        var timed = await RunAsync(go, ["-n", _options.GoIterations.ToString(CultureInfo.InvariantCulture), chart], cancellationToken);
        Report.Note("the Go figures are Go 1.19 text/template + Sprig 3.2.3 with Helm's include/tpl/toYaml/fromYaml on the same");
        Report.Note("templates and values (tools/helm-bench-ref); Helm's own library is not available here");
        double? loadAndEngine = null;
        foreach (var line in timed.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var match = GoLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var ns = double.Parse(match.Groups["ns"].Value, CultureInfo.InvariantCulture);
            Report.Figure(match.Groups["name"].Value, $"{Report.Fixed(ns / 1e6, "0.000")} ms/render");
            if (match.Groups["name"].Value.StartsWith("go load + engine", StringComparison.Ordinal))
            {
                loadAndEngine = ns;
            }
        }

        if (loadAndEngine is { } reference)
        {
            Report.Figure("C# time / Go load + engine time", $"{Report.Fixed(csharpNs / reference, "0.00")}x", "<= 2x");
        }
    }

    /// <summary>Documents normalised for comparison: split on separators, trimmed, # Source lines and empties dropped, sorted.</summary>
    private static List<string> Documents(string text)
    {
        var docs = new List<string>();
        foreach (var raw in DocumentSeparator().Split(text))
        {
            var lines = raw.Split('\n').Where(l => !l.StartsWith("# Source: ", StringComparison.Ordinal));
            var doc = string.Join('\n', lines).Trim();
            if (doc.Length > 0)
            {
                docs.Add(doc);
            }
        }

        docs.Sort(StringComparer.Ordinal);
        return docs;
    }

    /// <summary>
    /// Renders the chart <see cref="HelmOptions.MemoryRenders"/> times on two workers at once (a reconciler renders
    /// concurrently; it also halves the wall time), measuring the managed heap and RSS before, along the way and after.
    /// </summary>
    private async Task MemoryAsync(HelmRenderer renderer, string chart, HelmRenderOptions options, CancellationToken cancellationToken)
    {
        const int Workers = 2;
        var total = _options.MemoryRenders;
        for (var i = 0; i < 100; i++)
        {
            await renderer.RenderAsync(chart, options, cancellationToken);
        }

        var (heap0, rss0) = Measure();
        var checkpoints = new List<string>();
        var started = Stopwatch.GetTimestamp();
        var done = 0;
        var step = Math.Max(1, total / 5);
        for (var round = 0; round < total; round += step)
        {
            var count = Math.Min(step, total - round);
            var next = 0;
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(
                async () =>
                {
                    while (Interlocked.Increment(ref next) <= count)
                    {
                        await renderer.RenderAsync(chart, options, cancellationToken);
                    }
                },
                cancellationToken)));
            done += count;
            var (heap, rss) = Measure();
            checkpoints.Add($"{done}: {Report.Fixed(heap)}/{Report.Fixed(rss)}");
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (heap1, rss1) = Measure();
        Report.Figure(
            $"memory across {total} renders (managed heap after full GC / RSS)",
            $"before {Report.Fixed(heap0)} MB / {Report.Fixed(rss0)} MB, after {Report.Fixed(heap1)} MB / {Report.Fixed(rss1)} MB",
            "no growth");
        Report.Figure("  checkpoints (renders: heap/RSS MB)", string.Join(", ", checkpoints));
        Report.Figure($"  renders per second, {Workers} at a time", Report.Fixed(total / seconds, "0"));
    }

    private static (double HeapMb, double RssMb) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return (GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0, Report.RssMegabytes());
    }

    private static async Task<string> RunAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    [GeneratedRegex(@"^(?<name>.+): (?<ns>\d+) ns/op")]
    private static partial Regex GoLine();

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}
