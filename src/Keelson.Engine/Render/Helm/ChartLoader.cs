using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keelson.Kubernetes.Yaml;
using Keelson.Templating;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// Loads a chart as Helm's loader does: from a directory (honouring .helmignore) or a packaged .tgz, with subcharts
/// in charts/ as directories or archives. Sizes are limited like Helm's (100 MiB per chart, 5 MiB per file), links
/// may not leave <c>boundary</c>, and archive entries may not escape the chart.
/// </summary>
internal static partial class ChartLoader
{
    /// <summary>sigs.k8s.io/yaml.Unmarshal reads the first document of a stream and ignores the rest.</summary>
    internal static readonly YamlReadOptions FirstDocument = new() { FirstDocumentOnly = true };

    public const long MaxChartBytes = 100L * 1024 * 1024;
    public const long MaxFileBytes = 5L * 1024 * 1024;

    /// <summary>Loads a chart directory; symbolic links are followed only while they stay inside <paramref name="boundary"/>.</summary>
    public static Chart LoadDirectory(string directory, string? boundary = null) =>
        LoadFiles(ReadDirectory(directory, boundary), Path.GetFileName(Path.GetFullPath(directory)));

    /// <summary>The files of a chart directory that .helmignore keeps, in Go's walk order, with their contents.</summary>
    public static List<ChartFile> ReadDirectory(string directory, string? boundary = null)
    {
        var top = Path.GetFullPath(directory);
        if (!Directory.Exists(top))
        {
            throw new HelmException($"path \"{directory}\" not found");
        }

        var fence = Path.GetFullPath(boundary ?? top);
        var rules = HelmIgnore.Empty();
        var ignoreFile = Path.Combine(top, HelmIgnore.FileName);
        if (File.Exists(ignoreFile))
        {
            rules = HelmIgnore.Parse(File.ReadAllText(ignoreFile));
        }

        rules.AddDefaults();
        var files = new List<ChartFile>();
        long total = 0;
        Walk(top, "", rules, fence, files, ref total, 0);
        return files;
    }

    private static void Walk(string dir, string prefix, HelmIgnore rules, string fence, List<ChartFile> files, ref long total, int depth)
    {
        if (depth > 64)
        {
            throw new HelmException($"chart directory nesting is deeper than 64 levels at {prefix}");
        }

        // Go's Walk visits entries in lexical (byte) order.
        var entries = new DirectoryInfo(dir).GetFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var rel = prefix + entry.Name;
            var target = entry;
            // The attribute comes with the directory listing; asking for LinkTarget costs a readlink per entry.
            if ((entry.Attributes & FileAttributes.ReparsePoint) != 0 && entry.LinkTarget is not null)
            {
                var resolved = entry.ResolveLinkTarget(returnFinalTarget: true)
                    ?? throw new HelmException($"cannot resolve symbolic link {rel}");
                if (!IsInside(resolved.FullName, fence))
                {
                    throw new HelmException($"symbolic link {rel} points outside the chart's repository");
                }

                if (!resolved.Exists)
                {
                    throw new HelmException($"symbolic link {rel} points to a missing file");
                }

                target = resolved;
            }

            var isDir = target is DirectoryInfo;
            if (rules.Ignore(rel, isDir))
            {
                continue;
            }

            if (isDir)
            {
                Walk(target.FullName, rel + "/", rules, fence, files, ref total, depth + 1);
                continue;
            }

            var fi = (FileInfo)target;
            if ((fi.Attributes & (FileAttributes.Device | FileAttributes.System)) != 0)
            {
                throw new HelmException($"cannot load irregular file {rel} as it has file mode type bits set");
            }

            if (fi.Length > MaxFileBytes)
            {
                throw new HelmException($"chart file \"{fi.Name}\" is larger than the maximum file size {MaxFileBytes}");
            }

            total += fi.Length;
            if (total > MaxChartBytes)
            {
                throw new HelmException($"chart is larger than the maximum size {MaxChartBytes}");
            }

            files.Add(new ChartFile(rel, TrimBom(File.ReadAllBytes(fi.FullName))));
        }
    }

    private static bool IsInside(string path, string fence)
    {
        var full = Path.GetFullPath(path);
        return full == fence || full.StartsWith(fence.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>Loads a packaged chart (.tgz).</summary>
    public static Chart LoadArchive(Stream archive, string name) => LoadFiles(ReadArchive(archive), name);

    /// <summary>The files of a chart archive, the top directory removed, checked as Helm's LoadArchiveFiles does.</summary>
    public static List<ChartFile> ReadArchive(Stream archive)
    {
        var files = new List<ChartFile>();
        long remaining = MaxChartBytes;
        try
        {
            using var gz = new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry(copyData: false) is { } entry)
            {
                if (entry.EntryType is TarEntryType.Directory or TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
                {
                    continue;
                }

                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
                {
                    // Links and devices carry no content of their own; Helm reads them as empty files.
                    continue;
                }

                var delimiter = entry.Name.Contains('\\', StringComparison.Ordinal) ? '\\' : '/';
                var parts = entry.Name.Split(delimiter);
                var n = string.Join('/', parts.Skip(1));
                if (n.StartsWith('/'))
                {
                    throw new HelmException("chart illegally contains absolute paths");
                }

                n = CleanPath(n);
                if (n == ".")
                {
                    throw new HelmException($"chart illegally contains content outside the base directory: \"{entry.Name}\"");
                }

                if (n.StartsWith("..", StringComparison.Ordinal))
                {
                    throw new HelmException("chart illegally references parent directory");
                }

                if (n.Length >= 2 && char.IsAsciiLetter(n[0]) && n[1] == ':')
                {
                    throw new HelmException("chart contains illegally named files");
                }

                if (parts[0] == "Chart.yaml")
                {
                    throw new HelmException("chart yaml not in base directory");
                }

                if (entry.Length > remaining)
                {
                    throw new HelmException($"decompressed chart is larger than the maximum size {MaxChartBytes}");
                }

                if (entry.Length > MaxFileBytes)
                {
                    throw new HelmException($"decompressed chart file \"{entry.Name}\" is larger than the maximum file size {MaxFileBytes}");
                }

                using var ms = new MemoryStream();
                entry.DataStream?.CopyTo(ms);
                remaining -= ms.Length;
                if (ms.Length < entry.Length || remaining <= 0)
                {
                    throw new HelmException($"decompressed chart is larger than the maximum size {MaxChartBytes}");
                }

                files.Add(new ChartFile(n, TrimBom(ms.ToArray())));
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new HelmException("the archive is not a gzipped tar file: " + e.Message, e);
        }

        if (files.Count == 0)
        {
            throw new HelmException("no files in chart archive");
        }

        return files;
    }

    /// <summary>Go's path.Clean for a relative path.</summary>
    internal static string CleanPath(string p)
    {
        var rooted = p.StartsWith('/');
        var stack = new List<string>();
        foreach (var part in p.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (stack.Count > 0 && stack[^1] != "..")
                {
                    stack.RemoveAt(stack.Count - 1);
                }
                else if (!rooted)
                {
                    stack.Add("..");
                }

                continue;
            }

            stack.Add(part);
        }

        var joined = string.Join('/', stack);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    private static byte[] TrimBom(byte[] data) =>
        data.Length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF ? data[3..] : data;

    /// <summary>Helm's LoadFiles: sorts files into metadata, values, schema, templates, subcharts and the rest.</summary>
    public static Chart LoadFiles(IReadOnlyList<ChartFile> files, string origin)
    {
        ChartMetadata? md = null;
        var templates = new List<ChartFile>();
        var other = new List<ChartFile>();
        var subcharts = new SortedDictionary<string, List<ChartFile>>(StringComparer.Ordinal);
        Dictionary<string, object?>? values = null;
        byte[]? schema = null;
        JsonNode? requirements = null;
        byte[]? requirementsData = null;
        byte[]? requirementsLock = null;
        ChartLock? chartLock = null;

        foreach (var f in files)
        {
            switch (f.Name)
            {
                case "Chart.yaml":
                    md ??= new ChartMetadata();
                    ChartMetadata.Read(ParseYaml(f, "Chart.yaml"), md, "Chart.yaml");
                    if (md.ApiVersion.Length == 0)
                    {
                        // Helm 2 charts may omit apiVersion; Helm reads them as v1.
                        md.ApiVersion = ChartMetadata.ApiVersionV1;
                    }

                    break;
                case "Chart.lock":
                    chartLock = ChartLock.Read(ParseYaml(f, "Chart.lock"), "Chart.lock");
                    break;
                case "values.yaml":
                    values = ReadValues(f.Data, "values.yaml");
                    break;
                case "values.schema.json":
                    schema = f.Data;
                    break;
                case "requirements.yaml":
                    requirements = ParseYaml(f, "requirements.yaml");
                    requirementsData = f.Data;
                    break;
                case "requirements.lock":
                    // As in Helm, whichever lock file comes last in the walk is the chart's lock.
                    chartLock = ChartLock.Read(ParseYaml(f, "requirements.lock"), "requirements.lock");
                    requirementsLock = f.Data;
                    break;
                default:
                    if (f.Name.StartsWith("templates/", StringComparison.Ordinal))
                    {
                        templates.Add(f);
                    }
                    else if (f.Name.StartsWith("charts/", StringComparison.Ordinal))
                    {
                        if (Path.GetExtension(f.Name) == ".prov")
                        {
                            other.Add(f);
                            continue;
                        }

                        var rest = f.Name["charts/".Length..];
                        var slash = rest.IndexOf('/', StringComparison.Ordinal);
                        var cname = slash < 0 ? rest : rest[..slash];
                        if (!subcharts.TryGetValue(cname, out var list))
                        {
                            subcharts[cname] = list = [];
                        }

                        list.Add(new ChartFile(rest, f.Data));
                    }
                    else
                    {
                        other.Add(f);
                    }

                    break;
            }
        }

        if (md is null)
        {
            throw new HelmException($"Chart.yaml file is missing in {origin}");
        }

        // requirements.yaml (Helm 2 style dependencies) is read into the metadata; v1 charts also keep it as a file.
        if (requirements is not null)
        {
            ChartMetadata.Read(requirements, md, "requirements.yaml");
            if (md.ApiVersion == ChartMetadata.ApiVersionV1)
            {
                other.Add(new ChartFile("requirements.yaml", requirementsData!));
            }
        }

        if (requirementsLock is not null && md.ApiVersion == ChartMetadata.ApiVersionV1)
        {
            other.Add(new ChartFile("requirements.lock", requirementsLock));
        }

        var chart = new Chart(md)
        {
            Templates = templates,
            Files = other,
            Values = values ?? new Dictionary<string, object?>(StringComparer.Ordinal),
            Schema = schema,
            Lock = chartLock,
        };
        md.Validate();

        foreach (var (n, subFiles) in subcharts)
        {
            if (n.StartsWith('_') || n.StartsWith('.'))
            {
                continue;
            }

            Chart sub;
            try
            {
                if (Path.GetExtension(n) == ".tgz")
                {
                    var file = subFiles[0];
                    if (file.Name != n)
                    {
                        throw new HelmException($"error unpacking subchart tar in {md.Name}: expected {n}, got {file.Name}");
                    }

                    using var ms = new MemoryStream(file.Data, writable: false);
                    sub = LoadArchive(ms, n);
                }
                else
                {
                    var buffered = new List<ChartFile>();
                    foreach (var f in subFiles)
                    {
                        var slash = f.Name.IndexOf('/', StringComparison.Ordinal);
                        if (slash < 0)
                        {
                            continue;
                        }

                        buffered.Add(new ChartFile(f.Name[(slash + 1)..], f.Data));
                    }

                    sub = LoadFiles(buffered, n);
                }
            }
            catch (HelmException e)
            {
                throw new HelmException($"error unpacking subchart {n} in {md.Name}: {e.Message}", e.File, e.Line, e.Column, e);
            }

            chart.AddDependency(sub);
        }

        return chart;
    }

    private static JsonNode? ParseYaml(ChartFile f, string what)
    {
        try
        {
            return KubeYaml.Parse(Encoding.UTF8.GetString(f.Data), FirstDocument);
        }
        catch (YamlException e)
        {
            throw new HelmException($"cannot load {what}: error converting YAML to JSON: {YamlMessage(e)}", what, e.Line, e.Column, e);
        }
    }

    /// <summary>go-yaml's message form: "yaml: line N: problem".</summary>
    internal static string YamlMessage(YamlException e) =>
        e.Line > 0 && e.Problem.Length > 0 ? $"yaml: line {e.Line}: {YamlContext().Replace(e.Problem, "")}" : e.Message;

    // go-yaml reports only the problem, not libyaml's context ("while scanning a simple key from line 10, column 1").
    [GeneratedRegex(@" \(while [^()]*\)$")]
    private static partial Regex YamlContext();

    /// <summary>Reads a values document (values.yaml, -f files) as Helm's ReadValues: a map, numbers as float64.</summary>
    public static Dictionary<string, object?> ReadValues(byte[] data, string name)
    {
        JsonNode? node;
        try
        {
            node = KubeYaml.Parse(Encoding.UTF8.GetString(data), FirstDocument);
        }
        catch (YamlException e)
        {
            throw new HelmException($"cannot load {name}: error converting YAML to JSON: {YamlMessage(e)}", name, e.Line, e.Column, e);
        }

        return node switch
        {
            null => new Dictionary<string, object?>(StringComparer.Ordinal),
            JsonObject obj => (Dictionary<string, object?>)GoValues.FromJson(obj)!,
            JsonArray => throw new HelmException($"cannot load {name}: error unmarshaling JSON: json: cannot unmarshal array into Go value of type map[string]interface {{}}", name),
            _ => throw new HelmException($"cannot load {name}: error unmarshaling JSON: json: cannot unmarshal {KindOf(node)} into Go value of type map[string]interface {{}}", name),
        };
    }

    private static string KindOf(JsonNode node) => node.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => "string",
        System.Text.Json.JsonValueKind.Number => "number",
        _ => "bool",
    };
}
