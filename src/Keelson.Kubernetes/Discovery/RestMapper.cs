using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Keelson.Kubernetes.Discovery;

/// <summary>No resource serves a kind (its CRD is not installed, or the version is not served).</summary>
public sealed class UnknownKindException(GroupVersionKind kind)
    : Exception($"no resource serves kind \"{kind.Kind}\" in version \"{kind.ApiVersion}\" (is its CRD installed?)")
{
    public GroupVersionKind Kind { get; } = kind;
}

/// <summary>
/// Maps kinds to resources from the API server's discovery documents. One group version is fetched when first
/// needed and fetched again when a kind is missing from it (CRDs appear at run time), at most once per
/// <see cref="KubeClientOptions.DiscoveryRefreshInterval"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "SemaphoreSlim needs disposing only when its AvailableWaitHandle is used.")]
public sealed partial class RestMapper
{
    private readonly KubeClient _client;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _cacheDuration;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, GroupVersionEntry> _groupVersions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _fetch = new(1, 1);
    private readonly Lock _preferredGate = new();
    private PreferredEntry? _preferred;
    private Task<PreferredEntry>? _preferredWalk;
    private long _generation;

    internal RestMapper(KubeClient client, KubeClientOptions options)
    {
        _client = client;
        _time = options.TimeProvider;
        _refreshInterval = options.DiscoveryRefreshInterval;
        _cacheDuration = options.DiscoveryCacheDuration;
        _logger = options.LoggerFactory.CreateLogger<RestMapper>();
    }

    /// <summary>The resource serving <paramref name="kind"/>; throws <see cref="UnknownKindException"/> if none does.</summary>
    public async ValueTask<ApiResource> ResolveAsync(GroupVersionKind kind, CancellationToken cancellationToken = default) =>
        await TryResolveAsync(kind, cancellationToken) ?? throw new UnknownKindException(kind);

    public async ValueTask<ApiResource?> TryResolveAsync(GroupVersionKind kind, CancellationToken cancellationToken = default)
    {
        var gv = kind.ApiVersion;
        if (_groupVersions.TryGetValue(gv, out var entry) && entry.Find(kind.Kind) is { } found)
        {
            return found;
        }

        if (entry is not null && _time.GetElapsedTime(entry.FetchedAt) < _refreshInterval)
        {
            return null;
        }

        await _fetch.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have fetched while this one waited.
            if (_groupVersions.TryGetValue(gv, out var again) && !ReferenceEquals(again, entry))
            {
                return again.Find(kind.Kind);
            }

            var fresh = await FetchGroupVersionAsync(kind.Group, kind.Version, cancellationToken);
            _groupVersions[gv] = fresh;
            if (fresh.Find(kind.Kind) is null)
            {
                LogUnknownKind(kind.Kind, gv);
            }

            return fresh.Find(kind.Kind);
        }
        finally
        {
            _fetch.Release();
        }
    }

    /// <summary>
    /// Every resource of every group at its preferred version (subresources left out), e.g. to find what can be
    /// listed and pruned. Cached for <see cref="KubeClientOptions.DiscoveryCacheDuration"/> or until <see cref="Invalidate"/>.
    /// </summary>
    public async Task<IReadOnlyList<ApiResource>> GetPreferredResourcesAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _preferred) is { } cached && _time.GetElapsedTime(cached.FetchedAt) < _cacheDuration)
        {
            return cached.Resources;
        }

        // Callers that arrive together (every worker at start-up) share one walk of discovery. The walk runs on no
        // caller's token, so one caller giving up does not fail the others; each stops waiting on its own token.
        Task<PreferredEntry> walk;
        lock (_preferredGate)
        {
            if (Volatile.Read(ref _preferred) is { } fresh && _time.GetElapsedTime(fresh.FetchedAt) < _cacheDuration)
            {
                return fresh.Resources;
            }

            // Started on the pool so its clean-up (which takes this lock) cannot run before the task is stored.
            var generation = _generation;
            walk = _preferredWalk ??= Task.Run(() => WalkPreferredAsync(generation));
        }

        return (await walk.WaitAsync(cancellationToken)).Resources;
    }

    private async Task<PreferredEntry> WalkPreferredAsync(long generation)
    {
        try
        {
            var entry = await FetchPreferredAsync(CancellationToken.None);
            lock (_preferredGate)
            {
                // An Invalidate during the walk (CRDs installed) means what was read may be stale: return it to the
                // callers that asked before, but do not cache it.
                if (generation == _generation)
                {
                    foreach (var gv in entry.GroupVersions)
                    {
                        _groupVersions[gv.GroupVersion] = gv;
                    }

                    Volatile.Write(ref _preferred, entry);
                }
            }

            return entry;
        }
        finally
        {
            lock (_preferredGate)
            {
                if (generation == _generation)
                {
                    _preferredWalk = null;
                }
            }
        }
    }

    private async Task<PreferredEntry> FetchPreferredAsync(CancellationToken cancellationToken)
    {
        var entries = await FetchGroupVersionsAsync(preferredOnly: true, cancellationToken);
        return new PreferredEntry([.. entries.SelectMany(e => e.Resources)], entries, _time.GetTimestamp());
    }

    /// <summary>
    /// Every group/version the server serves (not only the preferred ones) with its resources, read afresh: what Helm's
    /// <c>.Capabilities.APIVersions</c> lists on a real install. Not cached; callers keep what they need.
    /// </summary>
    public async Task<IReadOnlyList<(string GroupVersion, IReadOnlyList<ApiResource> Resources)>> GetServedAsync(CancellationToken cancellationToken = default) =>
        [.. (await FetchGroupVersionsAsync(preferredOnly: false, cancellationToken)).Select(e => (e.GroupVersion, e.Resources))];

    /// <summary>Reads /api and /apis, then the resources of each group/version: the preferred one of each group, or all.</summary>
    private async Task<GroupVersionEntry[]> FetchGroupVersionsAsync(bool preferredOnly, CancellationToken cancellationToken)
    {
        var versions = new List<(string Group, string Version)>();
        if (await _client.GetJsonAsync("/api", cancellationToken) is JsonObject core && Json.Array(core, "versions") is { } coreVersions)
        {
            var served = coreVersions.OfType<JsonValue>().Select(v => v.TryGetValue(out string? text) ? text : null).OfType<string>();
            versions.AddRange((preferredOnly ? served.Take(1) : served).Select(v => ("", v)));
        }

        if (await _client.GetJsonAsync("/apis", cancellationToken) is JsonObject groups && Json.Array(groups, "groups") is { } list)
        {
            foreach (var group in list.OfType<JsonObject>())
            {
                var name = Json.String(group, "name");
                if (string.IsNullOrEmpty(name))
                {
                    continue;
                }

                var served = (Json.Array(group, "versions")?.OfType<JsonObject>() ?? []).Select(v => Json.String(v, "version")).OfType<string>().Where(v => v.Length > 0);
                var chosen = !preferredOnly ? served
                    : Json.String(Json.Object(group, "preferredVersion"), "version") is { Length: > 0 } preferred ? [preferred]
                    : served.Take(1);
                versions.AddRange(chosen.Select(v => (name, v)));
            }
        }

        var entries = new GroupVersionEntry[versions.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, versions.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) => entries[i] = await FetchGroupVersionAsync(versions[i].Group, versions[i].Version, ct));
        return entries;
    }

    /// <summary>Forgets everything, e.g. after installing CRDs, so the next lookup asks the server.</summary>
    public void Invalidate()
    {
        lock (_preferredGate)
        {
            _generation++;
            _preferredWalk = null;
            _groupVersions.Clear();
            Volatile.Write(ref _preferred, null);
        }
    }

    private async Task<GroupVersionEntry> FetchGroupVersionAsync(string group, string version, CancellationToken cancellationToken)
    {
        var gv = group.Length == 0 ? version : $"{group}/{version}";
        var path = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
        JsonNode? doc;
        try
        {
            doc = await _client.GetJsonAsync(path, cancellationToken);
        }
        catch (KubeApiException ex) when (ex.IsNotFound)
        {
            return new GroupVersionEntry(gv, [], _time.GetTimestamp());
        }

        return new GroupVersionEntry(gv, Parse(group, version, doc as JsonObject), _time.GetTimestamp());
    }

    /// <summary>Reads an APIResourceList.</summary>
    internal static List<ApiResource> Parse(string group, string version, JsonObject? list)
    {
        var result = new List<ApiResource>();
        if (Json.Array(list, "resources") is not { } resources)
        {
            return result;
        }

        var items = resources.OfType<JsonObject>().ToList();
        var withStatus = items.Select(r => Json.String(r, "name")).OfType<string>()
            .Where(n => n.EndsWith("/status", StringComparison.Ordinal)).Select(n => n[..^7]).ToHashSet(StringComparer.Ordinal);
        foreach (var r in items)
        {
            var name = Json.String(r, "name");
            var kind = Json.String(r, "kind");
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(kind) || name.Contains('/', StringComparison.Ordinal))
            {
                continue;
            }

            result.Add(new ApiResource(Json.String(r, "group") is { Length: > 0 } g ? g : group, Json.String(r, "version") is { Length: > 0 } v ? v : version, name, kind, Json.Bool(r, "namespaced") ?? false)
            {
                Verbs = Strings(r, "verbs"),
                ShortNames = Strings(r, "shortNames"),
                Categories = Strings(r, "categories"),
                SingularName = Json.String(r, "singularName") ?? "",
                HasStatus = withStatus.Contains(name),
            });
        }

        return result;
    }

    private static string[] Strings(JsonObject obj, string name) =>
        Json.Array(obj, name)?.Select(n => n is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>().ToArray() ?? [];

    private sealed class GroupVersionEntry(string groupVersion, List<ApiResource> resources, long fetchedAt)
    {
        public string GroupVersion { get; } = groupVersion;

        public IReadOnlyList<ApiResource> Resources { get; } = resources;

        public long FetchedAt { get; } = fetchedAt;

        public ApiResource? Find(string kind) => Resources.FirstOrDefault(r => r.Kind == kind);
    }

    private sealed record PreferredEntry(IReadOnlyList<ApiResource> Resources, IReadOnlyList<GroupVersionEntry> GroupVersions, long FetchedAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Discovery: kind {Kind} is not served in {GroupVersion}")]
    private partial void LogUnknownKind(string kind, string groupVersion);
}
