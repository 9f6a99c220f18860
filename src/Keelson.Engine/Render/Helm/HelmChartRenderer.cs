using System.Text;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// The pipeline's Helm stage: an app directory holding Chart.yaml is rendered natively with the request's
/// <see cref="HelmSourceOptions"/>. The objects are the chart's CRDs (unless skipped), its manifests in Helm's install
/// order, then its install/upgrade hooks (annotations kept, so the apply stage can phase them); test, delete and
/// rollback hooks are left out. A failed render is a <see cref="RenderException"/> naming the chart file and line.
/// </summary>
internal sealed class HelmChartRenderer(TimeProvider time) : IRenderer
{
    private readonly HelmRenderer _renderer = new(time);

    public string Name => "helm";

    public bool Matches(RenderSource source) => HelmRenderer.IsChart(source.Directory);

    public async Task<RenderOutput> RenderAsync(RenderSource source, CancellationToken cancellationToken)
    {
        var helm = source.Request.Helm ?? new HelmSourceOptions { ReleaseName = "release-name" };
        var options = Options(source, helm);
        var chartDir = source.AppPath.Length == 0 ? "" : source.AppPath + "/";

        HelmRelease release;
        try
        {
            release = await _renderer.RenderAsync(source.Directory, options, cancellationToken, boundary: source.Tree.Root).ConfigureAwait(false);
        }
        catch (HelmException e)
        {
            // Value files are named relative to the repository already; chart files by the chart's name.
            var file = e.File is not { } f ? null : options.ValuesFiles.Any(v => v.Name == f) ? f : chartDir + WithoutChartName(f);
            throw new RenderException(e.Message, file, null, e.Line > 0 ? e.Line : null, e.Column > 0 ? e.Column : null, e);
        }

        var objects = new List<RenderedObject>();
        long bytes = 0;
        if (!helm.SkipCrds)
        {
            foreach (var crd in release.Crds)
            {
                bytes += Add(crd.Content, chartDir + WithoutChartName(crd.SourcePath), objects);
            }
        }

        foreach (var m in release.Manifests)
        {
            bytes += Add(m.Content, chartDir + WithoutChartName(m.SourcePath), objects);
        }

        foreach (var hook in release.Hooks.Where(h => h.Phase != HelmHookPhase.Skip))
        {
            bytes += Add(hook.Content, chartDir + WithoutChartName(hook.SourcePath), objects);
        }

        return new RenderOutput(objects, bytes);
    }

    /// <summary>A template's documents keep their order; each one's index counts within its template.</summary>
    private static long Add(string content, string file, List<RenderedObject> objects)
    {
        var parsed = new List<RenderedObject>();
        ManifestParser.Parse(content, file, json: false, parsed);
        var index = objects.Count(o => o.SourceFile == file);
        foreach (var o in parsed)
        {
            objects.Add(o.WithDocumentIndex(index++));
        }

        return Encoding.UTF8.GetByteCount(content);
    }

    // "mychart/templates/x.yaml" → "templates/x.yaml": the chart's directory name need not be its name.
    private static string WithoutChartName(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? path : path[(slash + 1)..];
    }

    /// <summary>Argo CD's mapping of <c>spec.source.helm</c> onto <c>helm template</c>'s flags.</summary>
    internal static HelmRenderOptions Options(RenderSource source, HelmSourceOptions helm)
    {
        var files = new List<HelmValuesFile>();
        foreach (var name in helm.ValueFiles)
        {
            if (ReadValueFile(source, name, helm.IgnoreMissingValueFiles) is { } file)
            {
                files.Add(file);
            }
        }

        if (helm.ValuesObject is { } obj)
        {
            files.Add(new HelmValuesFile("valuesObject", obj.ToJsonString()));
        }
        else if (!string.IsNullOrWhiteSpace(helm.Values))
        {
            files.Add(new HelmValuesFile("values", helm.Values));
        }

        var version = helm.Version switch
        {
            null or "" or "v3" or "3" => HelmVersion.V3,
            "v4" or "4" => HelmVersion.V4,
            var other => throw new RenderException($"spec.source.helm.version '{other}' is not supported; use v3 or v4."),
        };

        return new HelmRenderOptions
        {
            ReleaseName = helm.ReleaseName,
            Namespace = helm.Namespace,
            HelmVersion = version,
            ValuesFiles = files,
            Set = helm.Parameters.Where(p => !p.ForceString).Select(p => p.Name + "=" + EscapeCommas(p.Value)).ToList(),
            SetString = helm.Parameters.Where(p => p.ForceString).Select(p => p.Name + "=" + EscapeCommas(p.Value)).ToList(),
            KubeVersion = string.IsNullOrEmpty(helm.KubeVersion) ? null : helm.KubeVersion,
            ApiVersions = helm.ApiVersions,
            FetchedDependencies = helm.FetchedDependencies,
            Limits = helm.Limits,
        };
    }

    private static HelmValuesFile? ReadValueFile(RenderSource source, string name, bool ignoreMissing)
    {
        if (name.Contains("://", StringComparison.Ordinal))
        {
            throw new RenderException($"values file '{name}': only files in the repository are supported.");
        }

        var full = Path.IsPathRooted(name) ? Path.Combine(source.Tree.Root, name.TrimStart('/')) : Path.Combine(source.Directory, name);
        var real = RepoTree.RealPath(full);
        if (!source.Tree.Contains(real))
        {
            throw new RenderException($"values file '{name}' is outside the repository.");
        }

        var relative = source.Tree.Relative(real);
        if (!File.Exists(real))
        {
            return ignoreMissing ? null : throw new RenderException($"values file '{relative}' does not exist.", relative);
        }

        if (new FileInfo(real).Length > ChartLoader.MaxFileBytes)
        {
            throw new RenderException($"values file '{relative}' is larger than {ChartLoader.MaxFileBytes} bytes.", relative);
        }

        return new HelmValuesFile(relative, File.ReadAllText(real));
    }

    /// <summary>
    /// Argo CD's cleanSetParameters: a comma in a parameter's value is data, not a separator, unless the value is a
    /// {a,b} list, so every comma not right after a backslash gets one (",x" → "\,x", "a,,b" → "a\,\,b").
    /// </summary>
    private static string EscapeCommas(string value)
    {
        if ((value.StartsWith('{') && value.EndsWith('}')) || !value.Contains(',', StringComparison.Ordinal))
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 4);
        var previous = '\0';
        foreach (var c in value)
        {
            if (c == ',' && previous != '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
            previous = c;
        }

        return sb.ToString();
    }
}
