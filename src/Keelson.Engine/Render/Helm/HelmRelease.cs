namespace Keelson.Engine.Render.Helm;

/// <summary>When Keelson applies a hook relative to the chart's other objects.</summary>
public enum HelmHookPhase
{
    /// <summary>pre-install / pre-upgrade: before the main apply.</summary>
    BeforeApply,

    /// <summary>post-install / post-upgrade: after the main apply.</summary>
    AfterApply,

    /// <summary>Tests, delete and rollback hooks: never applied by a sync.</summary>
    Skip,
}

/// <summary>A rendered document that is not a hook. <see cref="SourcePath"/> is what <c># Source:</c> shows.</summary>
public sealed record HelmManifest(string SourcePath, string Content, string ApiVersion, string Kind, string Name);

/// <summary>A rendered hook document (<c>helm.sh/hook</c>), with its events, weight and delete policies.</summary>
public sealed record HelmHook(string SourcePath, string Content, string ApiVersion, string Kind, string Name, IReadOnlyList<string> Events, int Weight, IReadOnlyList<string> DeletePolicies)
{
    public bool IsTest => Events.Contains("test");

    /// <summary>
    /// Install/upgrade events map to before/after the main apply (as Argo CD maps them to PreSync/PostSync); a hook
    /// with both a pre- and a post- event runs before. Anything else (test, delete, rollback) is skipped.
    /// </summary>
    public HelmHookPhase Phase =>
        Events.Any(e => e is "pre-install" or "pre-upgrade") ? HelmHookPhase.BeforeApply
        : Events.Any(e => e is "post-install" or "post-upgrade") ? HelmHookPhase.AfterApply
        : HelmHookPhase.Skip;
}

/// <summary>A file of crds/, emitted verbatim (never templated).</summary>
public sealed record HelmCrd(string SourcePath, string Content);

/// <summary>The result of rendering a chart: what Helm's install action holds before it talks to a cluster.</summary>
public sealed class HelmRelease
{
    internal HelmRelease(string name, string ns, HelmVersion version, string manifest, IReadOnlyList<HelmManifest> manifests, IReadOnlyList<HelmHook> hooks, IReadOnlyList<HelmCrd> crds, bool crdsInManifest, string notes, IReadOnlyList<string> warnings)
    {
        Name = name;
        Namespace = ns;
        HelmVersion = version;
        Manifest = manifest;
        Manifests = manifests;
        Hooks = hooks;
        Crds = crds;
        CrdsInManifest = crdsInManifest;
        Notes = notes;
        Warnings = warnings;
    }

    public string Name { get; }

    public string Namespace { get; }

    public HelmVersion HelmVersion { get; }

    /// <summary>Helm's release manifest: the CRDs (when included) and the non-hook documents, each with its header.</summary>
    public string Manifest { get; }

    /// <summary>Non-hook documents in Helm's install order.</summary>
    public IReadOnlyList<HelmManifest> Manifests { get; }

    /// <summary>Hooks in Helm's order (by kind, then path and position).</summary>
    public IReadOnlyList<HelmHook> Hooks { get; }

    /// <summary>Every CRD file of the chart and its enabled subcharts, whether or not it is in <see cref="Manifest"/>.</summary>
    public IReadOnlyList<HelmCrd> Crds { get; }

    internal bool CrdsInManifest { get; }

    /// <summary>The root chart's rendered NOTES.txt.</summary>
    public string Notes { get; }

    /// <summary>What Helm would log while rendering (value coalescing conflicts, unknown hooks...).</summary>
    public IReadOnlyList<string> Warnings { get; }
}
