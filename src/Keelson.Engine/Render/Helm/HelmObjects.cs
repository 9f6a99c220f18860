using System.Globalization;
using System.Text;
using Keelson.Templating;
using Keelson.Templating.Semver;

namespace Keelson.Engine.Render.Helm;

/// <summary>Which Helm's behaviour to reproduce where Helm 3 and Helm 4 differ.</summary>
public enum HelmVersion
{
    /// <summary>Helm 3.21: every document is trimmed; chart-default nulls delete subchart defaults.</summary>
    V3 = 3,

    /// <summary>Helm 4.2: documents keep their trailing newline; chart-default nulls are not copied.</summary>
    V4 = 4,
}

/// <summary>
/// The Go types templates observe for Helm's built-in objects. Helm 3 declares them in package chartutil, Helm 4 in
/// package common, which <c>%T</c> and <c>typeOf</c> show.
/// </summary>
internal sealed class HelmTypes
{
    public static readonly HelmTypes V3 = new("chartutil", "chart", "v3.21.4");
    public static readonly HelmTypes V4 = new("common", "v2", "v4.2.4");

    private HelmTypes(string package, string chartPackage, string helmVersion)
    {
        HelmVersionString = helmVersion;

        Values = new GoTypeBuilder(package + ".Values", GoType.MapOfStringInterface)
            .Method("YAML", new GoSignature([], GoType.String, ReturnsError: true), static (r, _, _) => HelmFunctions.ToYamlOrThrow(r))
            .Method("AsMap", new GoSignature([], GoType.MapOfStringInterface), static (r, _, _) => new Dictionary<string, object?>((HelmValues)r, StringComparer.Ordinal))
            .Method("Table", new GoSignature([GoType.String], GoType.Interface, ReturnsError: true), static (r, _, a) =>
                ValueTree.Table((HelmValues)r, (string)a[0]!) is { } t
                    ? new HelmValues(t, ((HelmValues)r).GoType)
                    : throw new InvalidOperationException($"no table named \"{a[0]}\""))
            .Method("PathValue", new GoSignature([GoType.String], GoType.Interface, ReturnsError: true), static (r, _, a) =>
                ValueTree.TryPathValue((HelmValues)r, (string)a[0]!, out var v)
                    ? v
                    : throw new InvalidOperationException($"no value for key \"{a[0]}\""))
            .Build();

        VersionSet = new GoTypeBuilder(package + ".VersionSet", GoType.SliceOfString)
            .Method("Has", new GoSignature([GoType.String], GoType.Bool), static (r, _, a) => ((ApiVersionSet)r).Contains((string)a[0]!))
            .Build();

        var kube = new GoTypeBuilder(package + ".KubeVersion");
        KubeVersion = kube
            .Field("Version", GoType.String, static o => ((KubeVersionInfo)o).Version)
            .Field("Major", GoType.String, static o => ((KubeVersionInfo)o).Major)
            .Field("Minor", GoType.String, static o => ((KubeVersionInfo)o).Minor)
            .Method("String", new GoSignature([], GoType.String), static (r, _, _) => ((KubeVersionInfo)r).ToString(), pointerReceiver: true)
            .Method("GitVersion", new GoSignature([], GoType.String), static (r, _, _) => ((KubeVersionInfo)r).Version, pointerReceiver: true)
            .Build();

        BuildInfo = new GoTypeBuilder("version.BuildInfo")
            .Field("Version", GoType.String, static o => ((HelmBuildInfo)o).Version, "version", omitEmpty: true)
            .Field("GitCommit", GoType.String, static o => ((HelmBuildInfo)o).GitCommit, "git_commit", omitEmpty: true)
            .Field("GitTreeState", GoType.String, static o => ((HelmBuildInfo)o).GitTreeState, "git_tree_state", omitEmpty: true)
            .Field("GoVersion", GoType.String, static o => ((HelmBuildInfo)o).GoVersion, "go_version", omitEmpty: true)
            .Build();

        var caps = new GoTypeBuilder(package + ".Capabilities");
        caps.Field("KubeVersion", KubeVersion, static o => ((HelmCapabilities)o).KubeVersion)
            .Field("APIVersions", VersionSet, static o => ((HelmCapabilities)o).ApiVersions)
            .Field("HelmVersion", BuildInfo, static o => ((HelmCapabilities)o).HelmVersion)
            .Build();
        Capabilities = caps.PointerType;

        // Glob returns the same named type, so it is declared once the type exists.
        var files = new GoTypeBuilder("engine.files", GoType.MapOf(GoType.String, GoType.Bytes));
        files
            .Method("Get", new GoSignature([GoType.String], GoType.String), static (r, _, a) => ((HelmFiles)r).Get((string)a[0]!))
            .Method("GetBytes", new GoSignature([GoType.String], GoType.Bytes), static (r, _, a) => ((HelmFiles)r).GetBytes((string)a[0]!))
            .Method("Lines", new GoSignature([GoType.String], GoType.SliceOfString), static (r, _, a) => ((HelmFiles)r).Lines((string)a[0]!))
            .Method("AsConfig", new GoSignature([], GoType.String), static (r, _, _) => ((HelmFiles)r).AsConfig())
            .Method("AsSecrets", new GoSignature([], GoType.String), static (r, _, _) => ((HelmFiles)r).AsSecrets())
            .Method("Glob", new GoSignature([GoType.String], files.Type), static (r, _, a) => ((HelmFiles)r).Glob((string)a[0]!))
            .Build();
        Files = files.Type;

        var chartName = $"struct {{ {chartPackage}.Metadata; IsRoot bool }}";
        Chart = new GoTypeBuilder(chartName)
            .Field("Name", GoType.String, static o => ((ChartObject)o).Md.Name, "name", omitEmpty: true)
            .Field("Home", GoType.String, static o => ((ChartObject)o).Md.Home, "home", omitEmpty: true)
            .Field("Sources", GoType.SliceOfString, static o => (object?)((ChartObject)o).Md.Sources ?? GoType.SliceOfString.Nil, "sources", omitEmpty: true)
            .Field("Version", GoType.String, static o => ((ChartObject)o).Md.Version, "version", omitEmpty: true)
            .Field("Description", GoType.String, static o => ((ChartObject)o).Md.Description, "description", omitEmpty: true)
            .Field("Keywords", GoType.SliceOfString, static o => (object?)((ChartObject)o).Md.Keywords ?? GoType.SliceOfString.Nil, "keywords", omitEmpty: true)
            .Field("Maintainers", GoType.SliceOf(ChartMaintainer.PointerType), static o => Maintainers(((ChartObject)o).Md), "maintainers", omitEmpty: true)
            .Field("Icon", GoType.String, static o => ((ChartObject)o).Md.Icon, "icon", omitEmpty: true)
            .Field("APIVersion", GoType.String, static o => ((ChartObject)o).Md.ApiVersion, "apiVersion", omitEmpty: true)
            .Field("Condition", GoType.String, static o => ((ChartObject)o).Md.Condition, "condition", omitEmpty: true)
            .Field("Tags", GoType.String, static o => ((ChartObject)o).Md.Tags, "tags", omitEmpty: true)
            .Field("AppVersion", GoType.String, static o => ((ChartObject)o).Md.AppVersion, "appVersion", omitEmpty: true)
            .Field("Deprecated", GoType.Bool, static o => ((ChartObject)o).Md.Deprecated, "deprecated", omitEmpty: true)
            .Field("Annotations", GoType.MapOfStringString, static o => (object?)((ChartObject)o).Md.Annotations ?? GoType.MapOfStringString.Nil, "annotations", omitEmpty: true)
            .Field("KubeVersion", GoType.String, static o => ((ChartObject)o).Md.KubeVersion, "kubeVersion", omitEmpty: true)
            .Field("Dependencies", GoType.SliceOf(ChartDependency.PointerType), static o => Dependencies(((ChartObject)o).Md), "dependencies", omitEmpty: true)
            .Field("Type", GoType.String, static o => ((ChartObject)o).Md.Type, "type", omitEmpty: true)
            .Field("IsRoot", GoType.Bool, static o => ((ChartObject)o).IsRoot)
            .Build();
    }

    public string HelmVersionString { get; }

    public GoType Values { get; }

    public GoType VersionSet { get; }

    public GoType KubeVersion { get; }

    public GoType BuildInfo { get; }

    public GoType Capabilities { get; }

    public GoType Files { get; }

    public GoType Chart { get; }

    public static HelmTypes For(HelmVersion version) => version == HelmVersion.V4 ? V4 : V3;

    private static object Maintainers(ChartMetadata md) =>
        md.Maintainers is null ? GoType.SliceOf(ChartMaintainer.PointerType).Nil : new TypedList(GoType.SliceOf(ChartMaintainer.PointerType), md.Maintainers.Cast<object?>());

    private static object Dependencies(ChartMetadata md) =>
        md.Dependencies is null ? GoType.SliceOf(ChartDependency.PointerType).Nil : new TypedList(GoType.SliceOf(ChartDependency.PointerType), md.Dependencies.Cast<object?>());
}

/// <summary>A slice of a declared element type ([]*chart.Maintainer).</summary>
internal sealed class TypedList : List<object?>, IGoValue
{
    public TypedList(GoType type, IEnumerable<object?> items)
        : base(items)
    {
        GoType = type;
    }

    public GoType GoType { get; }
}

/// <summary>chartutil.Values / common.Values: the type of <c>.Values</c>, the top-level render context and <c>.Template</c>.</summary>
internal sealed class HelmValues : Dictionary<string, object?>, IGoValue
{
    public HelmValues(IDictionary<string, object?> entries, GoType type)
        : base(entries, StringComparer.Ordinal)
    {
        GoType = type;
    }

    public HelmValues(GoType type)
        : base(StringComparer.Ordinal)
    {
        GoType = type;
    }

    public GoType GoType { get; }
}

/// <summary>.Capabilities.APIVersions.</summary>
internal sealed class ApiVersionSet : List<string>, IGoValue
{
    public ApiVersionSet(IEnumerable<string> versions, GoType type)
        : base(versions)
    {
        GoType = type;
    }

    public GoType GoType { get; }
}

/// <summary>.Capabilities.KubeVersion.</summary>
internal sealed class KubeVersionInfo : IGoValue
{
    public KubeVersionInfo(string version, string major, string minor, GoType type)
    {
        Version = version;
        Major = major;
        Minor = minor;
        GoType = type;
    }

    public string Version { get; }

    public string Major { get; }

    public string Minor { get; }

    public GoType GoType { get; }

    /// <summary>The version without suffixes, used for kubeVersion constraints (v1.33.4 for v1.33.4-gke.1245000).</summary>
    public string Normalized { get; init; } = "";

    public override string ToString() => Normalized.Length > 0 ? Normalized : Version;

    /// <summary>
    /// Parses <c>--kube-version</c>. Helm 3 reads it as a semantic version ("1.30" becomes v1.30.0); Helm 4 as
    /// Kubernetes' version.ParseGeneric does, keeping the text ("v1.33.4-gke.1") with a normalised form for checks.
    /// </summary>
    public static KubeVersionInfo Parse(string text, HelmVersion version, GoType type)
    {
        if (version == HelmVersion.V3)
        {
            if (!SemverVersion.TryParse(text, out var sv))
            {
                throw new HelmException($"invalid kube version '{text}': Invalid Semantic Version");
            }

            var full = $"v{sv.Major}.{sv.Minor}.{sv.Patch}" + (sv.Prerelease.Length > 0 ? "-" + sv.Prerelease : "") + (sv.Metadata.Length > 0 ? "+" + sv.Metadata : "");
            return new KubeVersionInfo(full, sv.Major.ToString(CultureInfo.InvariantCulture), sv.Minor.ToString(CultureInfo.InvariantCulture), type);
        }

        var s = text.Trim();
        var body = s.StartsWith('v') ? s[1..] : s;
        var end = 0;
        while (end < body.Length && (char.IsAsciiDigit(body[end]) || body[end] == '.'))
        {
            end++;
        }

        var numeric = body[..end].Split('.');
        if (numeric.Length is < 2 or > 3 || numeric.Any(p => p.Length == 0 || p.Length > 1 && p[0] == '0') || end < body.Length && body[end] is not ('-' or '+'))
        {
            throw new HelmException($"invalid kube version '{text}': could not parse \"{text}\" as version");
        }

        var parts = numeric.Select(p => ulong.Parse(p, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)).ToList();
        if (parts.Count == 2)
        {
            parts.Add("0");
        }

        return new KubeVersionInfo(s.StartsWith('v') ? s : "v" + s, parts[0], parts[1], type) { Normalized = "v" + string.Join('.', parts) };
    }
}

/// <summary>.Capabilities.HelmVersion.</summary>
internal sealed class HelmBuildInfo(string version, GoType type) : IGoValue
{
    public string Version { get; } = version;

    public string GitCommit { get; } = "";

    public string GitTreeState { get; } = "clean";

    public string GoVersion { get; } = "go1.24";

    public GoType GoType { get; } = type;
}

/// <summary>.Capabilities.</summary>
internal sealed class HelmCapabilities(KubeVersionInfo kubeVersion, ApiVersionSet apiVersions, HelmBuildInfo helmVersion, GoType type) : IGoValue
{
    public KubeVersionInfo KubeVersion { get; } = kubeVersion;

    public ApiVersionSet ApiVersions { get; } = apiVersions;

    public HelmBuildInfo HelmVersion { get; } = helmVersion;

    public GoType GoType { get; } = type;
}

/// <summary>.Chart: the chart's metadata plus IsRoot.</summary>
internal sealed class ChartObject(ChartMetadata md, bool isRoot, GoType type) : IGoValue
{
    public ChartMetadata Md { get; } = md;

    public bool IsRoot { get; } = isRoot;

    public GoType GoType { get; } = type;
}

/// <summary>.Files: a chart's non-template files, with Helm's accessors.</summary>
internal sealed class HelmFiles : Dictionary<string, byte[]>, IGoValue
{
    private readonly HelmTypes _types;

    public HelmFiles(IEnumerable<ChartFile> files, HelmTypes types)
        : base(StringComparer.Ordinal)
    {
        _types = types;
        foreach (var f in files)
        {
            this[f.Name] = f.Data;
        }
    }

    public GoType GoType => _types.Files;

    public byte[] GetBytes(string name) => TryGetValue(name, out var data) ? data : [];

    public string Get(string name) => Encoding.UTF8.GetString(GetBytes(name));

    public HelmFiles Glob(string pattern)
    {
        var regex = GoGlob.CompileFilesGlob(pattern);
        return new HelmFiles(this.Where(kv => regex.IsMatch(kv.Key)).Select(kv => new ChartFile(kv.Key, kv.Value)), _types);
    }

    public List<string> Lines(string path)
    {
        if (!TryGetValue(path, out var data) || data.Length == 0)
        {
            return [];
        }

        var s = Encoding.UTF8.GetString(data);
        if (s.EndsWith('\n'))
        {
            s = s[..^1];
        }

        return [.. s.Split('\n')];
    }

    public string AsConfig()
    {
        var m = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in this)
        {
            m[BaseName(k)] = Encoding.UTF8.GetString(v);
        }

        return HelmFunctions.ToYaml(m);
    }

    public string AsSecrets()
    {
        var m = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in this)
        {
            m[BaseName(k)] = Convert.ToBase64String(v);
        }

        return HelmFunctions.ToYaml(m);
    }

    private static string BaseName(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? path : path[(slash + 1)..];
    }
}
