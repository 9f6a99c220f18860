using System.Text;
using System.Text.RegularExpressions;
using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Renders a Helm chart without a helm binary, as <c>helm template</c> does: loads the chart (a directory with
/// Chart.yaml, or a .tgz), merges values (-f files, --set-json, --set, --set-string, --set-file), processes
/// dependencies (condition, tags, alias, import-values), coalesces values per chart with globals, validates them
/// against values.schema.json, executes the templates with Helm's functions and sorts the documents. Thread-safe.
/// </summary>
public sealed partial class HelmRenderer
{
    private const int RenderStackBytes = 256 * 1024 * 1024;

    private readonly TimeProvider _time;
    private readonly RenderCache _cache;
    private readonly RenderThreads _threads = new(RenderStackBytes);

    public HelmRenderer(TimeProvider? time = null)
        : this(time, new RenderCacheLimits())
    {
    }

    internal HelmRenderer(TimeProvider? time, RenderCacheLimits cacheLimits)
    {
        _time = time ?? TimeProvider.System;
        _cache = new RenderCache(cacheLimits);
    }

    /// <summary>What this renderer keeps between renders (loaded charts and parsed templates, by content).</summary>
    internal RenderCache Cache => _cache;

    /// <summary>Whether a directory is a chart (holds Chart.yaml).</summary>
    public static bool IsChart(string directory) => File.Exists(Path.Combine(directory, "Chart.yaml"));

    /// <summary>Renders the chart at <paramref name="chartPath"/> (a directory or a packaged .tgz).</summary>
    /// <param name="boundary">Symbolic links in the chart may not point outside this directory (default: the chart).</param>
    /// <exception cref="HelmException">The chart, its values or a template is invalid; the message says what and where.</exception>
    public Task<HelmRelease> RenderAsync(string chartPath, HelmRenderOptions options, CancellationToken cancellationToken, string? boundary = null)
    {
        ArgumentNullException.ThrowIfNull(chartPath);
        ArgumentNullException.ThrowIfNull(options);
        return RunAsync(ct => Render(chartPath, options, boundary, ct), options.Limits, cancellationToken);
    }

    /// <summary>
    /// Renders one template file with Helm's functions and value rules (<c>render --template</c>): the values are
    /// <c>.Values</c>, the release is "release-name", and the raw output is returned.
    /// </summary>
    public Task<string> RenderTemplateAsync(string name, string text, string? valuesYaml, HelmRenderOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        return RunAsync(ct => RenderTemplate(name, text, valuesYaml, options, ct), options.Limits, cancellationToken);
    }

    // Deeply nested includes (Helm allows 1000 of one name) need a bigger stack than a pool thread has.
    private async Task<T> RunAsync<T>(Func<CancellationToken, T> work, RenderLimits limits, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(limits.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var token = linked.Token;
        _threads.Start(() =>
        {
            try
            {
                tcs.SetResult(work(token));
            }
            catch (Exception e)
            {
                tcs.SetException(e);
            }
        });
        try
        {
            return await tcs.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new HelmException($"rendering the chart took longer than the limit of {limits.Timeout.TotalSeconds:0.###}s");
        }
    }

    private HelmRelease Render(string chartPath, HelmRenderOptions options, string? boundary, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var version = options.HelmVersion;
        var types = HelmTypes.For(version);

        var releaseName = options.NameTemplate is { } nameTemplate ? RenderName(nameTemplate) : options.ReleaseName;
        var userValues = MergeValues(options);
        var chart = Load(chartPath, boundary);

        if (chart.Metadata.Type is not ("" or "application"))
        {
            throw new HelmException($"{chart.Metadata.Type} charts are not installable");
        }

        if (chart.Metadata.Deprecated)
        {
            warnings.Add("This chart is deprecated");
        }

        foreach (var archive in options.FetchedDependencies)
        {
            var fetched = Load(archive, null);
            if (chart.Dependencies.All(d => d.Name != fetched.Name))
            {
                chart.AddDependency(fetched);
            }
        }

        CheckDependencies(chart);
        ValidateReleaseName(releaseName);

        var coalesce = new Coalesce(version, warnings);
        new Dependencies(coalesce, warnings).Process(chart, userValues);

        var caps = Capabilities(options, types);
        var values = coalesce.CoalesceValues(chart, userValues);
        ValidateSchemas(chart, values);

        if (chart.Metadata.KubeVersion.Length > 0 && !Dependencies.IsCompatibleRange(chart.Metadata.KubeVersion, caps.KubeVersion.ToString()))
        {
            throw new HelmException($"chart requires kubeVersion: {chart.Metadata.KubeVersion} which is incompatible with Kubernetes {caps.KubeVersion}");
        }

        var top = new HelmValues(types.Values)
        {
            ["Chart"] = new ChartObject(chart.Metadata, true, types.Chart),
            ["Capabilities"] = caps,
            ["Release"] = Release(releaseName, options),
            ["Values"] = new HelmValues(values, types.Values),
        };

        var files = new HelmEngine(version, options.Limits, _cache).Render(chart, top, cancellationToken);

        // NOTES.txt is rendered (so its failures count) but is not a manifest.
        var notes = new StringBuilder();
        var rootNotes = chart.Name + "/templates/NOTES.txt";
        foreach (var key in files.Keys.Where(k => k.EndsWith("NOTES.txt", StringComparison.Ordinal)).ToList())
        {
            if (key == rootNotes)
            {
                notes.Append(files[key]);
            }

            files.Remove(key);
        }

        var (sorted, hooks) = ManifestSorter.Sort(files, version, warnings, _cache);
        var crds = chart.CrdObjects().Select(c => new HelmCrd(c.FileName, Encoding.UTF8.GetString(c.File.Data))).ToList();

        var manifest = new StringBuilder();
        if (options.IncludeCrds)
        {
            foreach (var crd in crds)
            {
                manifest.Append("---\n# Source: ").Append(crd.SourcePath).Append('\n').Append(crd.Content).Append('\n');
            }
        }

        foreach (var m in sorted)
        {
            manifest.Append("---\n# Source: ").Append(m.Name).Append('\n').Append(m.Content).Append('\n');
        }

        return new HelmRelease(
            releaseName,
            options.Namespace,
            version,
            manifest.ToString(),
            sorted.Select(m => new HelmManifest(m.Name, m.Content, m.Head.ApiVersion, m.Head.Kind, m.Head.Name)).ToList(),
            hooks.Select(h => new HelmHook(h.Path, h.Manifest, h.Head.ApiVersion, h.Kind, h.Name, h.Events, h.Weight, h.DeletePolicies)).ToList(),
            crds,
            options.IncludeCrds,
            notes.ToString(),
            warnings);
    }

    private static string RenderTemplate(string name, string text, string? valuesYaml, HelmRenderOptions options, CancellationToken cancellationToken)
    {
        var types = HelmTypes.For(options.HelmVersion);
        // The given YAML comes first, then -f files and --set flags over it, as for a chart's values.yaml.
        IReadOnlyList<HelmValuesFile> valueFiles = valuesYaml is null ? options.ValuesFiles : [new HelmValuesFile("values", valuesYaml), .. options.ValuesFiles];
        var values = MergeValues(options with { ValuesFiles = valueFiles });

        var md = new ChartMetadata { Name = "chart", Version = "0.0.0", ApiVersion = ChartMetadata.ApiVersionV2 };
        var chart = new Chart(md) { Templates = [new ChartFile("templates/" + name, Encoding.UTF8.GetBytes(text))] };
        var top = new HelmValues(types.Values)
        {
            ["Chart"] = new ChartObject(md, true, types.Chart),
            ["Capabilities"] = Capabilities(options, types),
            ["Release"] = Release(options.ReleaseName, options),
            ["Values"] = new HelmValues(values, types.Values),
        };
        // The one file asked for is rendered even when its name makes it a partial (_helpers.tpl).
        var files = new HelmEngine(options.HelmVersion, options.Limits).Render(chart, top, cancellationToken, partialsToo: true);
        return files.Values.FirstOrDefault() ?? "";
    }

    /// <summary>
    /// Reads the chart's files on every render (so an edited chart is seen at once) but parses them only when no
    /// chart with the same files was loaded before; the result is this render's own copy.
    /// </summary>
    private Chart Load(string chartPath, string? boundary)
    {
        if (File.Exists(chartPath))
        {
            var archive = File.ReadAllBytes(chartPath);
            var name = Path.GetFileName(chartPath);
            return _cache.LoadChart([new ChartFile(name, archive)], "archive", () =>
            {
                using var stream = new MemoryStream(archive, writable: false);
                return ChartLoader.LoadArchive(stream, name);
            });
        }

        if (!Directory.Exists(chartPath))
        {
            throw new HelmException($"path \"{chartPath}\" not found");
        }

        if (!IsChart(chartPath))
        {
            throw new HelmException($"Chart.yaml file is missing in {chartPath}");
        }

        var files = ChartLoader.ReadDirectory(chartPath, boundary);
        var origin = Path.GetFileName(Path.GetFullPath(chartPath));
        return _cache.LoadChart(files, "directory " + origin, () => ChartLoader.LoadFiles(files, origin));
    }

    /// <summary>Helm's install.NameAndChart with --name-template: the template runs with Sprig's functions and no data.</summary>
    private static string RenderName(string nameTemplate)
    {
        var set = new TemplateSet(HelmFunctions.Sprig);
        try
        {
            set.Parse("name-template", nameTemplate);
            return set.Execute("name-template", null);
        }
        catch (TemplateException e)
        {
            throw new HelmException(e.Message, null, e.Line, e.Column, e);
        }
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex ValidName();

    private static void ValidateReleaseName(string name)
    {
        if (name.Length == 0)
        {
            throw new HelmException("release name \"\": no name provided");
        }

        if (name.Length > 53 || !ValidName().IsMatch(name))
        {
            throw new HelmException($"release name \"{name}\": invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53");
        }
    }

    private static void CheckDependencies(Chart chart)
    {
        if (chart.Metadata.Dependencies is not { } reqs)
        {
            return;
        }

        var missing = reqs.Where(r => r is not null && chart.Dependencies.All(d => d.Name != r.Name)).Select(r => r!.Name).ToList();
        if (missing.Count > 0)
        {
            throw new HelmException("An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: " + string.Join(", ", missing));
        }
    }

    /// <summary>Helm's values.Options.MergeValues: files in order (maps merged, later wins), then --set-json, --set, --set-string, --set-file.</summary>
    internal static Dictionary<string, object?> MergeValues(HelmRenderOptions options)
    {
        var merged = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var file in options.ValuesFiles)
        {
            var current = ChartLoader.ReadValues(Encoding.UTF8.GetBytes(file.Content), file.Name);
            merged = MergeMaps(merged, current);
        }

        foreach (var value in options.SetJson)
        {
            Parse(value, "--set-json", () => StrVals.ParseJson(value, merged));
        }

        foreach (var value in options.Set)
        {
            Parse(value, "--set", () => StrVals.ParseInto(value, merged));
        }

        foreach (var value in options.SetString)
        {
            Parse(value, "--set-string", () => StrVals.ParseIntoString(value, merged));
        }

        foreach (var value in options.SetFile)
        {
            var read = options.ReadFile ?? throw new HelmException("--set-file needs a way to read files");
            Parse(value, "--set-file", () => StrVals.ParseIntoFile(value, merged, read));
        }

        return merged;
    }

    private static void Parse(string value, string flag, Action parse)
    {
        try
        {
            parse();
        }
        catch (HelmException e)
        {
            throw new HelmException($"failed parsing {flag} data: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new HelmException($"failed parsing {flag} data: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new HelmException($"failed parsing {flag} data: {e.Message}", e);
        }
    }

    private static Dictionary<string, object?> MergeMaps(Dictionary<string, object?> a, Dictionary<string, object?> b)
    {
        var outMap = new Dictionary<string, object?>(a, StringComparer.Ordinal);
        foreach (var (k, v) in b)
        {
            if (ValueTree.AsTable(v) is { } vm && outMap.TryGetValue(k, out var bv) && ValueTree.AsTable(bv) is { } bm)
            {
                outMap[k] = MergeMaps(bm, vm);
                continue;
            }

            outMap[k] = v;
        }

        return outMap;
    }

    private static HelmCapabilities Capabilities(HelmRenderOptions options, HelmTypes types)
    {
        var kube = KubeVersionInfo.Parse(options.KubeVersion ?? options.DefaultKubeVersion, options.HelmVersion, types.KubeVersion);
        var apis = new ApiVersionSet(KnownApiVersions.Default.Concat(options.ApiVersions.SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries))), types.VersionSet);
        return new HelmCapabilities(kube, apis, new HelmBuildInfo(types.HelmVersionString, types.BuildInfo), types.Capabilities);
    }

    private static Dictionary<string, object?> Release(string name, HelmRenderOptions options) => new(StringComparer.Ordinal)
    {
        ["Name"] = name,
        ["Namespace"] = options.Namespace,
        ["IsUpgrade"] = options.IsUpgrade,
        ["IsInstall"] = !options.IsUpgrade,
        ["Revision"] = (nint)1,
        ["Service"] = "Helm",
    };

    /// <summary>ValidateAgainstSchema: each chart's schema against its scope of the coalesced values.</summary>
    private static void ValidateSchemas(Chart chart, Dictionary<string, object?> values)
    {
        var sb = new StringBuilder();
        CollectSchemaErrors(chart, values, sb);
        if (sb.Length > 0)
        {
            throw new HelmException("values don't meet the specifications of the schema(s) in the following chart(s):\n" + sb, chart.Name + "/values.schema.json");
        }
    }

    private static void CollectSchemaErrors(Chart chart, IDictionary<string, object?> values, StringBuilder sb)
    {
        if (chart.Schema is { } schema)
        {
            var errors = JsonSchemaValidator.Parse(schema, chart.Name).Validate(values);
            if (errors.Count > 0)
            {
                sb.Append(chart.Name).Append(":\n").Append(string.Join('\n', errors)).Append('\n');
            }
        }

        foreach (var sub in chart.Dependencies)
        {
            if (!values.TryGetValue(sub.Name, out var raw) || raw is null)
            {
                continue;
            }

            if (raw is not IDictionary<string, object?> subValues)
            {
                sb.Append(sub.Name).Append(":\ninvalid type for values: expected object (map), got ").Append(GoValues.TypeName(raw)).Append('\n');
                continue;
            }

            CollectSchemaErrors(sub, subValues, sb);
        }
    }
}
