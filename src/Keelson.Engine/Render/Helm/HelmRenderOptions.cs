namespace Keelson.Engine.Render.Helm;

/// <summary>A values file (<c>-f</c>): its name for messages and its YAML text.</summary>
public sealed record HelmValuesFile(string Name, string Content);

/// <summary>What <c>helm template</c> takes on its command line, plus Keelson's limits.</summary>
public sealed record HelmRenderOptions
{
    /// <summary><c>.Release.Name</c>. <c>helm template</c> without a name uses "release-name".</summary>
    public string ReleaseName { get; init; } = "release-name";

    /// <summary><c>--name-template</c>: a template (Sprig functions, no data) whose output is the release name.</summary>
    public string? NameTemplate { get; init; }

    public string Namespace { get; init; } = "default";

    /// <summary>Whose output to reproduce; Helm 3 unless asked otherwise.</summary>
    public HelmVersion HelmVersion { get; init; } = HelmVersion.V3;

    /// <summary><c>-f</c> files in order: later files win.</summary>
    public IReadOnlyList<HelmValuesFile> ValuesFiles { get; init; } = [];

    /// <summary><c>--set-json</c> arguments, applied after the files.</summary>
    public IReadOnlyList<string> SetJson { get; init; } = [];

    /// <summary><c>--set</c> arguments (key=value,...), typed: ints, booleans, null.</summary>
    public IReadOnlyList<string> Set { get; init; } = [];

    /// <summary><c>--set-string</c> arguments: values stay strings (Argo CD's forceString).</summary>
    public IReadOnlyList<string> SetString { get; init; } = [];

    /// <summary><c>--set-file</c> arguments: key=path, the value read through <see cref="ReadFile"/>.</summary>
    public IReadOnlyList<string> SetFile { get; init; } = [];

    /// <summary>Reads a <c>--set-file</c> path; required when <see cref="SetFile"/> is used.</summary>
    public Func<string, string>? ReadFile { get; init; }

    /// <summary><c>--kube-version</c>; null uses <see cref="DefaultKubeVersion"/>.</summary>
    public string? KubeVersion { get; init; }

    /// <summary>
    /// The Kubernetes version a render assumes when none is given. A released helm binary uses the version of the
    /// client-go it was built with; Helm's own tests use v1.20.0.
    /// </summary>
    public string DefaultKubeVersion { get; init; } = "v1.35.0";

    /// <summary><c>--api-versions</c>, added to Helm's default set.</summary>
    public IReadOnlyList<string> ApiVersions { get; init; } = [];

    /// <summary><c>--include-crds</c>: put the raw files of crds/ first in the output.</summary>
    public bool IncludeCrds { get; init; }

    /// <summary><c>--is-upgrade</c>: .Release.IsUpgrade instead of .Release.IsInstall.</summary>
    public bool IsUpgrade { get; init; }

    /// <summary>
    /// Packaged charts (.tgz) that stand in for dependencies missing from charts/, as <c>helm dependency build</c>
    /// would have put them there (see <see cref="Source.Helm.HelmRepoSource.FetchMissingDependenciesAsync(string, Func{Uri, Source.Helm.HelmRepoConnection}, CancellationToken)"/>).
    /// </summary>
    public IReadOnlyList<string> FetchedDependencies { get; init; } = [];

    public RenderLimits Limits { get; init; } = new();
}
