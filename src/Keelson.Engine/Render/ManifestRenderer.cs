using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keelson.Engine.Render;

/// <summary>
/// Renders an app directory of a checked-out repository into Kubernetes objects, choosing the renderer by what the
/// directory holds (a kustomization → Kustomize; otherwise plain manifests), and caches results by the caller's key
/// plus path and options. Concurrent renders of one key share a single render. Thread-safe; one per process.
/// </summary>
public sealed partial class ManifestRenderer
{
    private readonly IReadOnlyList<IRenderer> _renderers;
    private readonly LruCache<RenderResult> _cache;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<RenderResult>> _inflight = new(StringComparer.Ordinal);

    public ManifestRenderer(RenderSettings? settings = null, TimeProvider? time = null, ILogger<ManifestRenderer>? logger = null)
    {
        settings ??= new RenderSettings();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _cache = new LruCache<RenderResult>(settings.CacheBytes, settings.CacheEntries);

        // First match wins; the directory renderer matches anything and so comes last. Helm goes before Kustomize.
        _renderers =
        [
            new Helm.HelmChartRenderer(_time),
            new KustomizeRenderer(settings, _time, _logger),
            new DirectoryRenderer(settings, _logger),
        ];
    }

    /// <summary>Number of cached renders (for metrics and tests).</summary>
    public int CachedCount => _cache.Count;

    /// <exception cref="RenderException">The repository's content cannot be rendered; the message says what and where.</exception>
    public async Task<RenderResult> RenderAsync(RenderRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tree = RepoTree.Open(request.RepoRoot);
        var (appPath, directory) = tree.ResolveAppPath(request.Path);
        var source = new RenderSource(tree, appPath, directory, request);

        if (request.CacheKey is null)
        {
            return (await RenderUncachedAsync(source, cancellationToken).ConfigureAwait(false)).Result;
        }

        var key = CacheKey(request, appPath);
        if (!request.Hard && _cache.TryGet(key, out var cached))
        {
            CacheHit(_logger, appPath, request.CacheKey);
            return cached;
        }

        Task<RenderResult> shared;
        lock (_gate)
        {
            if (!_inflight.TryGetValue(key, out shared!))
            {
                // Runs to completion even if this caller gives up, so the others waiting on it are not cancelled.
                shared = RenderAndCacheAsync(source, key);
                _inflight[key] = shared;
            }
        }

        return await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<RenderResult> RenderAndCacheAsync(RenderSource source, string key)
    {
        await Task.Yield();
        try
        {
            var (result, bytes) = await RenderUncachedAsync(source, CancellationToken.None).ConfigureAwait(false);
            _cache.Add(key, result, bytes);
            return result;
        }
        finally
        {
            lock (_gate)
            {
                _inflight.Remove(key);
            }
        }
    }

    private async Task<(RenderResult Result, long Bytes)> RenderUncachedAsync(RenderSource source, CancellationToken cancellationToken)
    {
        var renderer = _renderers.First(r => r.Matches(source));
        var started = _time.GetTimestamp();
        var output = await renderer.RenderAsync(source, cancellationToken).ConfigureAwait(false);
        var elapsed = _time.GetElapsedTime(started);
        Rendered(_logger, source.AppPath, renderer.Name, output.Objects.Count, elapsed);

        return (new RenderResult(output.Objects, renderer.Name), output.Bytes);
    }

    // Options are serialised whole so a future option can never be forgotten in the key.
    private static string CacheKey(RenderRequest request, string appPath) =>
        string.Join('\n', request.CacheKey, appPath, JsonSerializer.Serialize(request.Directory), JsonSerializer.Serialize(request.Kustomize), JsonSerializer.Serialize(request.Helm));
}
