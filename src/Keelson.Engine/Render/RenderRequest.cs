using System.Text.Json;
using System.Text.Json.Nodes;
using Keelson.Engine.Render.Helm;

namespace Keelson.Engine.Render;

/// <summary>Plain-directory options, with Argo CD's semantics (globs match the path relative to the app path).</summary>
public sealed record DirectoryOptions
{
    /// <summary>Also read subdirectories (symbolic links to directories are checked but not followed).</summary>
    public bool Recurse { get; init; }

    /// <summary>Glob of files to read; <c>*</c> also matches <c>/</c>, <c>{a,b}</c> picks either. Empty means all.</summary>
    public string Include { get; init; } = "*.{yaml,yml,json}";

    /// <summary>Glob of files to skip; wins over <see cref="Include"/>. Empty means none.</summary>
    public string Exclude { get; init; } = "";
}

/// <summary>Per-application Kustomize options; none yet. Kustomize is chosen by the presence of a kustomization file.</summary>
public sealed record KustomizeOptions;

/// <summary>What to render: a directory of a checked-out repository, with its options.</summary>
public sealed record RenderRequest
{
    /// <summary>Absolute path of the checked-out repository; nothing outside it is ever read.</summary>
    public required string RepoRoot { get; init; }

    /// <summary>The app path inside the repository, relative ("" or "." is the root).</summary>
    public required string Path { get; init; }

    public DirectoryOptions Directory { get; init; } = new();

    public KustomizeOptions? Kustomize { get; init; }

    /// <summary>For a chart directory (one holding Chart.yaml): the Application's <c>spec.source.helm</c>.</summary>
    public HelmSourceOptions? Helm { get; init; }

    /// <summary>
    /// Identifies the repository content, e.g. "repo-url@commit-sha". With it the result is cached by (key, path,
    /// options); without it nothing is cached. The key must change whenever the files may have changed.
    /// </summary>
    public string? CacheKey { get; init; }

    /// <summary>A hard refresh: render again even when a cached result exists (and cache the new one).</summary>
    public bool Hard { get; init; }
}

/// <summary>
/// One rendered object with where it came from: the file (relative to the repository root, '/'-separated) and the
/// 0-based index of its YAML document in that file. Objects flattened out of a List share the List's index. For
/// Kustomize the file is the kustomization and the index counts documents of kustomize's output.
/// </summary>
public sealed class RenderedObject
{
    // Compact UTF-8 JSON, not a parsed tree: renders are cached for every Application, and a tree costs several times
    // its bytes (at 1,000 Applications the trees were most of the operator's heap) while a steady state reads none.
    private readonly byte[] _body;

    public RenderedObject(JsonObject obj, string sourceFile, int documentIndex)
    {
        ArgumentNullException.ThrowIfNull(obj);
        _body = JsonSerializer.SerializeToUtf8Bytes(obj);
        Kind = obj["kind"] is JsonValue kind && kind.TryGetValue<string>(out var text) ? text : "";
        SourceFile = sourceFile;
        DocumentIndex = documentIndex;
    }

    private RenderedObject(byte[] body, string kind, string sourceFile, int documentIndex)
    {
        _body = body;
        Kind = kind;
        SourceFile = sourceFile;
        DocumentIndex = documentIndex;
    }

    /// <summary>The object, parsed afresh on each read: the copy is the caller's to change.</summary>
    public JsonObject Object => (JsonObject)JsonNode.Parse(_body)!;

    /// <summary>The object's <c>kind</c> ("" when it has none), readable without parsing it.</summary>
    public string Kind { get; }

    public string SourceFile { get; }

    public int DocumentIndex { get; }

    /// <summary>The same object at another document index (the bytes are shared, they never change).</summary>
    internal RenderedObject WithDocumentIndex(int index) => new(_body, Kind, SourceFile, index);
}

/// <summary>The objects of one render, in a deterministic order. Results are cached and shared between callers.</summary>
public sealed record RenderResult(IReadOnlyList<RenderedObject> Objects, string Renderer);

/// <summary>A render failed because of the repository's content or limits; the message says what and where.</summary>
public sealed class RenderException : Exception
{
    public RenderException(string message)
        : base(message)
    {
    }

    public RenderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal RenderException(string message, string? file, int? document = null, int? line = null, int? column = null, Exception? inner = null)
        : base(message, inner)
    {
        File = file;
        Document = document;
        Line = line;
        Column = column;
    }

    /// <summary>The file at fault, relative to the repository root.</summary>
    public string? File { get; }

    /// <summary>1-based index of the YAML document at fault, when known.</summary>
    public int? Document { get; }

    /// <summary>1-based line, when known.</summary>
    public int? Line { get; }

    /// <summary>1-based column, when known.</summary>
    public int? Column { get; }
}
