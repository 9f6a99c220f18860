using System.Text.Json.Nodes;

namespace Keelson.Engine.Render.Helm;

/// <summary>
/// An Application's <c>spec.source.helm</c>, as Argo CD reads it. Value files are relative to the chart directory and
/// must stay inside the repository; the precedence is the chart's values.yaml &lt; <see cref="ValueFiles"/> (in order)
/// &lt; <see cref="Values"/> or <see cref="ValuesObject"/> (the object wins when both are set) &lt;
/// <see cref="Parameters"/>.
/// </summary>
public sealed record HelmSourceOptions
{
    /// <summary><c>.Release.Name</c>; the operator passes the Application's name when the spec leaves it empty.</summary>
    public required string ReleaseName { get; init; }

    /// <summary><c>.Release.Namespace</c>: the destination namespace.</summary>
    public string Namespace { get; init; } = "default";

    public IReadOnlyList<string> ValueFiles { get; init; } = [];

    /// <summary>Values as a YAML string.</summary>
    public string? Values { get; init; }

    /// <summary>Values as an object; wins over <see cref="Values"/>.</summary>
    public JsonObject? ValuesObject { get; init; }

    /// <summary><c>--set</c> (or, with ForceString, <c>--set-string</c>) parameters, in order.</summary>
    public IReadOnlyList<HelmParameter> Parameters { get; init; } = [];

    /// <summary>Leave the chart's crds/ out of the objects.</summary>
    public bool SkipCrds { get; init; }

    /// <summary>Overrides the cluster's version for <c>.Capabilities.KubeVersion</c>.</summary>
    public string? KubeVersion { get; init; }

    /// <summary>API versions for <c>.Capabilities.APIVersions</c> (the spec's, or the cluster's discovery), added to Helm's default set.</summary>
    public IReadOnlyList<string> ApiVersions { get; init; } = [];

    /// <summary>A value file that does not exist is skipped instead of failing the render.</summary>
    public bool IgnoreMissingValueFiles { get; init; }

    /// <summary><c>v3</c> (default) or <c>v4</c>: whose output and value semantics to reproduce.</summary>
    public string? Version { get; init; }

    /// <summary>
    /// Dependencies not vendored in charts/, fetched beforehand by the Source stage
    /// (<see cref="Source.Helm.HelmRepoSource.FetchMissingDependenciesAsync(string, Func{Uri, Source.Helm.HelmRepoConnection}, CancellationToken)"/>):
    /// paths of cached .tgz files, which the renderer only reads.
    /// </summary>
    public IReadOnlyList<string> FetchedDependencies { get; init; } = [];

    /// <summary>Render time and size bounds.</summary>
    public RenderLimits Limits { get; init; } = new();
}

/// <summary>One <c>spec.source.helm.parameters</c> entry.</summary>
public sealed record HelmParameter(string Name, string Value, bool ForceString = false);
