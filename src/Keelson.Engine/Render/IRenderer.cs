namespace Keelson.Engine.Render;

/// <summary>
/// One kind of source (plain directory, Kustomize, later Helm). <see cref="ManifestRenderer"/> asks each in turn
/// whether the app directory is its kind and uses the first that says yes; the plain directory renderer says yes to
/// anything, so it goes last.
/// </summary>
internal interface IRenderer
{
    /// <summary>Reported in <see cref="RenderResult.Renderer"/>: "directory", "kustomize", "helm".</summary>
    string Name { get; }

    bool Matches(RenderSource source);

    Task<RenderOutput> RenderAsync(RenderSource source, CancellationToken cancellationToken);
}

/// <summary>A validated app directory: <see cref="Directory"/> is real, absolute and inside <see cref="Tree"/>.</summary>
internal sealed record RenderSource(RepoTree Tree, string AppPath, string Directory, RenderRequest Request);

/// <summary>A renderer's result and how many bytes it stands for (for the cache's size bound).</summary>
internal sealed record RenderOutput(IReadOnlyList<RenderedObject> Objects, long Bytes);
